// Output checks for a DASH ladder (manifest.mpd over CMAF segments), shared by the acceptance tests
// of every runtime: the MPD parsed by Chromium's DOMParser and checked against the spec's rules,
// ffprobe's dash demuxer, libdav1d on each Representation's init + segments, and dash.js playing it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecString, contractFromSequenceHeader, findSequenceHeader, parseAv1C } from '../../src/av1/mod.ts';
import { findPaths } from '../../src/mux/isobmff.ts';
import { tempDir } from './cli.ts';
import { parseXml, playDash } from './dash-player.ts';
import type { DashPlayback, XmlNode } from './dash-player.ts';
import type { ExpectedRung, HlsLadder } from './ladder-checks.ts';
import { parseM3u8 } from './m3u8.ts';
import type { ParsedManifest } from './m3u8.ts';
import { dav1dFrameCount, decodedAudioSeconds, ffprobe } from './media.ts';

export interface DashRep {
  attrs: Record<string, string>;
  timescale: number;
  /** Expanded SegmentTimeline: start and duration of every segment, in ticks. */
  segments: Array<{ t: number; d: number }>;
  /** Output-relative paths: the init segment, then every media segment in order. */
  init: string;
  media: string[];
}

export interface DashLadder { mpd: XmlNode; video: DashRep[]; audio: DashRep | null; audioSet: XmlNode | null; durationS: number }

const child = (n: XmlNode, name: string) => n.children.filter((c) => c.name === name);

/** xs:duration of the form PTnHnMn.nS → seconds. */
function seconds(d: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(d);
  assert.ok(m, `xs:duration ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function readRep(rep: XmlNode): DashRep {
  const [tpl] = child(rep, 'SegmentTemplate');
  assert.ok(tpl, `${rep.attrs.id}: a SegmentTemplate`);
  const [tl] = child(tpl, 'SegmentTimeline');
  assert.ok(tl, `${rep.attrs.id}: a SegmentTimeline`);
  const segments: DashRep['segments'] = [];
  let next = 0;
  for (const s of child(tl, 'S')) {
    const t = s.attrs.t !== undefined ? Number(s.attrs.t) : next;
    const d = Number(s.attrs.d);
    for (let k = 0; k <= Number(s.attrs.r ?? 0); k++) segments.push({ t: t + k * d, d });
    next = t + (Number(s.attrs.r ?? 0) + 1) * d;
  }
  const start = Number(tpl.attrs.startNumber ?? 1);
  const media = segments.map((_, i) => tpl.attrs.media!.replace('$Number$', String(start + i)));
  return { attrs: rep.attrs, timescale: Number(tpl.attrs.timescale), segments, init: tpl.attrs.initialization!, media };
}

/** Parses manifest.mpd from `out` (DOMParser: it must be well-formed XML). */
export async function readDashLadder(out: string): Promise<DashLadder> {
  const [mpd] = await parseXml([readFileSync(join(out, 'manifest.mpd'), 'utf8')]);
  const sets = child(mpd!, 'Period').flatMap((p) => child(p, 'AdaptationSet'));
  const video = sets.filter((s) => s.attrs.contentType === 'video').flatMap((s) => child(s, 'Representation')).map(readRep);
  const audioSet = sets.find((s) => s.attrs.contentType === 'audio') ?? null;
  const audioRep = audioSet ? child(audioSet, 'Representation')[0] : undefined;
  return { mpd: mpd!, video, audio: audioRep ? readRep(audioRep) : null, audioSet, durationS: seconds(mpd!.attrs.mediaPresentationDuration ?? '') };
}

/**
 * The MPD's structure: static, the live/CMAF profiles, one Period with one video AdaptationSet of
 * `expected` Representations (sizes, frameRate, codecs = the init segment's sequence header) and
 * one audio AdaptationSet (lang, codecs, AudioChannelConfiguration) when `audio`; every referenced
 * file exists, and each folder holds no segment the MPD does not list.
 */
export function checkDashManifest(out: string, l: DashLadder, expected: ExpectedRung[], frameRate: string, audio: boolean): void {
  const a = l.mpd.attrs;
  assert.equal(l.mpd.name, 'MPD');
  assert.equal(a.xmlns, 'urn:mpeg:dash:schema:mpd:2011');
  assert.equal(a.type, 'static');
  assert.ok(a.profiles?.split(',').includes('urn:mpeg:dash:profile:isoff-live:2011'), `profiles ${a.profiles}`);
  assert.ok(seconds(a.minBufferTime ?? '') > 0, 'minBufferTime');
  const periods = child(l.mpd, 'Period');
  assert.equal(periods.length, 1);
  const sets = child(periods[0]!, 'AdaptationSet');
  assert.equal(sets.filter((s) => s.attrs.contentType === 'video').length, 1, 'one video AdaptationSet');
  assert.equal(sets.filter((s) => s.attrs.contentType === 'audio').length, audio ? 1 : 0, 'audio AdaptationSets');
  assert.deepEqual(l.video.map((r) => `${r.attrs.width}x${r.attrs.height}`), expected.map((r) => `${r.width}x${r.height}`));
  for (const r of l.video) {
    assert.equal(r.attrs.frameRate, frameRate, `${r.attrs.id}: frameRate`);
    const init = new Uint8Array(readFileSync(join(out, r.init)));
    const box = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0]!.at(-1)!;
    const sh = findSequenceHeader(parseAv1C(init.subarray(box.start + box.header, box.end)).configOBUs)!.header;
    assert.equal(r.attrs.codecs, codecString(contractFromSequenceHeader(sh)), `${r.attrs.id}: codecs from the sequence header`);
  }
  if (audio) {
    assert.ok(l.audio && l.audioSet);
    assert.match(l.audioSet.attrs.lang ?? '', /^[a-z]{2,3}$/, 'audio lang');
    assert.equal(l.audio.attrs.codecs, 'mp4a.40.2');
    const [acc] = child(child(l.audioSet, 'Representation')[0]!, 'AudioChannelConfiguration');
    assert.equal(acc?.attrs.schemeIdUri, 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011');
    assert.ok(Number(acc?.attrs.value) >= 1, 'channel count');
  }
  for (const r of [...l.video, ...(l.audio ? [l.audio] : [])]) {
    for (const f of [r.init, ...r.media]) assert.ok(existsSync(join(out, f)), `${r.attrs.id}: ${f} exists`);
    const onDisk = readdirSync(join(out, dirname(r.init))).filter((f) => f.endsWith('.m4s'));
    assert.equal(onDisk.length, r.media.length, `${r.attrs.id}: every segment on disk is listed`);
  }
}

/** Timelines: contiguous from 0, identical across video Representations, summing to `durationS` within a frame; mediaPresentationDuration covers every track. */
export function checkDashTimeline(l: DashLadder, durationS: number, frameS: number): void {
  for (const r of [...l.video, ...(l.audio ? [l.audio] : [])]) {
    assert.equal(r.segments[0]!.t, 0, `${r.attrs.id}: starts at 0`);
    r.segments.forEach((s, i) => { if (i > 0) assert.equal(s.t, r.segments[i - 1]!.t + r.segments[i - 1]!.d, `${r.attrs.id}: S ${i} is contiguous`); });
    const end = r.segments.reduce((n, s) => n + s.d, 0) / r.timescale;
    assert.ok(end <= l.durationS + 1e-9, `${r.attrs.id}: ends at ${end} s, within mediaPresentationDuration ${l.durationS}`);
  }
  const first = l.video[0]!;
  for (const r of l.video) assert.deepEqual(r.segments.map((s) => s.d / r.timescale), first.segments.map((s) => s.d / first.timescale), 'boundaries match across rungs');
  const total = first.segments.reduce((n, s) => n + s.d, 0) / first.timescale;
  assert.ok(Math.abs(total - durationS) <= frameS, `timeline sum ${total} vs ${durationS}`);
}

/** @bandwidth is the peak segment rate of the files on disk (bits over the timeline's duration), so it is at least the average. */
export function checkDashBandwidth(out: string, l: DashLadder): void {
  for (const r of [...l.video, ...(l.audio ? [l.audio] : [])]) {
    const rates = r.media.map((f, i) => (statSync(join(out, f)).size * 8 * r.timescale) / r.segments[i]!.d);
    const peak = Math.max(...rates);
    const bits = r.media.reduce((n, f) => n + statSync(join(out, f)).size * 8, 0);
    const average = bits / (r.segments.reduce((n, s) => n + s.d, 0) / r.timescale);
    const declared = Number(r.attrs.bandwidth);
    assert.ok(declared >= average, `${r.attrs.id}: @bandwidth ${declared} ≥ average ${average.toFixed(0)}`);
    assert.ok(Math.abs(declared - peak) <= 1, `${r.attrs.id}: @bandwidth ${declared} = peak segment rate ${peak.toFixed(0)}`);
  }
}

/** Init + every media segment of a Representation, concatenated into one fragmented MP4. */
function joined(out: string, r: DashRep): string {
  const file = join(tempDir('dash-joined'), `${r.attrs.id}.mp4`);
  writeFileSync(file, Buffer.concat([r.init, ...r.media].map((f) => readFileSync(join(out, f)))));
  return file;
}

/** ffprobe opens manifest.mpd with the expected sizes (and AAC when `audio`); libdav1d decodes `frames` from every Representation. */
export function checkDashDecodes(out: string, l: DashLadder, expected: ExpectedRung[], frames: number, audio: boolean): void {
  const streams = ffprobe(join(out, 'manifest.mpd')).streams;
  assert.deepEqual(new Set(streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`)), new Set(expected.map((r) => `${r.width}x${r.height}`)));
  assert.equal(streams.some((s) => s.codec_name === 'aac'), audio, 'AAC audio in the MPD');
  for (const r of l.video) assert.equal(dav1dFrameCount(joined(out, r)), frames, `${r.attrs.id}: libdav1d frames`);
}

/** The audio Representation's init + segments decode in ffmpeg to the source's audio duration within `toleranceS`. */
export function checkDashAudioDuration(out: string, l: DashLadder, source: string, toleranceS: number): { track: number; source: number } {
  assert.ok(l.audio, 'an audio Representation');
  const track = decodedAudioSeconds(joined(out, l.audio));
  const sourceS = Number(ffprobe(source).streams.find((x) => x.codec_type === 'audio')!.duration);
  assert.ok(Math.abs(track - sourceS) <= toleranceS, `audio ${track} s vs source ${sourceS} s`);
  return { track, source: sourceS };
}

/** 'cmaf': the MPD and the HLS playlists list the very same init and media segment files. */
export function checkSharedSegments(out: string, hls: HlsLadder, dash: DashLadder): void {
  const files = (uri: string, m: ParsedManifest) => [m.segments[0]!.map!.uri, ...m.segments.map((s) => s.uri)].map((f) => join(dirname(uri), f));
  const variants = (hls.master.playlists ?? []).map((p) => p.uri);
  assert.deepEqual(dash.video.map((r) => [r.init, ...r.media]), variants.map((uri) => files(uri, hls.media.get(uri)!)), 'video files');
  assert.ok(hls.audioUri && dash.audio, 'audio in both');
  const audio = parseM3u8(readFileSync(join(out, hls.audioUri), 'utf8'));
  assert.deepEqual([dash.audio.init, ...dash.audio.media], files(hls.audioUri, audio), 'audio files');
}

/** dash.js in Chromium plays manifest.mpd past `minSeconds`, rendering every one of `rungs` Representations, with no error. */
export async function checkDashPlayback(out: string, rungs: number, minSeconds: number): Promise<DashPlayback> {
  const r = await playDash(out, minSeconds);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.pageErrors, []);
  assert.equal(r.representations.length, rungs);
  assert.deepEqual(new Set(r.rendered), new Set(r.representations), 'every Representation was rendered after a switch');
  assert.ok(r.currentTime > minSeconds, `currentTime ${r.currentTime}`);
  return r;
}

// Output checks shared by the acceptance tests of every runtime (Chromium's CLI, the Deno CLI):
// an HLS ladder read by m3u8-parser, ffprobe, libdav1d and hls.js; an MP4 rung read by ffprobe,
// libdav1d, ffmpeg's PSNR and the av1C/first-sample comparison. Each throws an AssertionError.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecString, contractFromSequenceHeader, findSequenceHeader, parseAv1C } from '../../src/av1/mod.ts';
import { findPaths } from '../../src/mux/isobmff.ts';
import { parseM3u8 } from './m3u8.ts';
import type { ParsedManifest } from './m3u8.ts';
import { dav1dFrameCount, decodedAudioSeconds, ffprobe, psnrAgainstSource } from './media.ts';
import { playHls } from './hls-player.ts';
import type { Playback } from './hls-player.ts';
import { readMp4Av1 } from './mp4.ts';

export interface ExpectedRung { width: number; height: number }

export interface HlsLadder { master: ParsedManifest; media: Map<string, ParsedManifest>; audioUri: string | null }

/** Parses master.m3u8 and its media playlists from `out`. */
export function readHlsLadder(out: string): HlsLadder {
  const read = (rel: string) => readFileSync(join(out, rel), 'utf8');
  const master = parseM3u8(read('master.m3u8'));
  const media = new Map<string, ParsedManifest>();
  for (const p of master.playlists ?? []) media.set(p.uri, parseM3u8(read(p.uri)));
  const audio = Object.values(master.mediaGroups?.AUDIO ?? {}).flatMap((g) => Object.values(g));
  return { master, media, audioUri: audio[0]?.uri ?? null };
}

/** Every playlist parses with ENDLIST and a sufficient TARGETDURATION; every listed file exists; an I-frame playlist per rung. */
export function checkHlsPlaylists(out: string, l: HlsLadder, rungs: number, audio: boolean): void {
  assert.equal(l.master.playlists?.length, rungs, 'one variant per rung');
  const groups = Object.values(l.master.mediaGroups?.AUDIO ?? {}).flatMap((g) => Object.values(g));
  assert.equal(groups.length, audio ? 1 : 0, 'audio renditions');
  const lists = [...(l.master.playlists ?? []), ...(l.master.iFramePlaylists ?? [])].map((p) => p.uri).concat(groups.map((a) => a.uri!));
  for (const uri of lists) {
    const m = parseM3u8(readFileSync(join(out, uri), 'utf8'));
    assert.equal(m.endList, true, `${uri}: ENDLIST`);
    assert.ok(m.targetDuration! >= Math.max(...m.segments.map((s) => Math.round(s.duration))), `${uri}: TARGETDURATION`);
    for (const s of m.segments) {
      assert.ok(existsSync(join(out, dirname(uri), s.uri)), `${uri}: ${s.uri} exists`);
      assert.ok(s.map && existsSync(join(out, dirname(uri), s.map.uri)), `${uri}: EXT-X-MAP exists`);
    }
  }
  assert.equal(l.master.iFramePlaylists?.length, rungs, 'an I-frame playlist per rung');
}

/** Segment boundaries are identical across rungs, and the EXTINFs add up to the duration within a frame. */
export function checkHlsBoundaries(l: HlsLadder, durationS: number, frameS: number): void {
  const durations = [...l.media.values()].map((m) => m.segments.map((s) => s.duration.toFixed(6)));
  for (const d of durations) assert.deepEqual(d, durations[0]);
  const total = [...l.media.values()][0]!.segments.reduce((n, s) => n + s.duration, 0);
  assert.ok(Math.abs(total - durationS) <= frameS, `EXTINF sum ${total} vs ${durationS}`);
}

/** ffprobe opens master.m3u8 with the expected sizes (and AAC when `audio`); libdav1d decodes `frames` from every rung. */
export function checkHlsDecodes(out: string, l: HlsLadder, expected: ExpectedRung[], frames: number, audio: boolean): void {
  const streams = ffprobe(join(out, 'master.m3u8')).streams;
  assert.deepEqual(new Set(streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`)), new Set(expected.map((r) => `${r.width}x${r.height}`)));
  assert.equal(streams.some((s) => s.codec_name === 'aac'), audio, 'AAC audio in the master');
  for (const p of l.master.playlists ?? []) assert.equal(dav1dFrameCount(join(out, p.uri)), frames, p.uri);
}

/** AVERAGE-BANDWIDTH matches the bytes on disk within 10%, BANDWIDTH ≥ it, CODECS matches the init segment's sequence header. */
export function checkHlsBandwidthAndCodecs(out: string, l: HlsLadder): void {
  const bytesOf = (uri: string, m: ParsedManifest) => m.segments.reduce((n, s) => n + statSync(join(out, dirname(uri), s.uri)).size, 0);
  const audioBits = l.audioUri ? bytesOf(l.audioUri, parseM3u8(readFileSync(join(out, l.audioUri), 'utf8'))) * 8 : 0;
  for (const p of l.master.playlists ?? []) {
    const m = l.media.get(p.uri)!;
    const seconds = m.segments.reduce((n, s) => n + s.duration, 0);
    const measured = (bytesOf(p.uri, m) * 8 + audioBits) / seconds;
    const declared = Number(p.attributes['AVERAGE-BANDWIDTH']);
    assert.ok(Math.abs(measured - declared) <= 0.1 * declared, `${p.uri}: measured ${measured.toFixed(0)} vs AVERAGE-BANDWIDTH ${declared}`);
    assert.ok(Number(p.attributes.BANDWIDTH) >= declared);
    const init = new Uint8Array(readFileSync(join(out, dirname(p.uri), m.segments[0]!.map!.uri)));
    const av1cBox = findPaths(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'])[0]!.at(-1)!;
    const av1c = parseAv1C(init.subarray(av1cBox.start + av1cBox.header, av1cBox.end));
    const sh = findSequenceHeader(av1c.configOBUs)!.header;
    assert.equal(String(p.attributes.CODECS).split(',')[0], codecString(contractFromSequenceHeader(sh)), `${p.uri}: CODECS`);
    assert.equal(av1c.seqLevelIdx0, sh.operatingPoints[0]!.seqLevelIdx);
  }
}

/** An MP4 rung: AV1 at the size (ffprobe), limited range, AAC when `audio`, `frames` frames (libdav1d), av1C = the first sample's sequence header, `codec` from it. */
export function checkMp4Rung(file: string, r: ExpectedRung & { codec: string }, frames: number, audio: boolean): void {
  const p = ffprobe(file);
  const v = p.streams.find((s) => s.codec_type === 'video');
  assert.ok(v, `${file}: no video stream`);
  assert.equal(v.codec_name, 'av1');
  assert.equal(v.width, r.width);
  assert.equal(v.height, r.height);
  assert.equal(v.color_range, 'tv', `${file}: limited range`);
  const a = p.streams.find((s) => s.codec_type === 'audio');
  if (audio) assert.equal(a?.codec_name, 'aac', `${file}: AAC audio passed through`);
  else assert.equal(a, undefined, `${file}: no audio`);
  assert.equal(dav1dFrameCount(file), frames, `${file}: libdav1d frame count`);
  const { av1c, firstSample } = readMp4Av1(file);
  const box = parseAv1C(av1c);
  const found = findSequenceHeader(firstSample);
  assert.ok(found, `${file}: first sample has no sequence header`);
  const sh = found.header;
  assert.equal(box.seqProfile, sh.seqProfile);
  assert.equal(box.seqLevelIdx0, sh.operatingPoints[0]!.seqLevelIdx);
  assert.equal(box.seqTier0, sh.operatingPoints[0]!.seqTier);
  assert.equal(box.monochrome, sh.colorConfig.monoChrome);
  assert.equal(box.chromaSubsamplingX, sh.colorConfig.subsamplingX);
  assert.equal(box.chromaSubsamplingY, sh.colorConfig.subsamplingY);
  assert.deepEqual(Array.from(box.configOBUs), Array.from(found.obu), `${file}: configOBUs carry the sequence header OBU`);
  assert.equal(r.codec, codecString(contractFromSequenceHeader(sh)), `${file}: codec string`);
}

/** PSNR against the ffmpeg-scaled source (range-correct) of at least `minDb`; returns it. */
export function checkPsnr(file: string, source: string, r: ExpectedRung, minDb: number): number {
  const db = psnrAgainstSource(file, source, r.width, r.height);
  assert.ok(db >= minDb, `${file}: PSNR ${db.toFixed(2)} dB < ${minDb}`);
  return db;
}

/** The HLS audio rendition decodes in ffmpeg (no errors) to the source's audio duration within `toleranceS`; returns both. */
export function checkHlsAudioDuration(out: string, l: HlsLadder, source: string, toleranceS: number): { rendition: number; source: number } {
  assert.ok(l.audioUri, 'an audio rendition');
  const rendition = decodedAudioSeconds(join(out, l.audioUri));
  const sourceS = Number(ffprobe(source).streams.find((x) => x.codec_type === 'audio')!.duration);
  assert.ok(Math.abs(rendition - sourceS) <= toleranceS, `audio ${rendition} s vs source ${sourceS} s`);
  return { rendition, source: sourceS };
}

/** hls.js in Chromium plays master.m3u8 past `minSeconds`, switching to every one of `rungs` levels, with no fatal error. */
export async function checkHlsPlayback(out: string, rungs: number, minSeconds: number): Promise<Playback> {
  const r = await playHls(out, minSeconds);
  assert.deepEqual(r.fatal, []);
  assert.deepEqual(r.pageErrors, []);
  assert.equal(r.levels, rungs);
  assert.deepEqual([...r.switched].sort(), Array.from({ length: rungs }, (_, i) => i), 'every rung was switched to');
  assert.ok(r.currentTime > minSeconds, `currentTime ${r.currentTime}`);
  return r;
}

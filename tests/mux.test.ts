// The MP4 mux stage, checked with ffmpeg/ffprobe/libdav1d on real media: our file must carry
// ffmpeg's exact av1C and packets, keep every timestamp, decode frame-exact, and the av1C patch
// must keep every chunk offset right in each layout (moov first or last, co64, fragmented).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BitstreamError, TranscodeError } from '../src/errors.ts';
import { AV1C_PATH, replaceAv1C } from '../src/mux/av1c-patch.ts';
import { children, findPaths, isContainer, payload, readBoxes } from '../src/mux/isobmff.ts';
import type { Box } from '../src/mux/isobmff.ts';
import { createMp4Writer } from '../src/mux/mp4.ts';
import { videoTimescale } from '../src/timescale.ts';
import { dav1dFrameCount, ffprobe } from './lib/media.ts';
import { tempDir } from './lib/cli.ts';

const dir = tempDir('mux');
const FRAMES = 50;
const STBL = ['moov', 'trak', 'mdia', 'minf', 'stbl'];
const MIN_AV1C = new Uint8Array([0x81, 0, 0, 0]); // what mp4-muxer writes: no configOBUs

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
const read = (f: string) => new Uint8Array(readFileSync(f));
const save = (name: string, bytes: Uint8Array) => { const f = join(dir, name); writeFileSync(f, bytes); return f; };
const av1cOf = (file: Uint8Array) => { const c = findPaths(file, AV1C_PATH); assert.equal(c.length, 1, 'one av1C'); return payload(file, c[0]!.at(-1)!).slice(); };
const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v); return b; };
const u64 = (v: bigint) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, v); return b; };
const cat = (...parts: Uint8Array[]) => { const o = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let p = 0; for (const x of parts) { o.set(x, p); p += x.length; } return o; };
const box = (type: string, ...parts: Uint8Array[]) => cat(u32(8 + parts.reduce((n, p) => n + p.length, 0)), new TextEncoder().encode(type), ...parts);
/** A hand-made AV1 track with mp4-muxer's 4-byte av1C and the given chunk offset box. */
const av01Trak = (offsets: Uint8Array) => box('trak', box('mdia', box('minf', box('stbl',
  box('stsd', u32(0), u32(1), box('av01', new Uint8Array(78), box('av1C', MIN_AV1C))), offsets))));

/** framemd5 of a stream copy: the lines of the packets, or the header line of the extradata. */
function framemd5(file: string, stream: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', `0:${stream}`, '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l);
}

/** Packet hashes (and so contents and order) as ffmpeg reads them. */
function packetHashes(file: string, stream = 'v:0'): string[] {
  return framemd5(file, stream).filter((l) => !l.startsWith('#')).map((l) => l.split(',')[5]!.trim()); // the packet's, not side data's
}

/** The codec configuration ffmpeg takes from the sample entry (av1C, esds). */
function extradataHash(file: string, stream: string): string | undefined {
  return framemd5(file, stream).find((l) => l.startsWith('#extradata'))?.split(',').pop()!.trim();
}

/** Packet times in µs as ffprobe reads them, with the stream's time base. */
function packetTimes(file: string, stream: string): { timeBase: string; pts: number[]; keys: boolean[] } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_entries', 'stream=time_base:packet=pts,flags', '-of', 'json', file], { encoding: 'utf8' });
  const j = JSON.parse(out) as { streams: Array<{ time_base: string }>; packets: Array<{ pts: number; flags: string }> };
  const [num, den] = j.streams[0]!.time_base.split('/').map(Number) as [number, number];
  return { timeBase: j.streams[0]!.time_base, pts: j.packets.map((p) => Math.round((p.pts * num * 1e6) / den)), keys: j.packets.map((p) => p.flags.startsWith('K')) };
}

/** Rebuilds `b`, letting `edit` replace any box; containers get fresh sizes. */
function rebuild(buf: Uint8Array, b: Box, edit: (b: Box) => Uint8Array | null): Uint8Array {
  const replaced = edit(b);
  if (replaced) return replaced;
  if (!isContainer(b.type)) return buf.slice(b.start, b.end);
  const kids = children(buf, b);
  const fields = buf.subarray(b.start + b.header, kids[0]?.start ?? b.end);
  return box(b.type, fields, ...kids.map((k) => rebuild(buf, k, edit)));
}

function chunkOffsets(file: Uint8Array): bigint[][] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  return ['stco', 'co64'].flatMap((t) => findPaths(file, [...STBL, t]).map((c) => {
    const b = c.at(-1)!;
    const n = dv.getUint32(b.start + 12);
    return Array.from({ length: n }, (_, i) => (t === 'stco' ? BigInt(dv.getUint32(b.start + 16 + 4 * i)) : dv.getBigUint64(b.start + 16 + 8 * i)));
  }));
}

/** Every box of the file, walked through every container the walker knows: throws on a bad size. */
function walkAll(buf: Uint8Array, boxes = readBoxes(buf)): string[] {
  return boxes.flatMap((b) => [b.type, ...(isContainer(b.type) ? walkAll(buf, children(buf, b)) : [])]);
}

interface AudioTrack { asc: Uint8Array; sampleRate: number; channels: number; samples: Array<{ data: Uint8Array; ticks: number; dur: number }> }

/** The AAC samples of an ffmpeg .m4a, from stsz/stsc/stco/stts, and the AudioSpecificConfig from esds. */
function readAac(file: string): AudioTrack {
  const buf = read(file);
  const dv = new DataView(buf.buffer);
  const stbl = findPaths(buf, STBL)[0]!.at(-1)!;
  const kid = (t: string) => children(buf, stbl).find((b) => b.type === t)!;
  const entries = (b: Box, width: number, at = 16) => Array.from({ length: dv.getUint32(at - 4 + b.start) }, (_, i) => b.start + at + i * width);
  const sizes = entries(kid('stsz'), 4, 20).map((p) => dv.getUint32(p));
  const offsets = entries(kid('stco'), 4).map((p) => dv.getUint32(p));
  const stsc = entries(kid('stsc'), 12).map((p) => [dv.getUint32(p), dv.getUint32(p + 4)] as const);
  const durs = entries(kid('stts'), 8).flatMap((p) => Array<number>(dv.getUint32(p)).fill(dv.getUint32(p + 4)));
  const samples: AudioTrack['samples'] = [];
  let ticks = 0;
  offsets.forEach((off, chunk) => {
    const perChunk = stsc.filter(([first]) => first <= chunk + 1).at(-1)![1];
    for (let i = 0; i < perChunk; i++) {
      const n = samples.length;
      samples.push({ data: buf.slice(off, off + sizes[n]!), ticks, dur: durs[n]! });
      off += sizes[n]!;
      ticks += durs[n]!;
    }
  });
  assert.equal(samples.length, sizes.length);
  // esds: ES_Descriptor(3) > DecoderConfigDescriptor(4) > DecoderSpecificInfo(5) = the ASC
  const esds = findPaths(buf, [...STBL, 'stsd', 'mp4a'])[0]!.at(-1)!;
  const e = payload(buf, children(buf, esds).find((b) => b.type === 'esds')!);
  let p = 4;
  const descriptor = (tag: number) => { assert.equal(e[p++], tag); let len = 0; let b; do { b = e[p++]!; len = len * 128 + (b & 0x7f); } while (b & 0x80); return len; };
  descriptor(3); p += 3;
  descriptor(4); p += 13;
  const ascLength = descriptor(5);
  const asc = e.slice(p, p + ascLength);
  const s = ffprobe(file).streams[0] as unknown as { sample_rate: string; channels: number };
  return { asc, sampleRate: Number(s.sample_rate), channels: s.channels, samples };
}

describe('MP4 mux stage', () => {
  const units: Array<{ data: Uint8Array; us: number }> = [];
  let keys: boolean[] = [];
  let refAv1c: Uint8Array;
  let aac: AudioTrack;
  const ref = join(dir, 'ref.mp4');
  const m4a = join(dir, 'a.m4a');

  before(() => {
    const ivf = join(dir, 'a.ivf');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-frames:v', String(FRAMES), '-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8', '-g', '25', '-f', 'ivf', ivf);
    ffmpeg('-i', ivf, '-c', 'copy', ref);
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', m4a);
    const buf = readFileSync(ivf);
    const [den, num] = [buf.readUInt32LE(16), buf.readUInt32LE(20)];
    for (let p = 32; p + 12 <= buf.length;) {
      const size = buf.readUInt32LE(p);
      units.push({ data: new Uint8Array(buf.subarray(p + 12, p + 12 + size)), us: Number(buf.readBigUInt64LE(p + 4)) * (num * 1e6) / den });
      p += 12 + size;
    }
    keys = packetTimes(ref, 'v:0').keys;
    refAv1c = av1cOf(read(ref));
    aac = readAac(m4a);
    assert.equal(units.length, FRAMES);
    assert.ok(refAv1c.length > 4, 'ffmpeg wrote configOBUs');
  });

  const aacUs = (ticks: number) => Math.round((ticks * 1e6) / aac.sampleRate);
  const withAac = () => ({ audio: { codec: 'aac' as const, sampleRate: aac.sampleRate, numberOfChannels: aac.channels, description: aac.asc } });

  /** Our file from the IVF's temporal units (at `times`), plus the .m4a's AAC samples if asked. */
  function writeOurs(times = units.map((u) => u.us), audioDelayUs?: number): Uint8Array {
    const w = createMp4Writer({ width: 640, height: 360, frameRate: 25, ...(audioDelayUs === undefined ? {} : withAac()) });
    units.forEach((u, i) => w.addVideo(u.data, times[i]!, 40_000, keys[i]!));
    if (audioDelayUs !== undefined) for (const s of aac.samples) w.addAudio(s.data, audioDelayUs + aacUs(s.ticks), aacUs(s.dur));
    return w.finalize(refAv1c);
  }

  it('writes a fast-start file with ffmpeg\'s av1C, packets and timestamps that libdav1d decodes frame-exact', () => {
    const out = writeOurs();
    const file = save('ours.mp4', out);
    assert.deepEqual(readBoxes(out).map((b) => b.type), ['ftyp', 'moov', 'mdat'], 'moov before mdat');
    assert.deepEqual(av1cOf(out), refAv1c, 'byte-identical av1C');
    const v = ffprobe(file).streams[0]!;
    assert.deepEqual([v.codec_name, v.profile, v.width, v.height, v.nb_frames], ['av1', 'Main', 640, 360, String(FRAMES)]);
    assert.deepEqual(packetHashes(file), packetHashes(ref), 'same packets: chunk offsets moved with the grown av1C');
    const t = packetTimes(file, 'v:0');
    assert.deepEqual(t.pts, units.map((u) => u.us), 'every timestamp kept');
    assert.deepEqual(t.keys, keys);
    assert.equal(t.timeBase, '1/90000', 'a frame-rate timescale for a constant rate');
    assert.equal(dav1dFrameCount(file), FRAMES);
  });

  it('keeps irregular timestamps exactly (a 1 MHz timescale)', () => {
    const times = units.map((u, i) => u.us + (i % 3) * 7);
    const file = save('vfr.mp4', writeOurs(times));
    const t = packetTimes(file, 'v:0');
    assert.equal(t.timeBase, '1/1000000');
    assert.deepEqual(t.pts, times);
    assert.equal(videoTimescale(30000 / 1001, Array.from({ length: 90 }, (_, i) => Math.round((i * 1001e6) / 30000))), 90_000);
    assert.equal(videoTimescale(23.976, Array.from({ length: 90 }, (_, i) => Math.round((i * 1001e6) / 24000))), 96_000);
  });

  it('writes the times in a given timescale (the source\'s), each µs time as the tick it was rounded from', () => {
    // 30 fps in a 15360 timescale (ffmpeg's): 512 ticks a frame, 33333.33 µs rounded either way.
    const times = units.map((_, i) => Math.round((i * 1e6) / 30));
    const w = createMp4Writer({ width: 640, height: 360, frameRate: 30, timescale: 15_360 });
    units.forEach((u, i) => w.addVideo(u.data, times[i]!, Math.round(1e6 / 30), keys[i]!));
    const file = save('source-timescale.mp4', w.finalize(refAv1c));
    const t = packetTimes(file, 'v:0');
    assert.equal(t.timeBase, '1/15360');
    const ticks = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .trim().split('\n').map((l) => l.split(',').map(Number));
    assert.deepEqual(ticks, units.map((_, i) => [512 * i, 512]));
    assert.throws(() => createMp4Writer({ width: 640, height: 360, frameRate: 30, timescale: 90_000.5 }), TranscodeError);
    assert.throws(() => createMp4Writer({ width: 640, height: 360, frameRate: 30, timescale: 2_000_000 }), TranscodeError);
  });

  it('muxes AAC audio beside the video: both streams, the same audio packets, audio that decodes', () => {
    const out = writeOurs(undefined, 0);
    const file = save('av.mp4', out);
    const streams = ffprobe(file).streams;
    assert.deepEqual(streams.map((s) => [s.codec_type, s.codec_name]), [['video', 'av1'], ['audio', 'aac']]);
    assert.deepEqual(packetHashes(file, 'a:0'), packetHashes(m4a, 'a:0'), 'same AAC packets');
    assert.equal(extradataHash(file, 'a:0'), extradataHash(m4a, 'a:0'), 'the source\'s AudioSpecificConfig');
    assert.equal(extradataHash(file, 'v:0'), extradataHash(ref, 'v:0'), 'ffmpeg reads the same av1C');
    assert.deepEqual(packetHashes(file), packetHashes(ref), 'same AV1 packets');
    assert.deepEqual(packetTimes(file, 'a:0').pts, aac.samples.map((s) => aacUs(s.ticks)));
    assert.deepEqual(packetTimes(file, 'v:0').pts, units.map((u) => u.us));
    const [video, audio] = chunkOffsets(out) as [bigint[], bigint[]];
    assert.ok(video.length > 2 && audio[0]! < video[1]!, 'audio and video chunks are interleaved');
    const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-f', 'framemd5', '-'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no decode errors');
    assert.equal(r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length, aac.samples.length);
    assert.equal(dav1dFrameCount(file), FRAMES);
  });

  it('keeps audio that starts after the video in place (cross-track offset from the video\'s 0)', () => {
    // 'offset' would move this audio to 0 (out of sync) and 'strict' would refuse it.
    const file = save('late-audio.mp4', writeOurs(undefined, 100_000));
    const times = aac.samples.map((s) => 100_000 + aacUs(s.ticks));
    assert.deepEqual(packetTimes(file, 'v:0').pts, units.map((u) => u.us));
    const audio = packetTimes(file, 'a:0').pts;
    // mp4-muxer writes no edit list, so only the first audio sample starts early (at 0).
    assert.deepEqual(audio.slice(1), times.slice(1));
  });

  it('refuses samples it cannot write', () => {
    const w = createMp4Writer({ width: 640, height: 360, frameRate: 25 });
    assert.throws(() => w.addVideo(units[1]!.data, 0, 40_000, false), TranscodeError);
    assert.throws(() => w.addAudio(units[0]!.data, 0, 40_000), TranscodeError);
    w.addVideo(units[0]!.data, 40_000, 40_000, true);
    assert.throws(() => w.addVideo(units[1]!.data, 0, 40_000, false), /before the previous/);
    assert.throws(() => w.finalize(new Uint8Array([0x0a, 1, 2, 3])), BitstreamError);
    assert.throws(() => createMp4Writer({ width: 640, height: 360, frameRate: 0 }), TranscodeError);
  });

  // ffmpeg's files carry the full av1C; patching in the 4-byte one shrinks every box instead of
  // growing it, and patching ffmpeg's back must give ffmpeg's file byte for byte.
  const roundTrip = (name: string, file: Uint8Array, offsetsMove: boolean) => {
    const small = replaceAv1C(file, MIN_AV1C);
    assert.equal(small.length, file.length - (refAv1c.length - 4));
    walkAll(small);
    const moved = chunkOffsets(small).flat();
    const orig = chunkOffsets(file).flat();
    assert.deepEqual(moved, offsetsMove ? orig.map((o) => o - BigInt(refAv1c.length - 4)) : orig);
    const f = save(name, small);
    assert.deepEqual(packetHashes(f), packetHashes(ref));
    assert.equal(dav1dFrameCount(f), FRAMES);
    assert.deepEqual(replaceAv1C(small, refAv1c), file, 'patching the original av1C back restores the file');
  };

  it('moov after mdat: boxes change size, chunk offsets stay', () => {
    const file = read(ref);
    assert.deepEqual(readBoxes(file).map((b) => b.type), ['ftyp', 'free', 'mdat', 'moov']);
    roundTrip('moov-last.mp4', file, false);
  });

  it('moov before mdat: every stco offset moves', () => {
    const fs = join(dir, 'fs.mp4');
    ffmpeg('-i', ref, '-c', 'copy', '-movflags', '+faststart', fs);
    roundTrip('moov-first.mp4', read(fs), true);
  });

  it('moov before mdat with co64 offsets', () => {
    // ffmpeg writes co64 only past 4 GiB: turn its stco into co64 and move mdat after the larger moov.
    const src = read(join(dir, 'ref.mp4'));
    const [ftyp, , mdat, moov] = readBoxes(src) as [Box, Box, Box, Box];
    const withCo64 = (shift: bigint) => rebuild(src, moov, (b) => {
      if (b.type !== 'stco') return null;
      const dv = new DataView(src.buffer, b.start);
      const n = dv.getUint32(12);
      return box('co64', u32(0), u32(n), ...Array.from({ length: n }, (_, i) => u64(BigInt(dv.getUint32(16 + 4 * i)) + shift)));
    });
    const newMdat = ftyp.end + withCo64(0n).length;
    const file = cat(src.subarray(0, ftyp.end), withCo64(BigInt(newMdat - mdat.start)), src.subarray(mdat.start, mdat.end));
    assert.deepEqual(findPaths(file, [...STBL, 'stco']).length, 0);
    assert.deepEqual(packetHashes(save('co64.mp4', file)), packetHashes(ref), 'the co64 file is valid before patching');
    roundTrip('co64-patched.mp4', file, true);
  });

  it('fragmented files: tfhd base_data_offset and tfra moof offsets move; init segments have nothing to move', () => {
    const frag = join(dir, 'frag.mp4');
    ffmpeg('-i', ref, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov', frag);
    const file = read(frag);
    assert.ok(findPaths(file, ['moov', 'mvex']).length === 1 && findPaths(file, ['mfra', 'tfra']).length === 1);
    const small = replaceAv1C(file, MIN_AV1C);
    const dv = new DataView(small.buffer);
    const tfra = findPaths(small, ['mfra', 'tfra'])[0]!.at(-1)!;
    const moofs = readBoxes(small).filter((b) => b.type === 'moof').map((b) => BigInt(b.start));
    assert.equal(dv.getUint32(tfra.start + 16), 0, 'tfra entries: u64 time and moof offset, then three 1-byte numbers');
    const listed = Array.from({ length: dv.getUint32(tfra.start + 20) }, (_, i) => dv.getBigUint64(tfra.start + 24 + 8 + i * 19));
    assert.deepEqual(listed, moofs, 'tfra points at the moved moofs');
    const f = save('frag-small.mp4', small);
    assert.deepEqual(packetHashes(f), packetHashes(ref), 'ffmpeg follows the moved base_data_offsets');
    assert.equal(dav1dFrameCount(f), FRAMES);
    assert.deepEqual(replaceAv1C(small, refAv1c), file);

    // An init segment alone (ftyp + moov with mvex, no chunk offsets), as HLS writes it.
    const cmaf = join(dir, 'cmaf.mp4');
    ffmpeg('-i', ref, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', cmaf);
    const whole = read(cmaf);
    const moov = readBoxes(whole).find((b) => b.type === 'moov')!;
    const init = replaceAv1C(whole.slice(0, moov.end), MIN_AV1C);
    assert.deepEqual(walkAll(init), walkAll(whole.subarray(0, moov.end)));
    assert.deepEqual(av1cOf(init), MIN_AV1C);
    const joined = save('cmaf-small.mp4', cat(init, whole.subarray(moov.end)));
    assert.deepEqual(packetHashes(joined), packetHashes(ref));
    assert.equal(dav1dFrameCount(joined), FRAMES);
  });

  it('a payload of the same size changes only the payload bytes and leaves the input alone', () => {
    const file = writeOurs();
    const before = file.slice();
    const other = refAv1c.map((b, i) => (i === 1 ? b ^ 0x1f : b)); // another seq_level_idx
    const out = replaceAv1C(file, other);
    assert.deepEqual(file, before, 'input untouched');
    const at = findPaths(file, AV1C_PATH)[0]!.at(-1)!.start + 8;
    assert.equal(out.length, file.length);
    const changed = [...out.keys()].filter((i) => out[i] !== file[i]);
    assert.deepEqual(changed, [at + 1]);
  });

  it('patches every av01 track and shifts 64-bit offsets exactly', () => {
    const big = [5n, 2n ** 32n + 7n, 2n ** 53n + 1n, 2n ** 63n + 3n];
    const co64 = box('co64', u32(0), u32(big.length), ...big.map(u64));
    const stco = box('stco', u32(0), u32(2), u32(5), u32(100_000));
    const file = cat(box('ftyp', new TextEncoder().encode('isom')), box('moov', av01Trak(co64), av01Trak(stco)), box('mdat', new Uint8Array(8)));
    const out = replaceAv1C(file, refAv1c);
    const d = BigInt(2 * (refAv1c.length - 4));
    assert.equal(out.length, file.length + Number(d));
    assert.deepEqual(walkAll(out), walkAll(file));
    assert.deepEqual(findPaths(out, AV1C_PATH).map((c) => payload(out, c.at(-1)!)), [refAv1c, refAv1c]);
    // stco tables first, then co64; 5 lies before both av1C boxes, the rest after both
    assert.deepEqual(chunkOffsets(out), [[5n, 100_000n + d], [5n, ...big.slice(1).map((o) => o + d)]]);
    // A last box may say size 0 ("to the end of the file"): that stays true as it grows.
    const open = box('moov', av01Trak(stco));
    open.set(u32(0), 0);
    const grown = replaceAv1C(open, refAv1c);
    assert.deepEqual([...grown.subarray(0, 4), ...av1cOf(grown)], [0, 0, 0, 0, ...refAv1c]);
    assert.deepEqual(chunkOffsets(grown), [[5n, 100_000n + d / 2n]]);
  });

  it('refuses files it cannot patch with BitstreamError', () => {
    assert.throws(() => replaceAv1C(read(m4a), refAv1c), (e) => e instanceof BitstreamError && /no av01/.test(e.message));
    const file = read(ref);
    assert.throws(() => replaceAv1C(file.subarray(0, file.length - 100), refAv1c), BitstreamError, 'truncated moov');
    assert.throws(() => replaceAv1C(file, new Uint8Array([0x81, 0])), BitstreamError, 'short record');
    const overflow = box('moov', av01Trak(box('stco', u32(0), u32(1), u32(0xffffffff - 4))));
    assert.throws(() => replaceAv1C(overflow, refAv1c), /outgrow 32 bits/);
  });
});

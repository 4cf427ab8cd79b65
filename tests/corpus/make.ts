// The bad-input corpus, generated (never committed): truncations and seeded corruptions of the
// shared clips, junk files, a header declaring 16384x16384, odd sizes, a first frame that is not a
// key frame, a variable frame rate, audio only and two video tracks. ffmpeg makes the valid but
// unusual files. `npx tsx tests/corpus/make.ts DIR` writes it to DIR and lists it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA } from '../lib/media.ts';

export interface CorpusEntry {
  name: string;
  file: string;
  /** What the file is, for the table. */
  about: string;
}

/** The typed errors a corpus run may end in (each names the problem in its message). */
export const TYPED_ERRORS = ['CorruptInputError', 'UnsupportedCodecError', 'NoVideoTrackError', 'InputTooLargeError', 'CodecFailureError'];

/**
 * What every corpus file must give ('ok' or an error name), in each runtime. Where the runtimes'
 * decoders differ the entry says so: Chromium's decoders stop on damage ("Decoding error", "Error
 * during flush"), FFmpeg's (node-av, under Deno) conceal it and decode every frame. A corpus file
 * without an entry fails the corpus tests.
 */
export const EXPECTED_OUTCOMES: Record<string, RegExp | { chromium: RegExp; deno: RegExp }> = {
  'empty.mp4': /^CorruptInputError$/,
  'random.mp4': /^CorruptInputError$/,
  'text.mp4': /^CorruptInputError$/,
  'audio-only.m4a': /^NoVideoTrackError$/,
  'huge-16384.webm': /^InputTooLargeError$/,
  'video-trunc-1.mp4': /^CorruptInputError$/,
  'video-trunc-10.mp4': /^CorruptInputError$/,
  'video-trunc-50.mp4': /^CorruptInputError$/,
  'video-trunc-90.mp4': /^CorruptInputError$/,
  'video-trunc-99.mp4': /^CorruptInputError$/,
  'frames-trunc-1.webm': /^CorruptInputError$/,
  'frames-trunc-10.webm': /^CorruptInputError$/,
  'frames-trunc-50.webm': /^CorruptInputError$/,
  'frames-trunc-90.webm': /^CorruptInputError$/,
  'frames-trunc-99.webm': /^CorruptInputError$/,
  // 64 bytes flipped inside mdat: damage inside one H.264 frame.
  'video-flip-data.mp4': { chromium: /^CorruptInputError$/, deno: /^ok$/ },
  'video-flip-moov.mp4': /^CorruptInputError$/,
  'frames-flip-data.webm': /^CorruptInputError$/,
  'frames-flip-tracks.webm': /^CorruptInputError$/,
  // AV1 has no 1x1 or 2x2 picture in these encoders: refused before decoding.
  'odd-1x1.webm': /^UnsupportedCodecError$/,
  'odd-2x2.webm': /^UnsupportedCodecError$/,
  'odd-321x241.webm': /^ok$/,
  'odd-4095x17.webm': /^ok$/,
  'no-key-first.mp4': /^ok$/,
  'vfr.mp4': /^ok$/,
  'two-video.mp4': /^ok$/,
  // Cut mid-packet: the last H.264 frame is incomplete.
  'ts-trunc-60.ts': { chromium: /^CorruptInputError$/, deno: /^ok$/ },
  // Three ADTS headers declare another sampling rate: damage, named by packet, before any decoding.
  'ts-adts-corrupt.ts': /^CorruptInputError$/,
};

/** The outcome `name` must give in `runtime`; throws for a corpus file with none. */
export function expectedOutcome(name: string, runtime: 'chromium' | 'deno'): RegExp {
  const e = EXPECTED_OUTCOMES[name];
  if (!e) throw new Error(`corpus file ${name} has no expected outcome in EXPECTED_OUTCOMES`);
  return e instanceof RegExp ? e : e[runtime];
}

/** The entries to run: all, or with CORPUS_ONLY=TEXT those whose name contains TEXT (a quick rerun of a few). */
export function selected(entries: CorpusEntry[]): CorpusEntry[] {
  const only = process.env.CORPUS_ONLY;
  return only ? entries.filter((e) => e.name.includes(only)) : entries;
}

/** A small seeded PRNG (mulberry32): the same corpus on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * An MPEG-TS with some ADTS headers damaged: in the audio PID's TS packets, every ADTS header found
 * whole inside one packet (sync 0xFFF1 or 0xFFF9) whose index is in `which` gets its sampling
 * frequency index changed (a valid but different one), so only the header is wrong.
 */
function corruptAdtsHeaders(ts: Uint8Array, audioPid: number, which: Set<number>): Uint8Array {
  const out = ts.slice();
  let n = 0;
  for (let at = 0; at + 188 <= out.length; at += 188) {
    if (out[at] !== 0x47) throw new Error(`no TS sync byte at ${at}`);
    const pid = ((out[at + 1]! & 0x1f) << 8) | out[at + 2]!;
    if (pid !== audioPid) continue;
    const control = (out[at + 3]! >> 4) & 3;
    if (!(control & 1)) continue;
    const start = at + 4 + (control & 2 ? 1 + out[at + 4]! : 0);
    for (let i = start; i + 7 <= at + 188; i++) {
      if (out[i] !== 0xff || (out[i + 1]! & 0xf6) !== 0xf0) continue;
      if (which.has(n++)) out[i + 2] = out[i + 2]! ^ (0b0010 << 2); // sampling_frequency_index bit 1
    }
  }
  return out;
}

/** Byte range [start, end) of the first top-level ISOBMFF box of `type`. */
function mp4Box(bytes: Uint8Array, type: string): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= bytes.length;) {
    const size = view.getUint32(at);
    const name = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (name === type) return [at, at + size];
    if (size < 8) break;
    at += size;
  }
  throw new Error(`no ${type} box`);
}

/** Byte range of the first EBML element with this ID (searched as bytes; IDs are unique enough here). */
function ebmlElement(bytes: Uint8Array, id: number[]): [number, number] {
  for (let at = 0; at + id.length < bytes.length; at++) {
    if (!id.every((b, i) => bytes[at + i] === b)) continue;
    // EBML size: a variable-length integer whose leading zero bits give its length.
    const first = bytes[at + id.length]!;
    const len = Math.clz32(first) - 23;
    if (len < 1 || len > 8) continue;
    let size = first & (0xff >> len);
    for (let i = 1; i < len; i++) size = size * 256 + bytes[at + id.length + i]!;
    const start = at + id.length + len;
    return [at, Math.min(bytes.length, start + size)];
  }
  throw new Error(`no EBML element ${id.map((b) => b.toString(16)).join('')}`);
}

function flip(bytes: Uint8Array, [start, end]: [number, number], count: number, seed: number): Uint8Array {
  const out = bytes.slice();
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const at = start + Math.floor(rand() * (end - start));
    out[at] = out[at]! ^ (1 + Math.floor(rand() * 255));
  }
  return out;
}

export function makeCorpus(dir: string): CorpusEntry[] {
  mkdirSync(dir, { recursive: true });
  const entries: CorpusEntry[] = [];
  const put = (name: string, about: string, bytes: Uint8Array | string) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    entries.push({ name, file, about });
  };
  const made = (name: string, about: string, args: string[]) => {
    const file = join(dir, name);
    ffmpeg([...args, file]);
    entries.push({ name, file, about });
  };

  const mp4 = new Uint8Array(readFileSync(join(MEDIA, 'video.mp4')));
  const webm = new Uint8Array(readFileSync(join(MEDIA, 'frames.webm')));
  for (const pct of [1, 10, 50, 90, 99]) {
    put(`video-trunc-${pct}.mp4`, `video.mp4, first ${pct}% of its bytes`, mp4.subarray(0, Math.floor((mp4.length * pct) / 100)));
    put(`frames-trunc-${pct}.webm`, `frames.webm, first ${pct}% of its bytes`, webm.subarray(0, Math.floor((webm.length * pct) / 100)));
  }
  put('video-flip-data.mp4', 'video.mp4, 64 bytes flipped inside mdat (seed 1)', flip(mp4, mp4Box(mp4, 'mdat'), 64, 1));
  put('video-flip-moov.mp4', 'video.mp4, 16 bytes flipped inside moov (seed 2)', flip(mp4, mp4Box(mp4, 'moov'), 16, 2));
  // Cluster (1F43B675) holds the frames; Tracks (1654AE6B) the codec setup.
  put('frames-flip-data.webm', 'frames.webm, 64 bytes flipped inside its first Cluster (seed 3)', flip(webm, ebmlElement(webm, [0x1f, 0x43, 0xb6, 0x75]), 64, 3));
  put('frames-flip-tracks.webm', 'frames.webm, 8 bytes flipped inside Tracks (seed 4)', flip(webm, ebmlElement(webm, [0x16, 0x54, 0xae, 0x6b]), 8, 4));
  put('empty.mp4', 'an empty file', new Uint8Array(0));
  const rand = prng(5);
  put('random.mp4', '4 KiB of random bytes', Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
  put('text.mp4', 'a text file renamed .mp4', 'This is not a video. '.repeat(100));

  // 16384x16384 declared: frames.webm with its Tracks' PixelWidth (B0) and PixelHeight (BA)
  // rewritten from 1080 (two-byte values 0x0438) to 16384 (0x4000); the VP9 frames stay 1080x1080.
  const huge = webm.slice();
  for (const id of [0xb0, 0xba]) {
    const at = huge.findIndex((b, i) => b === id && huge[i + 1] === 0x82 && huge[i + 2] === 0x04 && huge[i + 3] === 0x38);
    if (at < 0) throw new Error(`frames.webm: no ${id.toString(16)} element of 1080`);
    huge[at + 2] = 0x40;
    huge[at + 3] = 0x00;
  }
  put('huge-16384.webm', 'frames.webm whose Tracks declare 16384x16384', huge);

  const vp9 = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k'];
  for (const [w, h] of [[1, 1], [2, 2], [321, 241], [4095, 17]] as const) {
    made(`odd-${w}x${h}.webm`, `VP9 ${w}x${h}, 1 s (ffmpeg)`, ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=1', '-vf', `scale=${w}:${h}`, '-pix_fmt', 'yuv420p', ...vp9]);
  }
  const gops = join(dir, 'gops.tmp.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-bf', '0', '-pix_fmt', 'yuv420p', gops]);
  made('no-key-first.mp4', 'H.264, key frame every 10, with its first (key) packet dropped (ffmpeg noise bsf)',
    ['-i', gops, '-c', 'copy', '-bsf:v', 'noise=drop=eq(n\\,0)']);
  made('vfr.mp4', 'H.264 at a variable frame rate: 1 s at 25 fps, then 1 s at 10 fps (ffmpeg)',
    ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=50:duration=2', '-vf', "select='if(lt(t,1),not(mod(n,2)),not(mod(n,5)))'",
      '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  // MPEG-TS with ADTS AAC (the source's AAC copied, 2 s at 320x180): cut short, and with damaged ADTS headers.
  const ts = join(dir, 'adts.tmp.ts');
  ffmpeg(['-i', join(MEDIA, 'video.mp4'), '-t', '2', '-vf', 'scale=320:180', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'copy', ts]);
  const tsBytes = new Uint8Array(readFileSync(ts));
  put('ts-trunc-60.ts', 'MPEG-TS (H.264, ADTS AAC), first 60% of its bytes, cut mid-packet', tsBytes.subarray(0, Math.floor(tsBytes.length * 0.6) + 100));
  put('ts-adts-corrupt.ts', 'MPEG-TS (H.264, ADTS AAC) with 3 ADTS headers declaring another sampling rate', corruptAdtsHeaders(tsBytes, 0x101, new Set([10, 40, 70])));
  made('audio-only.m4a', 'AAC audio only (ffmpeg)', ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac']);
  made('two-video.mp4', 'two H.264 tracks: 320x240 then 160x120 (ffmpeg)',
    ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=1', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=1',
      '-map', '0:v', '-map', '1:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']);
  return entries;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx tests/corpus/make.ts DIR');
    process.exit(2);
  }
  for (const e of makeCorpus(dir)) console.log(`${e.name}\t${e.about}`);
}

// Short sources with unusual audio, made with ffmpeg from ../shared/media for the audio acceptance
// tests (tests/browser-audio-sources.test.ts, tests/deno-audio-sources.test.ts): 2 s, 320x180
// H.264, and AAC in MPEG-TS (ADTS: stereo, 5.1, CRC-protected), MP3 in MPEG-TS, FLAC in Matroska,
// AC-3 in MP4. Also the independent facts the tests compare the outputs with.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA, decodedAudioSeconds, ffprobe } from './media.ts';

export const SOURCE_SECONDS = 2;
export const SOURCE_FPS = 25;

export type AudioSourceName = 'aac-stereo.ts' | 'aac-51.ts' | 'aac-crc.ts' | 'mp3.ts' | 'flac.mkv' | 'ac3.mp4' | 'silent.mp4';

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

const VIDEO = ['-vf', `scale=320:180,fps=${SOURCE_FPS}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25'];

/** Makes `name` in `dir` (once) and returns its path. */
export function makeAudioSource(dir: string, name: AudioSourceName): string {
  const file = join(dir, name);
  if (existsSync(file)) return file;
  const from = (media: string, audio: string[], extra: string[] = []) =>
    ffmpeg(['-i', join(MEDIA, media), '-t', String(SOURCE_SECONDS), ...VIDEO, ...audio, ...extra, file]);
  switch (name) {
    // The source's own AAC, copied: ffmpeg's MPEG-TS muxer wraps each frame in an ADTS header.
    case 'aac-stereo.ts': from('video.mp4', ['-c:a', 'copy']); break;
    // rotate-buck-bunny.mp4's 5.1 AAC under video.mp4's picture: its own video starts 83 ms after
    // its audio, and the engine leaves out audio from before the first video frame.
    case 'aac-51.ts':
      ffmpeg(['-i', join(MEDIA, 'video.mp4'), '-i', join(MEDIA, 'rotate-buck-bunny.mp4'), '-t', String(SOURCE_SECONDS), '-map', '0:v', '-map', '1:a', ...VIDEO, '-c:a', 'copy', file]);
      break;
    case 'mp3.ts': from('video.mp4', ['-c:a', 'libmp3lame', '-b:a', '128k']); break;
    case 'flac.mkv': from('video.mp4', ['-c:a', 'flac']); break;
    case 'ac3.mp4': from('video.mp4', ['-c:a', 'ac3', '-b:a', '192k']); break;
    case 'silent.mp4': from('video.mp4', ['-an']); break;
    case 'aac-crc.ts': {
      // ffmpeg writes no CRC, so each ADTS header of a copied stream is rewritten with one
      // (protection_absent = 0, two CRC bytes, frame_length + 2), then muxed back with the video.
      const adts = join(dir, 'aac-crc.aac');
      const video = join(dir, 'aac-crc.h264.ts');
      ffmpeg(['-i', join(MEDIA, 'video.mp4'), '-t', String(SOURCE_SECONDS), '-vn', '-c:a', 'copy', '-f', 'adts', adts]);
      writeFileSync(adts, withCrc(readFileSync(adts)));
      ffmpeg(['-i', join(MEDIA, 'video.mp4'), '-t', String(SOURCE_SECONDS), ...VIDEO, '-an', video]);
      ffmpeg(['-i', video, '-i', adts, '-map', '0:v', '-map', '1:a', '-c', 'copy', file]);
      break;
    }
  }
  return file;
}

/** An ADTS stream with a (made-up) CRC after every header. */
function withCrc(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at + 7 <= src.length;) {
    if (src[at] !== 0xff || (src[at + 1]! & 0xf6) !== 0xf0) throw new Error(`no ADTS sync at ${at}`);
    const length = ((src[at + 3]! & 3) << 11) | (src[at + 4]! << 3) | (src[at + 5]! >> 5);
    const header = [...src.subarray(at, at + 7)];
    const protectionAbsent = header[1]! & 1;
    if (!protectionAbsent) throw new Error('already has a CRC');
    const newLength = length + 2;
    header[1] = header[1]! & 0xfe;
    header[3] = (header[3]! & 0xfc) | (newLength >> 11);
    header[4] = (newLength >> 3) & 0xff;
    header[5] = (header[5]! & 0x1f) | ((newLength & 7) << 5);
    out.push(...header, 0x12, 0x34, ...src.subarray(at + 7, at + length));
    at += length;
  }
  return new Uint8Array(out);
}

/**
 * The source's AAC frames as ffmpeg's aac_adtstoasc takes them out of their ADTS headers: one
 * "size,md5" line per frame (ffmpeg's framemd5 of the stream copied to MP4).
 */
export function adtsPayloads(dir: string, source: string): string[] {
  const m4a = join(dir, `${source.split('/').pop()}.payload.m4a`);
  ffmpeg(['-i', source, '-map', '0:a:0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', m4a]);
  return packetHashes(m4a);
}

/** "size,md5" per packet of the first audio stream, in order (ffmpeg's framemd5, stream copy). */
export function packetHashes(file: string): string[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`framemd5 failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split(',').map((s) => s.trim());
    return `${f[4]},${f[5]}`; // stream, dts, pts, duration, size, md5
  });
}

/** The sum of the sizes in packetHashes() lines. */
export function totalBytes(lines: string[]): number {
  return lines.reduce((n, l) => n + Number(l.split(',')[0]), 0);
}

/** The output file whose audio is checked: the rung's MP4, or the HLS audio rendition's playlist. */
export function audioOutput(out: string, format: 'mp4' | 'hls', label: number): string {
  return format === 'mp4' ? join(out, `${label}p.mp4`) : join(out, 'audio', 'audio.m3u8');
}

/**
 * Checks an output's audio against its source with ffmpeg and ffprobe: the decoded duration and
 * the container's duration within 50 ms of the source's decoded duration, the codec, and for AAC
 * from ADTS every frame bit-exact (which makes the payload sums equal too). Returns a line to log.
 */
export function checkAudioAgainstSource(opts: { dir: string; source: string; output: string; codec: 'aac' | 'opus'; bitExact: boolean }): string {
  const { source, output } = opts;
  const expected = decodedAudioSeconds(source);
  const decoded = decodedAudioSeconds(output);
  const probe = ffprobe(output);
  const stream = probe.streams.find((s) => s.codec_type === 'audio');
  if (!stream) throw new Error(`${output}: no audio stream`);
  if (stream.codec_name !== opts.codec) throw new Error(`${output}: audio is ${stream.codec_name}, expected ${opts.codec}`);
  const probed = Number(stream.duration ?? probe.format.duration);
  for (const [what, s] of [['decoded (ffmpeg)', decoded], ['container (ffprobe)', probed]] as const) {
    if (!(Math.abs(s - expected) <= 0.05)) throw new Error(`${output}: ${what} audio duration ${s} s vs the source's ${expected} s`);
  }
  let exact = '';
  if (opts.bitExact) {
    const want = adtsPayloads(opts.dir, source);
    const got = packetHashes(output);
    if (totalBytes(got) !== totalBytes(want)) throw new Error(`${output}: AAC sample bytes ${totalBytes(got)} vs ADTS payload bytes ${totalBytes(want)}`);
    const first = got.findIndex((l, i) => l !== want[i]);
    if (got.length !== want.length || first >= 0) throw new Error(`${output}: ${got.length} AAC frames vs ${want.length} in the source; first difference at frame ${first}`);
    exact = `, ${got.length} frames / ${totalBytes(got)} bytes bit-exact`;
  }
  return `${source.split('/').pop()} → ${output.split('/').slice(-2).join('/')}: ${stream.codec_name} ${stream.channels ?? '?'} ch, decoded ${decoded.toFixed(3)} s, ffprobe ${probed.toFixed(3)} s (source ${expected.toFixed(3)} s)${exact}`;
}

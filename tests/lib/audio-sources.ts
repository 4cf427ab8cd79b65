// Short sources with unusual audio, made with ffmpeg from ../shared/media for the audio acceptance
// tests (tests/browser-audio-sources.test.ts, tests/deno-audio-sources.test.ts): 2 s, 320x180
// H.264, and AAC in MPEG-TS (ADTS: stereo, 5.1, CRC-protected), MP3 in MPEG-TS, FLAC in Matroska,
// AC-3 in MP4. Also the independent facts the tests compare the outputs with.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA } from './media.ts';

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
    case 'aac-51.ts': from('rotate-buck-bunny.mp4', ['-c:a', 'copy']); break;
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

// Independent verification of outputs with tools nobody here wrote: ffprobe for stream facts,
// ffmpeg's libdav1d decoder for frame counts, and ffmpeg's psnr filter for quality.
import { execFileSync, spawnSync } from 'node:child_process';

export const MEDIA = new URL('../../../shared/media/', import.meta.url).pathname;

export interface ProbeStream {
  index: number;
  codec_type: string;
  codec_name: string;
  profile?: string;
  channels?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  color_range?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  r_frame_rate?: string;
  sample_aspect_ratio?: string;
  side_data_list?: Array<{ rotation?: number }>;
}

export interface Probe {
  streams: ProbeStream[];
  format: { duration?: string; format_name: string; size: string };
}

export function ffprobe(file: string, extra: string[] = []): Probe {
  const out = execFileSync('ffprobe', ['-v', 'error', ...extra, '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' });
  return JSON.parse(out) as Probe;
}

/** Number of video packets in a file, as ffprobe counts them. */
export function sourceFrameCount(file: string): number {
  const p = ffprobe(file, ['-count_packets', '-select_streams', 'v:0']);
  return Number(p.streams[0]?.nb_read_packets);
}

/** Decodes the first video stream with libdav1d; returns the frame count, throws on any decode error. */
export function dav1dFrameCount(file: string): number {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-c:v', 'libdav1d', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`libdav1d failed on ${file}: ${r.stderr}`);
  if (r.stderr.trim()) throw new Error(`libdav1d reported errors on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length;
}

/**
 * Y/U/V-average PSNR of an AV1 output against the source scaled by ffmpeg (Lanczos) to the same
 * size, both brought to limited range first (the source may be full range). ffmpeg applies the
 * source's rotation itself, and scaling to W:H applies its sample aspect ratio.
 */
export function psnrAgainstSource(output: string, source: string, width: number, height: number): number {
  return psnrPlanesAgainstSource(output, source, width, height).average;
}

/** PSNR per plane (and ffmpeg's plane-size-weighted average) of `output` against the source scaled by ffmpeg. */
export function psnrPlanesAgainstSource(output: string, source: string, width: number, height: number): { y: number; u: number; v: number; average: number } {
  // psnr pairs frames by timestamp; outputs start at 0 where a source may not, and containers round
  // timestamps differently (WebM to ms). Frame counts are checked on their own, so pair by index.
  const byIndex = 'setpts=N/(100*TB)';
  const graph = `[1:v]${byIndex},scale=${width}:${height}:flags=lanczos:out_range=tv,format=yuv420p,setsar=1[r];` +
    `[0:v]${byIndex},scale=out_range=tv,format=yuv420p,setsar=1[o];[o][r]psnr`;
  const r = spawnSync('ffmpeg', ['-v', 'info', '-nostats', '-c:v', 'libdav1d', '-i', output, '-i', source, '-lavfi', graph, '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /PSNR y:([\d.]+|inf) u:([\d.]+|inf) v:([\d.]+|inf) average:([\d.]+|inf)/.exec(r.stderr);
  if (!m) throw new Error(`no PSNR in ffmpeg output: ${r.stderr.slice(-2000)}`);
  const num = (x: string) => (x === 'inf' ? Infinity : Number(x));
  return { y: num(m[1]!), u: num(m[2]!), v: num(m[3]!), average: num(m[4]!) };
}

/** Decodes the first audio stream with ffmpeg; returns its decoded duration in seconds, throws on any decode error. */
export function decodedAudioSeconds(file: string): number {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 'null', '-', '-progress', 'pipe:1'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode the audio of ${file}: ${r.stderr}`);
  if (r.stderr.trim()) throw new Error(`ffmpeg reported audio decode errors on ${file}: ${r.stderr}`);
  const us = Number([...r.stdout.matchAll(/out_time_us=(\d+)/g)].at(-1)?.[1]);
  if (!Number.isFinite(us)) throw new Error(`ffmpeg gave no audio duration for ${file}`);
  return us / 1e6;
}

/** Mean volume of the first audio stream in dBFS (ffmpeg's volumedetect); -91 is digital silence. */
export function audioMeanVolumeDb(file: string): number {
  const r = spawnSync('ffmpeg', ['-v', 'info', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /mean_volume: (-?[\d.]+) dB/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`volumedetect failed on ${file}: ${r.stderr.slice(-1000)}`);
  return Number(m[1]);
}

/** Bit rate of the first video stream alone (the sum of its packet sizes, no audio or container), in kbit/s. */
export function videoKbps(file: string, seconds: number): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const bytes = out.split('\n').reduce((n, l) => n + (Number(l.split(',')[0]) || 0), 0);
  return (bytes * 8) / seconds / 1000;
}

export interface FfmpegQuality {
  /** psnr filter: luma, and 'average' (Y, U, V weighted by plane size). */
  psnrY: number;
  psnr: number;
  /** ssim filter: luma. */
  ssim: number;
}

/**
 * ffmpeg's psnr and ssim filters on an AV1 output (libdav1d) against the source scaled by ffmpeg to
 * its size (Lanczos, accurate rounding, limited range), frames paired by index on both inputs.
 */
export function qualityAgainstSource(output: string, source: string, width: number, height: number): FfmpegQuality {
  const byIndex = 'setpts=N/(100*TB)';
  const graph = `[1:v]${byIndex},scale=${width}:${height}:flags=lanczos+accurate_rnd:out_range=tv,format=yuv420p,setsar=1,split[r1][r2];` +
    `[0:v]${byIndex},scale=out_range=tv,format=yuv420p,setsar=1,split[o1][o2];[o1][r1]psnr;[o2][r2]ssim`;
  const r = spawnSync('ffmpeg', ['-v', 'info', '-nostats', '-c:v', 'libdav1d', '-i', output, '-i', source, '-lavfi', graph, '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const p = /PSNR y:([\d.]+) u:[\d.]+ v:[\d.]+ average:([\d.]+)/.exec(r.stderr);
  const s = /SSIM Y:([\d.]+)/.exec(r.stderr);
  if (!p || !s) throw new Error(`no PSNR/SSIM in ffmpeg output: ${r.stderr.slice(-2000)}`);
  return { psnrY: Number(p[1]), psnr: Number(p[2]), ssim: Number(s[1]) };
}

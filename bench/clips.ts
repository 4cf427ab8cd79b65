// Clips the benches make for themselves from ../shared/media with ffmpeg (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * 1080p at 30 fps, H.264 High with B-frames (3 between references, GOP 2 s), 10 s long, with the
 * source's AAC audio: video.mp4 (5 s at 25 fps) played twice and resampled to 30 fps. Made once
 * per folder.
 */
export function bFramesClip(media: string, dir: string): string {
  const out = join(dir, 'bframes-1080p30.mp4');
  if (existsSync(out) && statSync(out).size > 0) return out;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-stream_loop', '1', '-i', join(media, 'video.mp4'),
    '-vf', 'fps=30,scale=1920:1080', '-t', '10',
    '-c:v', 'libx264', '-profile:v', 'high', '-preset', 'fast', '-crf', '18', '-bf', '3', '-g', '60', '-pix_fmt', 'yuvj420p',
    '-c:a', 'aac', '-b:a', '128k', out,
  ]);
  return out;
}

// Acceptance (issue 14, bitrate accuracy): each rung's video bitrate — video packets only, by
// ffprobe — lands within ±10% of the asked bitrate, in Chromium and in Deno, on video.mp4 and on two
// clips of other complexity made here from the shared media: a nearly static one (a slow pan over
// a still frame) and a high-motion one at 30 fps (video.mp4 at 3× speed under a fast pan). Every run
// prints its table: asked, achieved, and per chunk the target the rate loop set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, runDenoCli, tempDir } from './lib/cli.ts';
import type { CliRung, CliSummary } from './lib/cli.ts';
import { MEDIA, ffprobe, videoKbps } from './lib/media.ts';

const TOLERANCE = 0.1;
const dir = tempDir('bitrate');

function make(name: string, args: string[]): string {
  const file = join(dir, `${name}.mp4`);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args, '-c:v', 'libx264', '-crf', '14', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-an', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return file;
}

/**
 * A still frame of Big Buck Bunny (sky, cloud and foliage; turned upright) with a camera's
 * faint temporal noise, panned 40 px/s under a 720p window: 6 s at 30 fps (three 2 s chunks per rung). (A flat-coloured still
 * with heavy noise was tried first: the encoders' output then barely follows the target — Chromium's
 * first 2 s made ~950 kbit/s at targets of 2.2 and 5 Mbit/s — because the noise is either coded or
 * dropped; no rate control can hold such content to ±10%.)
 */
const staticClip = () => make('static', ['-i', join(MEDIA, 'rotate-buck-bunny.mp4'), '-vf', "select=eq(n\\,40),transpose=2,loop=-1:1,fps=30,crop=1280:720:x='640-min(t*40\\,600)':y=360,noise=alls=2:allf=t", '-t', '6', '-r', '30']);
/** video.mp4 at 3× speed under a 900 px/s pan: 6 s of 720p at 30 fps where most pixels move far each frame. */
const motionClip = () => make('motion', ['-stream_loop', '3', '-i', join(MEDIA, 'video.mp4'), '-vf', "setpts=PTS/3,fps=30,crop=1280:720:x='mod(t*900\\,640)':y=180", '-t', '6', '-r', '30']);

function durationOf(file: string): number {
  const v = ffprobe(file).streams.find((s) => s.codec_type === 'video')!;
  return Number(v.duration);
}

/** Prints the rung table (per chunk: came out / target or quantizer (aim)) and checks every rung within ±10% of its asked rate. */
function checkRates(title: string, summary: CliSummary, sourceSeconds: number): void {
  const rows = summary.rungs.map((r: CliRung) => {
    const kbps = videoKbps(r.file, sourceSeconds);
    return { r, kbps, ratio: kbps * 1000 / r.bitrate };
  });
  console.log(`${title}\n  rung   asked kbit/s  video kbit/s (ffprobe)  ratio   chunks: came out / target kbit/s or qQUANTIZER (aim), attempts`);
  for (const { r, kbps, ratio } of rows) {
    const chunks = r.chunks.map((c) => `${Math.round(c.bytes * 8 / c.seconds / 1000)}/${c.quantizer !== null ? `q${c.quantizer}` : Math.round(c.targetBitrate / 1000)}(${Math.round(c.aimBitrate / 1000)})${c.attempts > 1 ? `×${c.attempts}` : ''}`).join(' ');
    console.log(`  ${`${r.label}p`.padEnd(6)} ${(r.bitrate / 1000).toFixed(0).padStart(12)}  ${kbps.toFixed(0).padStart(22)}  ${ratio.toFixed(3)}   ${chunks}`);
  }
  for (const { r, ratio } of rows) {
    assert.ok(Math.abs(ratio - 1) <= TOLERANCE, `${title}: ${r.label}p at ${ratio.toFixed(3)}× its asked ${r.bitrate} bit/s`);
  }
}

const RUNTIMES = [
  { name: 'Chromium', run: runCli },
  { name: 'Deno', run: runDenoCli },
];

describe('bitrate accuracy: every rung within ±10% of the asked rate', () => {
  let clips: Array<{ name: string; file: string }>;
  before(() => {
    clips = [{ name: 'nearly static', file: staticClip() }, { name: 'high motion', file: motionClip() }];
  });

  for (const rt of RUNTIMES) {
    it(`${rt.name}: nearly static and high-motion 720p30 clips, default ladder, 2 leases`, async () => {
      for (const clip of clips) {
        const out = join(dir, `${rt.name}-${clip.name.replace(' ', '-')}`);
        const r = await rt.run([clip.file, '--out', out, '--leases', '2']);
        assert.equal(r.code, 0, r.stderr.slice(-3000));
        assert.ok(r.summary);
        // Chromium's software AV1 stops spending at ~48 dB on the still clip whatever the target
        // (~290 kbit/s for 2212 asked at 720p): the rate loop finds it saturated and holds those
        // rungs by quantizer (chunks marked qN in the table).
        checkRates(`${rt.name}, ${clip.name} (${clip.file})`, r.summary, durationOf(clip.file));
      }
    });
  }

  for (const rt of RUNTIMES) {
    it(`${rt.name}: video.mp4, the default ladder (1080/720/480/360) with the default leases`, async () => {
      const src = join(MEDIA, 'video.mp4');
      const r = await rt.run([src, '--out', join(dir, `${rt.name}-video`)]);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      checkRates(`${rt.name}, video.mp4, default ladder`, r.summary!, durationOf(src));
    });
  }
});

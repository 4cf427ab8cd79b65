// Acceptance for qualityReport (issue 14 item 5): video.mp4 → 720p and 360p with --quality-report
// in both CLIs (Chromium through the harness, Deno through node-av). The engine's per-rung PSNR
// (average and Y) and SSIM (Y) must be within 0.3 dB and 0.01 of ffmpeg's psnr and ssim filters,
// which compare the same output against the source scaled by ffmpeg (Lanczos), frames paired by
// index. The engine compares against its own scaled frames, so the difference includes the two
// scalers' difference. Every frame is compared, per chunk too, and no VideoFrame is left open.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, runDenoCli, tempDir } from './lib/cli.ts';
import { MEDIA, qualityAgainstSource } from './lib/media.ts';
import type { FfmpegQuality } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');

interface Quality { psnr: number; psnrY: number; ssim: number; frames: number }
interface Rung { label: number; width: number; height: number; frames: number; file: string; quality?: Quality; chunks: Array<{ index: number; frames?: number; quality?: Quality }> }
interface Summary { rungs: Rung[]; openFrames: number; wallMs: number }

/** Compares every rung's reported figures with ffmpeg's, printing both. */
function checkAgainstFfmpeg(runtime: string, summary: Summary): void {
  const rows: string[] = [];
  for (const r of summary.rungs) {
    const q = r.quality;
    assert.ok(q, `${runtime} ${r.label}p: result has no quality figures`);
    const f: FfmpegQuality = qualityAgainstSource(r.file, SOURCE, r.width, r.height);
    rows.push(`${runtime} ${r.label}p: engine PSNR ${q.psnr} (Y ${q.psnrY}) SSIM ${q.ssim} | ffmpeg PSNR ${f.psnr} (Y ${f.psnrY}) SSIM ${f.ssim} | Δ ${(q.psnr - f.psnr).toFixed(3)} dB, Y ${(q.psnrY - f.psnrY).toFixed(3)} dB, SSIM ${(q.ssim - f.ssim).toFixed(5)}`);
    console.log(rows.at(-1));
    assert.ok(Math.abs(q.psnr - f.psnr) <= 0.3, `${runtime} ${r.label}p: PSNR ${q.psnr} vs ffmpeg average ${f.psnr}`);
    assert.ok(Math.abs(q.psnrY - f.psnrY) <= 0.3, `${runtime} ${r.label}p: PSNR Y ${q.psnrY} vs ffmpeg y ${f.psnrY}`);
    assert.ok(Math.abs(q.ssim - f.ssim) <= 0.01, `${runtime} ${r.label}p: SSIM ${q.ssim} vs ffmpeg Y ${f.ssim}`);
  }
}

/** Every frame compared, per rung and per chunk; chunk figures bracket the rung's. */
function checkCoverage(runtime: string, summary: Summary): void {
  assert.equal(summary.openFrames, 0, `${runtime}: no VideoFrame left open`);
  for (const r of summary.rungs) {
    assert.equal(r.quality?.frames, 125, `${runtime} ${r.label}p: every frame compared`);
    assert.equal(r.chunks.reduce((n, c) => n + (c.quality?.frames ?? 0), 0), 125, `${runtime} ${r.label}p: chunk figures cover every frame`);
    const psnrs = r.chunks.map((c) => c.quality!.psnr);
    assert.ok(Math.min(...psnrs) - 1e-3 <= r.quality!.psnr && r.quality!.psnr <= Math.max(...psnrs) + 1e-3, `${runtime} ${r.label}p: rung PSNR ${r.quality!.psnr} lies within its chunks' ${psnrs.join(', ')}`);
    assert.ok(r.quality!.psnr > 30 && r.quality!.ssim > 0.9 && r.quality!.ssim <= 1, `${runtime} ${r.label}p: plausible figures ${JSON.stringify(r.quality)}`);
  }
}

describe('qualityReport under Deno: video.mp4 → 720p, 360p (deno task transcode --quality-report)', () => {
  let summary: Summary;
  before(async () => {
    const out = tempDir('quality-deno');
    const r = await runDenoCli([SOURCE, '--out', out, '--ladder', '720,360', '--quality-report']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.ok(r.summary, 'a JSON summary line');
    summary = r.summary;
    console.log(`deno wall ${summary.wallMs} ms; ${r.stderr.split('\n').filter((l) => l.startsWith('quality')).join('; ')}`);
  });

  it('reports every frame per rung and per chunk, and closes every decoded frame', () => checkCoverage('deno', summary));
  it('PSNR (average, Y) within 0.3 dB and SSIM within 0.01 of ffmpeg\'s psnr/ssim filters', () => checkAgainstFfmpeg('deno', summary));
});

describe('qualityReport in Chromium: video.mp4 → 720p, 360p (browser CLI --quality-report)', () => {
  let summary: Summary;
  before(async () => {
    const out = tempDir('quality-browser');
    const r = await runCli([SOURCE, '--out', out, '--ladder', '720,360', '--leases', '2', '--quality-report']);
    assert.equal(r.code, 0, `CLI failed: ${r.stderr.slice(-3000)}`);
    assert.ok(r.summary, 'a JSON summary line');
    summary = r.summary as unknown as Summary;
    console.log(`chromium wall ${summary.wallMs} ms; ${r.stderr.split('\n').filter((l) => l.startsWith('quality')).join('; ')}`);
  });

  it('reports every frame per rung and per chunk, and closes every decoded frame', () => checkCoverage('chromium', summary));
  it('PSNR (average, Y) within 0.3 dB and SSIM within 0.01 of ffmpeg\'s psnr/ssim filters', () => checkAgainstFfmpeg('chromium', summary));
});

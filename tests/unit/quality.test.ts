// The quality report's arithmetic (src/quality/figures.ts) without a GPU (the WGSL comparison:
// tests/deno/quality.test.ts; the report end to end: quality-report.test.ts): PSNR as ffmpeg's psnr
// filter computes it (Y alone, and Y+U+V weighted by plane size), SSIM as the window mean, and the
// sums of chunks adding up to a rung's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addFrame, addSums, emptySums, figures } from '../../src/quality/figures.ts';

describe('quality figures', () => {
  it('PSNR from squared errors: 10·log10(255² · samples / SSE), rounded to 3 decimals', () => {
    const s = emptySums();
    // 16x16 I420: 256 luma, 64 + 64 chroma samples. Luma MSE 1, chroma MSE 4.
    addFrame(s, { sse: [256, 256, 256], ssimSum: 9 * 0.9, windows: 9 }, 16, 16);
    const f = figures(s);
    assert.equal(f.psnrY, Number((10 * Math.log10(255 * 255)).toFixed(3)));
    assert.equal(f.psnrY, 48.131);
    assert.equal(f.psnr, Number((10 * Math.log10((255 * 255 * 384) / 768)).toFixed(3)));
    assert.equal(f.ssim, 0.9);
    assert.equal(f.frames, 1);
  });

  it('identical pictures: Infinity; nothing compared: NaN', () => {
    const s = emptySums();
    addFrame(s, { sse: [0, 0, 0], ssimSum: 4, windows: 4 }, 8, 8);
    assert.equal(figures(s).psnr, Number.POSITIVE_INFINITY);
    assert.equal(figures(s).ssim, 1);
    const none = figures(emptySums());
    assert.ok(Number.isNaN(none.psnr) && Number.isNaN(none.psnrY) && Number.isNaN(none.ssim));
  });

  it('chunk sums add up to the same figures as one run over all frames', () => {
    const frames = [[100, 30, 20], [400, 10, 90], [0, 5, 5], [2500, 400, 300]] as const;
    const all = emptySums();
    const a = emptySums();
    const b = emptySums();
    frames.forEach((sse, i) => {
      const f = { sse: [sse[0], sse[1], sse[2]] as [number, number, number], ssimSum: 0.5 + i, windows: 2 };
      addFrame(all, f, 32, 16);
      addFrame(i < 2 ? a : b, f, 32, 16);
    });
    const rung = emptySums();
    addSums(rung, a);
    addSums(rung, b);
    assert.deepEqual(rung, all);
    assert.deepEqual(all.samples, [4 * 512, 4 * 128, 4 * 128]);
    assert.equal(figures(all).ssim, Number(((0.5 + 1.5 + 2.5 + 3.5) / 8).toFixed(5)));
  });
});

// Turns summed comparisons into the figures ffmpeg's filters print. PSNR: 10·log10(255² / MSE),
// where psnrY's MSE is luma's and psnr's is over Y, U and V weighted by plane size (4:1:1 for
// 4:2:0, ffmpeg psnr's 'average'; ffmpeg averages the frames' MSE, which for equal-sized frames is
// the total squared error over the total samples). SSIM: the mean over every 8x8 luma window of
// every frame (ffmpeg ssim's 'Y'; again equal to its mean of per-frame means).
import type { QualityFigures } from '../types/mod.ts';
import type { FrameSums } from './compare.ts';

/** Running sums of a chunk or a rung. */
export interface QualitySums {
  frames: number;
  sse: [number, number, number];
  /** Samples per plane, summed over frames. */
  samples: [number, number, number];
  ssimSum: number;
  windows: number;
}

export function emptySums(): QualitySums {
  return { frames: 0, sse: [0, 0, 0], samples: [0, 0, 0], ssimSum: 0, windows: 0 };
}

/** Adds one frame of width x height (I420) to `into`. */
export function addFrame(into: QualitySums, f: FrameSums, width: number, height: number): void {
  const c = (width / 2) * (height / 2);
  into.frames++;
  for (let p = 0; p < 3; p++) into.sse[p]! += f.sse[p]!;
  into.samples[0] += width * height;
  into.samples[1] += c;
  into.samples[2] += c;
  into.ssimSum += f.ssimSum;
  into.windows += f.windows;
}

export function addSums(into: QualitySums, s: QualitySums): void {
  into.frames += s.frames;
  for (let p = 0; p < 3; p++) {
    into.sse[p]! += s.sse[p]!;
    into.samples[p]! += s.samples[p]!;
  }
  into.ssimSum += s.ssimSum;
  into.windows += s.windows;
}

function psnr(sse: number, samples: number): number {
  if (samples === 0) return Number.NaN;
  return sse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255 * samples) / sse);
}

const round = (n: number, digits: number) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

/** PSNR in dB to 3 decimals (Infinity for identical pictures), SSIM to 5; NaN where nothing was compared. */
export function figures(s: QualitySums): QualityFigures {
  const [y, u, v] = s.sse;
  const [ny, nu, nv] = s.samples;
  return {
    psnr: round(psnr(y + u + v, ny + nu + nv), 3),
    psnrY: round(psnr(y, ny), 3),
    ssim: round(s.windows > 0 ? s.ssimSum / s.windows : Number.NaN, 5),
    frames: s.frames,
  };
}

// Turns a requested ladder into concrete rungs: even output sizes that keep the source's display
// aspect ratio, bitrates, and the AV1 codec string (level from size and frame rate).
import { av1CodecStringFor } from '../av1/level.ts';
import type { QualityLevel, RungPlan, RungSpec } from '../types/mod.ts';

export type { RungPlan } from '../types/mod.ts';

export const DEFAULT_LADDER: readonly number[] = [1080, 720, 480, 360];

/** Bits per pixel per frame at the default bitrates; 0.08 is a mid-quality AV1 target. */
const DEFAULT_BITS_PER_PIXEL = 0.08;

/** The AV1 quantizer (0 best … 63) of each named quality level. */
export const QUALITY_QUANTIZERS: Readonly<Record<QualityLevel, number>> = { high: 24, medium: 32, low: 42 };

/** `quality` (a level, or a quantizer per rung) folded into the ladder's rung specs. */
export function withQuality(ladder: ReadonlyArray<number | RungSpec>, quality: QualityLevel | ReadonlyArray<number> | undefined): Array<number | RungSpec> {
  if (quality === undefined) return [...ladder];
  return ladder.map((r, i) => {
    const spec = typeof r === 'number' ? { height: r } : { ...r };
    const quantizer = typeof quality === 'string' ? QUALITY_QUANTIZERS[quality] : quality[i];
    return quantizer === undefined ? spec : { ...spec, quantizer };
  });
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * The rounding rule: the rung's short side is the requested size rounded down to even; the long
 * side is display long × short ÷ display short, rounded to the nearest even number. Rungs larger
 * than the source's short side are dropped unless `upscale`; if that drops every rung, one rung at
 * the source's short side (rounded down to even) remains.
 */
export function planLadder(
  displayWidth: number,
  displayHeight: number,
  frameRate: number,
  ladder: ReadonlyArray<number | RungSpec>,
  upscale = false,
): RungPlan[] {
  const portrait = displayHeight > displayWidth;
  const short = Math.min(displayWidth, displayHeight);
  const long = Math.max(displayWidth, displayHeight);
  const specs = ladder.map((r) => (typeof r === 'number' ? { height: r } : r));
  let kept = specs.filter((r) => upscale || r.height <= short);
  if (kept.length === 0) kept = [{ height: short }];
  const seen = new Set<number>();
  const plans: RungPlan[] = [];
  for (const spec of kept) {
    const s = Math.max(2, Math.floor(spec.height / 2) * 2);
    if (seen.has(s)) continue;
    seen.add(s);
    const l = even((long * s) / short);
    const width = portrait ? s : l;
    const height = portrait ? l : s;
    const quantizer = spec.quantizer ?? null;
    const bitrate = quantizer !== null ? 0 : spec.bitrate ?? defaultBitrate(width, height, frameRate);
    plans.push({ label: s, width, height, bitrate, quantizer, codec: av1CodecStringFor({ width, height, frameRate }) });
  }
  return plans.sort((a, b) => b.width * b.height - a.width * a.height);
}

export function defaultBitrate(width: number, height: number, frameRate: number): number {
  const fps = Math.min(Math.max(frameRate, 1), 60);
  return Math.round((width * height * fps * DEFAULT_BITS_PER_PIXEL) / 1000) * 1000;
}

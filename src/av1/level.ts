// AV1 levels (spec Annex A.3) and the codecs string a rung asks its encoder for.

interface LevelLimits { idx: number; maxPicSize: number; maxH: number; maxV: number; maxDisplayRate: number }

// seq_level_idx, MaxPicSize, MaxHSize, MaxVSize, MaxDisplayRate (luma samples/s). 2.2, 2.3,
// 3.2, 3.3, 4.2 and 4.3 are undefined in the spec and skipped.
const LEVELS: readonly LevelLimits[] = [
  { idx: 0, maxPicSize: 147456, maxH: 2048, maxV: 1152, maxDisplayRate: 4423680 },
  { idx: 1, maxPicSize: 278784, maxH: 2816, maxV: 1584, maxDisplayRate: 8363520 },
  { idx: 4, maxPicSize: 665856, maxH: 4352, maxV: 2448, maxDisplayRate: 19975680 },
  { idx: 5, maxPicSize: 1065024, maxH: 5504, maxV: 3096, maxDisplayRate: 31950720 },
  { idx: 8, maxPicSize: 2359296, maxH: 6144, maxV: 3456, maxDisplayRate: 70778880 },
  { idx: 9, maxPicSize: 2359296, maxH: 6144, maxV: 3456, maxDisplayRate: 141557760 },
  { idx: 12, maxPicSize: 8912896, maxH: 8192, maxV: 4352, maxDisplayRate: 267386880 },
  { idx: 13, maxPicSize: 8912896, maxH: 8192, maxV: 4352, maxDisplayRate: 534773760 },
  { idx: 14, maxPicSize: 8912896, maxH: 8192, maxV: 4352, maxDisplayRate: 1069547520 },
  { idx: 15, maxPicSize: 8912896, maxH: 8192, maxV: 4352, maxDisplayRate: 1069547520 },
  { idx: 16, maxPicSize: 35651584, maxH: 16384, maxV: 8704, maxDisplayRate: 1069547520 },
  { idx: 17, maxPicSize: 35651584, maxH: 16384, maxV: 8704, maxDisplayRate: 2139095040 },
  { idx: 18, maxPicSize: 35651584, maxH: 16384, maxV: 8704, maxDisplayRate: 4278190080 },
  { idx: 19, maxPicSize: 35651584, maxH: 16384, maxV: 8704, maxDisplayRate: 4278190080 },
];

/** The smallest level whose limits admit the picture size and rate; 31 (no limit) beyond 6.3. */
export function levelFor(width: number, height: number, frameRate: number): number {
  const pic = width * height;
  const rate = pic * frameRate;
  for (const l of LEVELS) {
    if (pic <= l.maxPicSize && width <= l.maxH && height <= l.maxV && rate <= l.maxDisplayRate) return l.idx;
  }
  return 31;
}

export function av1CodecStringFor(o: { width: number; height: number; frameRate: number; bitDepth?: 8 | 10; profile?: 0 }): string {
  const level = levelFor(o.width, o.height, o.frameRate);
  return `av01.${o.profile ?? 0}.${String(level).padStart(2, '0')}M.${String(o.bitDepth ?? 8).padStart(2, '0')}`;
}

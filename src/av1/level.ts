// AV1 levels (spec Annex A.3) and the short codecs string a rung asks its encoder for.
import { BitstreamError } from '../errors.ts';

export interface LevelLimits {
  /** seq_level_idx; the level is 2 + (idx >> 2) . (idx & 3). */
  idx: number;
  name: string;
  /** Luma samples per picture. */
  maxPicSize: number;
  maxHSize: number;
  maxVSize: number;
  /** Luma samples per second. */
  maxDisplayRate: number;
}

/**
 * Annex A.3, table "General level limits" (Main tier columns are all this needs):
 *
 *   idx level MaxPicSize  MaxHSize MaxVSize MaxDisplayRate
 *    0   2.0    147456     2048     1152       4423680
 *    1   2.1    278784     2816     1584       8363520
 *    4   3.0    665856     4352     2448      19975680
 *    5   3.1   1065024     5504     3096      31950720
 *    8   4.0   2359296     6144     3456      70778880
 *    9   4.1   2359296     6144     3456     141557760
 *   12   5.0   8912896     8192     4352     267386880
 *   13   5.1   8912896     8192     4352     534773760
 *   14   5.2   8912896     8192     4352    1069547520
 *   15   5.3   8912896     8192     4352    1069547520
 *   16   6.0  35651584    16384     8704    1069547520
 *   17   6.1  35651584    16384     8704    2139095040
 *   18   6.2  35651584    16384     8704    4278190080
 *   19   6.3  35651584    16384     8704    4278190080
 *
 * 2.2, 2.3, 3.2, 3.3, 4.2 and 4.3 (idx 2, 3, 6, 7, 10, 11) are undefined, and 20..30 reserved.
 * 5.3 and 6.3 differ from 5.2 and 6.2 only in MaxDecodeRate, which a picture size and frame rate
 * cannot tell apart, so levelFor never picks them.
 */
export const LEVELS: readonly LevelLimits[] = [
  { idx: 0, name: '2.0', maxPicSize: 147456, maxHSize: 2048, maxVSize: 1152, maxDisplayRate: 4423680 },
  { idx: 1, name: '2.1', maxPicSize: 278784, maxHSize: 2816, maxVSize: 1584, maxDisplayRate: 8363520 },
  { idx: 4, name: '3.0', maxPicSize: 665856, maxHSize: 4352, maxVSize: 2448, maxDisplayRate: 19975680 },
  { idx: 5, name: '3.1', maxPicSize: 1065024, maxHSize: 5504, maxVSize: 3096, maxDisplayRate: 31950720 },
  { idx: 8, name: '4.0', maxPicSize: 2359296, maxHSize: 6144, maxVSize: 3456, maxDisplayRate: 70778880 },
  { idx: 9, name: '4.1', maxPicSize: 2359296, maxHSize: 6144, maxVSize: 3456, maxDisplayRate: 141557760 },
  { idx: 12, name: '5.0', maxPicSize: 8912896, maxHSize: 8192, maxVSize: 4352, maxDisplayRate: 267386880 },
  { idx: 13, name: '5.1', maxPicSize: 8912896, maxHSize: 8192, maxVSize: 4352, maxDisplayRate: 534773760 },
  { idx: 14, name: '5.2', maxPicSize: 8912896, maxHSize: 8192, maxVSize: 4352, maxDisplayRate: 1069547520 },
  { idx: 15, name: '5.3', maxPicSize: 8912896, maxHSize: 8192, maxVSize: 4352, maxDisplayRate: 1069547520 },
  { idx: 16, name: '6.0', maxPicSize: 35651584, maxHSize: 16384, maxVSize: 8704, maxDisplayRate: 1069547520 },
  { idx: 17, name: '6.1', maxPicSize: 35651584, maxHSize: 16384, maxVSize: 8704, maxDisplayRate: 2139095040 },
  { idx: 18, name: '6.2', maxPicSize: 35651584, maxHSize: 16384, maxVSize: 8704, maxDisplayRate: 4278190080 },
  { idx: 19, name: '6.3', maxPicSize: 35651584, maxHSize: 16384, maxVSize: 8704, maxDisplayRate: 4278190080 },
];

/** seq_level_idx 31: the "maximum parameters" level, for pictures beyond 6.3. */
export const LEVEL_MAX_PARAMETERS = 31;

/** The smallest Main-tier level whose limits admit the picture size and frame rate; 31 beyond 6.3. */
export function levelFor(width: number, height: number, frameRate: number): number {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new BitstreamError(`Cannot choose an AV1 level: ${width}x${height} is not a positive integer size`);
  }
  if (!Number.isFinite(frameRate) || frameRate <= 0) {
    throw new BitstreamError(`Cannot choose an AV1 level: frame rate ${frameRate} is not positive`);
  }
  const pic = width * height;
  const rate = pic * frameRate;
  for (const l of LEVELS) {
    if (pic <= l.maxPicSize && width <= l.maxHSize && height <= l.maxVSize && rate <= l.maxDisplayRate) return l.idx;
  }
  return LEVEL_MAX_PARAMETERS;
}

/** "2.0" … "6.3" for a defined seq_level_idx, "max" for 31, null otherwise. */
export function levelName(idx: number): string | null {
  if (idx === LEVEL_MAX_PARAMETERS) return 'max';
  return LEVELS.find((l) => l.idx === idx)?.name ?? null;
}

/** The short codecs string for an encode: 1920x1080@25 → av01.0.08M.08. */
export function av1CodecStringFor(o: { width: number; height: number; frameRate: number; bitDepth?: 8 | 10; profile?: 0 }): string {
  const level = levelFor(o.width, o.height, o.frameRate);
  return `av01.${o.profile ?? 0}.${String(level).padStart(2, '0')}M.${String(o.bitDepth ?? 8).padStart(2, '0')}`;
}

// A rung's AV1 contract: the sequence-header fields every chunk of a rung must share, because they
// end up in the rung's single av1C and codecs string; its comparison and its codecs string.
import type { SequenceHeader } from './sequence-header.ts';
import type { Av1Contract } from '../types/mod.ts';

export type { Av1Contract } from '../types/mod.ts';

/**
 * The comparison order, which compareContract reports the first difference in: the fields av1C
 * carries first (in av1C's own order), then the colour fields in codecs-string order. A profile
 * change usually drags bit depth or subsampling with it, so naming the earliest is the root cause.
 */
export const CONTRACT_FIELDS: ReadonlyArray<keyof Av1Contract> = [
  'profile', 'level', 'tier', 'bitDepth', 'monochrome', 'subsamplingX', 'subsamplingY',
  'chromaSamplePosition', 'colorPrimaries', 'transferCharacteristics', 'matrixCoefficients', 'colorRange',
];

export function contractFromSequenceHeader(sh: SequenceHeader): Av1Contract {
  // parseSequenceHeader always yields at least one operating point; 31/0 only guard hand-made input.
  const op = sh.operatingPoints[0];
  const c = sh.colorConfig;
  return {
    profile: sh.seqProfile,
    level: op?.seqLevelIdx ?? 31,
    tier: op?.seqTier ?? 0,
    bitDepth: c.bitDepth,
    monochrome: c.monoChrome,
    subsamplingX: c.subsamplingX,
    subsamplingY: c.subsamplingY,
    chromaSamplePosition: c.chromaSamplePosition,
    colorPrimaries: c.colorPrimaries,
    transferCharacteristics: c.transferCharacteristics,
    matrixCoefficients: c.matrixCoefficients,
    colorRange: c.colorRange,
  };
}

export interface ContractDifference {
  field: keyof Av1Contract;
  expected: number | boolean;
  actual: number | boolean;
}

/**
 * The first field, in CONTRACT_FIELDS order, where `actual` differs from `expected`; null when
 * they agree. A partial `expected` constrains only the fields it declares.
 */
export function compareContract(expected: Partial<Av1Contract>, actual: Av1Contract): ContractDifference | null {
  for (const field of CONTRACT_FIELDS) {
    const want = expected[field];
    if (want !== undefined && want !== actual[field]) return { field, expected: want, actual: actual[field] };
  }
  return null;
}

const two = (n: number): string => String(n).padStart(2, '0');

function shortForm(c: Av1Contract): string {
  return `av01.${c.profile}.${two(c.level)}${c.tier ? 'H' : 'M'}.${two(c.bitDepth)}`;
}

/**
 * Whether the optional fields of the codecs string would all be their AV1-ISOBMFF defaults
 * (0, 110, 01, 01, 01, 0). Unspecified colour (2, 2, 2: no colour description) counts as
 * default, since the spec says to leave the colour fields out when none is signalled.
 */
export function hasDefaultCodecFields(c: Av1Contract): boolean {
  const colour = [c.colorPrimaries, c.transferCharacteristics, c.matrixCoefficients];
  const defaultColour = colour.every((v) => v === 1) || colour.every((v) => v === 2);
  return !c.monochrome && c.subsamplingX === 1 && c.subsamplingY === 1 && c.chromaSamplePosition === 0 &&
    defaultColour && c.colorRange === 0;
}

/**
 * The codecs string of AV1-ISOBMFF ("Codecs Parameter String"): av01.P.LLT.DD (e.g.
 * av01.0.08M.08) when the optional fields are the defaults, else the long form of codecStringLong.
 */
export function codecString(c: Av1Contract): string {
  return hasDefaultCodecFields(c) ? shortForm(c) : codecStringLong(c);
}

/**
 * The long form, always: av01.P.LLT.DD.M.CCC.cp.tc.mc.F (e.g. av01.0.04M.10.0.112.09.16.09.0).
 * CCC is subsampling_x, subsampling_y, then chroma_sample_position (0 unless both are 1).
 */
export function codecStringLong(c: Av1Contract): string {
  const csp = c.subsamplingX && c.subsamplingY ? c.chromaSamplePosition : 0;
  return `${shortForm(c)}.${c.monochrome ? 1 : 0}.${c.subsamplingX}${c.subsamplingY}${csp}` +
    `.${two(c.colorPrimaries)}.${two(c.transferCharacteristics)}.${two(c.matrixCoefficients)}.${c.colorRange}`;
}

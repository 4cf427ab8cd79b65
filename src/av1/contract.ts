// A rung's AV1 contract: the sequence-header fields every chunk of the rung must share, because
// they end up in the rung's single av1C and codecs string. Compared in a fixed order so the error
// names the first field that differs.
import type { SequenceHeader } from './sequence-header.ts';

export interface Av1Contract {
  profile: number;
  level: number;
  tier: number;
  bitDepth: number;
  monochrome: boolean;
  subsamplingX: number;
  subsamplingY: number;
  chromaSamplePosition: number;
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  colorRange: number;
}

/** The comparison order: the av1C fields first, then colour. */
export const CONTRACT_FIELDS: ReadonlyArray<keyof Av1Contract> = [
  'profile', 'level', 'tier', 'bitDepth', 'monochrome', 'subsamplingX', 'subsamplingY',
  'chromaSamplePosition', 'colorPrimaries', 'transferCharacteristics', 'matrixCoefficients', 'colorRange',
];

export function contractFromSequenceHeader(sh: SequenceHeader): Av1Contract {
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

/** Compares the fields `expected` declares (all of them for a full contract), in CONTRACT_FIELDS order. */
export function compareContract(expected: Partial<Av1Contract>, actual: Av1Contract): ContractDifference | null {
  for (const field of CONTRACT_FIELDS) {
    const want = expected[field];
    if (want !== undefined && want !== actual[field]) return { field, expected: want, actual: actual[field] };
  }
  return null;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The short codecs string of AV1-ISOBMFF: av01.P.LLT.DD (e.g. av01.0.08M.08). */
export function codecString(c: Av1Contract): string {
  return `av01.${c.profile}.${two(c.level)}${c.tier ? 'H' : 'M'}.${two(c.bitDepth)}`;
}

/** The long form, with monochrome, chroma, colour and range: av01.0.04M.10.0.112.09.16.09.0. */
export function codecStringLong(c: Av1Contract): string {
  return `${codecString(c)}.${c.monochrome ? 1 : 0}.${c.subsamplingX}${c.subsamplingY}${c.chromaSamplePosition}` +
    `.${two(c.colorPrimaries)}.${two(c.transferCharacteristics)}.${two(c.matrixCoefficients)}.${c.colorRange}`;
}

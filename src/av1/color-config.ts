// color_config() of the AV1 sequence header (spec 5.5.2 and semantics 6.4.2), split out of
// sequence-header.ts to keep both files readable.
import type { BitReader } from './bits.ts';

export type BitDepth = 8 | 10 | 12;

/** CICP code 2: what the spec assumes when color_description_present_flag is 0. */
export const CICP_UNSPECIFIED = 2;
export const CP_BT_709 = 1;
export const TC_SRGB = 13;
export const MC_IDENTITY = 0;
/** chroma_sample_position values. */
export const CSP_UNKNOWN = 0;
export const CSP_VERTICAL = 1;
export const CSP_COLOCATED = 2;

export interface ColorConfig {
  bitDepth: BitDepth;
  highBitdepth: boolean;
  twelveBit: boolean;
  monoChrome: boolean;
  colorDescriptionPresent: boolean;
  /** CICP codes (H.273); 2 (unspecified) when no colour description is present. */
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  /** 0 = studio (limited) range, 1 = full range. */
  colorRange: number;
  subsamplingX: number;
  subsamplingY: number;
  /** Coded only for 4:2:0; CSP_UNKNOWN otherwise. */
  chromaSamplePosition: number;
  separateUvDeltaQ: boolean;
}

export function parseColorConfig(r: BitReader, seqProfile: number): ColorConfig {
  const highBitdepth = r.flag();
  let twelveBit = false;
  let bitDepth: BitDepth;
  if (seqProfile === 2 && highBitdepth) {
    twelveBit = r.flag();
    bitDepth = twelveBit ? 12 : 10;
  } else {
    bitDepth = highBitdepth ? 10 : 8;
  }
  const monoChrome = seqProfile === 1 ? false : r.flag();
  const colorDescriptionPresent = r.flag();
  let colorPrimaries = CICP_UNSPECIFIED;
  let transferCharacteristics = CICP_UNSPECIFIED;
  let matrixCoefficients = CICP_UNSPECIFIED;
  if (colorDescriptionPresent) {
    colorPrimaries = r.f(8);
    transferCharacteristics = r.f(8);
    matrixCoefficients = r.f(8);
  }
  const base = {
    bitDepth, highBitdepth, twelveBit, monoChrome, colorDescriptionPresent,
    colorPrimaries, transferCharacteristics, matrixCoefficients,
  };
  if (monoChrome) {
    // Monochrome ends color_config early: no separate_uv_delta_q is coded.
    return { ...base, colorRange: r.f(1), subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: CSP_UNKNOWN, separateUvDeltaQ: false };
  }
  let colorRange: number;
  let subsamplingX: number;
  let subsamplingY: number;
  let chromaSamplePosition = CSP_UNKNOWN;
  if (colorPrimaries === CP_BT_709 && transferCharacteristics === TC_SRGB && matrixCoefficients === MC_IDENTITY) {
    // sRGB is implicitly full-range 4:4:4 and codes neither.
    colorRange = 1;
    subsamplingX = 0;
    subsamplingY = 0;
  } else {
    colorRange = r.f(1);
    if (seqProfile === 0) {
      subsamplingX = 1;
      subsamplingY = 1;
    } else if (seqProfile === 1) {
      subsamplingX = 0;
      subsamplingY = 0;
    } else if (bitDepth === 12) {
      subsamplingX = r.f(1);
      subsamplingY = subsamplingX ? r.f(1) : 0;
    } else {
      // Profile 2 below 12 bits is 4:2:2 only.
      subsamplingX = 1;
      subsamplingY = 0;
    }
    if (subsamplingX && subsamplingY) chromaSamplePosition = r.f(2);
  }
  const separateUvDeltaQ = r.flag();
  return { ...base, colorRange, subsamplingX, subsamplingY, chromaSamplePosition, separateUvDeltaQ };
}

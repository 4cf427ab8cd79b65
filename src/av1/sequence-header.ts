// The AV1 sequence header OBU parser (AV1 spec 5.5, semantics 6.4), every field through
// film_grain_params_present, and the lookup of a temporal unit's sequence header OBU.
import { BitstreamError } from '../errors.ts';
import { BitReader } from './bits.ts';
import { parseColorConfig } from './color-config.ts';
import type { ColorConfig } from './color-config.ts';
import { OBU_SEQUENCE_HEADER, readObus, writeLeb128 } from './obu.ts';

export type { BitDepth, ColorConfig } from './color-config.ts';

export interface TimingInfo {
  numUnitsInDisplayTick: number;
  timeScale: number;
  equalPictureInterval: boolean;
  /** num_ticks_per_picture_minus_1 + 1, or null without equal_picture_interval. */
  numTicksPerPicture: number | null;
}

export interface DecoderModelInfo {
  bufferDelayLengthMinus1: number;
  numUnitsInDecodingTick: number;
  bufferRemovalTimeLengthMinus1: number;
  framePresentationTimeLengthMinus1: number;
}

/** operating_parameters_info() of one operating point. */
export interface OperatingParameters {
  decoderBufferDelay: number;
  encoderBufferDelay: number;
  lowDelayMode: boolean;
}

export interface OperatingPoint {
  /** operating_point_idc: which temporal/spatial layers the point decodes (0 = all). */
  idc: number;
  seqLevelIdx: number;
  /** 0 = Main, 1 = High; only coded above level 3.3 (seq_level_idx > 7). */
  seqTier: number;
  /** Null unless decoder_model_present_for_this_op. */
  operatingParameters: OperatingParameters | null;
  /** initial_display_delay_minus_1 + 1, or null when not present for this point. */
  initialDisplayDelay: number | null;
}

export interface FrameIdNumbers {
  deltaFrameIdLengthMinus2: number;
  additionalFrameIdLengthMinus1: number;
}

/** The value seq_force_screen_content_tools / seq_force_integer_mv take when chosen per frame. */
export const SELECT_SCREEN_CONTENT_TOOLS = 2;
export const SELECT_INTEGER_MV = 2;

export interface SequenceHeader {
  seqProfile: number;
  stillPicture: boolean;
  reducedStillPictureHeader: boolean;
  timingInfoPresent: boolean;
  timingInfo: TimingInfo | null;
  decoderModelInfoPresent: boolean;
  decoderModelInfo: DecoderModelInfo | null;
  initialDisplayDelayPresent: boolean;
  /** At least one; [0] is the point av1C and the codecs string describe. */
  operatingPoints: OperatingPoint[];
  frameWidthBits: number;
  frameHeightBits: number;
  maxFrameWidth: number;
  maxFrameHeight: number;
  frameIdNumbersPresent: boolean;
  frameIdNumbers: FrameIdNumbers | null;
  use128x128Superblock: boolean;
  enableFilterIntra: boolean;
  enableIntraEdgeFilter: boolean;
  enableInterintraCompound: boolean;
  enableMaskedCompound: boolean;
  enableWarpedMotion: boolean;
  enableDualFilter: boolean;
  enableOrderHint: boolean;
  enableJntComp: boolean;
  enableRefFrameMvs: boolean;
  /** 0, 1, or SELECT_SCREEN_CONTENT_TOOLS (2) when seq_choose_screen_content_tools. */
  seqForceScreenContentTools: number;
  /** 0, 1, or SELECT_INTEGER_MV (2). */
  seqForceIntegerMv: number;
  /** OrderHintBits: order_hint_bits_minus_1 + 1, or 0 without enable_order_hint. */
  orderHintBits: number;
  enableSuperres: boolean;
  enableCdef: boolean;
  enableRestoration: boolean;
  colorConfig: ColorConfig;
  filmGrainParamsPresent: boolean;
}

/** Parses a sequence_header_obu() payload (the bytes after obu_header and obu_size). */
export function parseSequenceHeader(payload: Uint8Array): SequenceHeader {
  const r = new BitReader(payload, 'sequence header');
  const seqProfile = r.f(3);
  if (seqProfile > 2) r.fail(`seq_profile ${seqProfile} is reserved`);
  const stillPicture = r.flag();
  const reduced = r.flag();
  if (reduced && !stillPicture) r.fail('reduced_still_picture_header is set without still_picture');
  let timingInfo: TimingInfo | null = null;
  let decoderModelInfo: DecoderModelInfo | null = null;
  let initialDisplayDelayPresent = false;
  const operatingPoints: OperatingPoint[] = [];
  if (reduced) {
    operatingPoints.push({ idc: 0, seqLevelIdx: r.f(5), seqTier: 0, operatingParameters: null, initialDisplayDelay: null });
  } else {
    if (r.flag()) {
      timingInfo = parseTimingInfo(r);
      if (r.flag()) {
        decoderModelInfo = {
          bufferDelayLengthMinus1: r.f(5),
          numUnitsInDecodingTick: r.f(32),
          bufferRemovalTimeLengthMinus1: r.f(5),
          framePresentationTimeLengthMinus1: r.f(5),
        };
      }
    }
    initialDisplayDelayPresent = r.flag();
    const count = r.f(5) + 1;
    for (let i = 0; i < count; i++) {
      const idc = r.f(12);
      const seqLevelIdx = r.f(5);
      const seqTier = seqLevelIdx > 7 ? r.f(1) : 0;
      let operatingParameters: OperatingParameters | null = null;
      if (decoderModelInfo && r.flag()) {
        const n = decoderModelInfo.bufferDelayLengthMinus1 + 1;
        operatingParameters = { decoderBufferDelay: r.f(n), encoderBufferDelay: r.f(n), lowDelayMode: r.flag() };
      }
      let initialDisplayDelay: number | null = null;
      if (initialDisplayDelayPresent && r.flag()) initialDisplayDelay = r.f(4) + 1;
      operatingPoints.push({ idc, seqLevelIdx, seqTier, operatingParameters, initialDisplayDelay });
    }
  }
  const frameWidthBits = r.f(4) + 1;
  const frameHeightBits = r.f(4) + 1;
  const maxFrameWidth = r.f(frameWidthBits) + 1;
  const maxFrameHeight = r.f(frameHeightBits) + 1;
  let frameIdNumbers: FrameIdNumbers | null = null;
  if (!reduced && r.flag()) {
    frameIdNumbers = { deltaFrameIdLengthMinus2: r.f(4), additionalFrameIdLengthMinus1: r.f(3) };
  }
  const use128x128Superblock = r.flag();
  const enableFilterIntra = r.flag();
  const enableIntraEdgeFilter = r.flag();
  // The reduced still-picture header codes none of the inter tools; these are the spec's inferred values.
  let enableInterintraCompound = false;
  let enableMaskedCompound = false;
  let enableWarpedMotion = false;
  let enableDualFilter = false;
  let enableOrderHint = false;
  let enableJntComp = false;
  let enableRefFrameMvs = false;
  let seqForceScreenContentTools = SELECT_SCREEN_CONTENT_TOOLS;
  let seqForceIntegerMv = SELECT_INTEGER_MV;
  let orderHintBits = 0;
  if (!reduced) {
    enableInterintraCompound = r.flag();
    enableMaskedCompound = r.flag();
    enableWarpedMotion = r.flag();
    enableDualFilter = r.flag();
    enableOrderHint = r.flag();
    if (enableOrderHint) {
      enableJntComp = r.flag();
      enableRefFrameMvs = r.flag();
    }
    seqForceScreenContentTools = r.flag() ? SELECT_SCREEN_CONTENT_TOOLS : r.f(1);
    if (seqForceScreenContentTools > 0) seqForceIntegerMv = r.flag() ? SELECT_INTEGER_MV : r.f(1);
    if (enableOrderHint) orderHintBits = r.f(3) + 1;
  }
  const enableSuperres = r.flag();
  const enableCdef = r.flag();
  const enableRestoration = r.flag();
  const colorConfig = parseColorConfig(r, seqProfile);
  const filmGrainParamsPresent = r.flag();
  // trailing_bits() opens with a 1; reading it catches a payload cut right after the last field.
  if (!r.flag()) r.fail('trailing_one_bit is 0');
  return {
    seqProfile, stillPicture, reducedStillPictureHeader: reduced,
    timingInfoPresent: timingInfo !== null, timingInfo,
    decoderModelInfoPresent: decoderModelInfo !== null, decoderModelInfo,
    initialDisplayDelayPresent, operatingPoints,
    frameWidthBits, frameHeightBits, maxFrameWidth, maxFrameHeight,
    frameIdNumbersPresent: frameIdNumbers !== null, frameIdNumbers,
    use128x128Superblock, enableFilterIntra, enableIntraEdgeFilter, enableInterintraCompound, enableMaskedCompound,
    enableWarpedMotion, enableDualFilter, enableOrderHint, enableJntComp, enableRefFrameMvs,
    seqForceScreenContentTools, seqForceIntegerMv, orderHintBits, enableSuperres, enableCdef, enableRestoration,
    colorConfig, filmGrainParamsPresent,
  };
}

function parseTimingInfo(r: BitReader): TimingInfo {
  const numUnitsInDisplayTick = r.f(32);
  const timeScale = r.f(32);
  const equalPictureInterval = r.flag();
  // uvlc() can return 2^32 - 1, so the + 1 can reach 2^32: still exact in a double.
  const numTicksPerPicture = equalPictureInterval ? r.uvlc() + 1 : null;
  return { numUnitsInDisplayTick, timeScale, equalPictureInterval, numTicksPerPicture };
}

/**
 * Finds and parses the first sequence header OBU of a temporal unit. `obu` is a copy of the
 * whole OBU (header, obu_size, payload), with obu_size added when the TU omitted it, because
 * av1C's configOBUs need it. Null when the TU has no sequence header.
 */
export function findSequenceHeader(temporalUnit: Uint8Array): { header: SequenceHeader; obu: Uint8Array } | null {
  for (const o of readObus(temporalUnit)) {
    if (o.type !== OBU_SEQUENCE_HEADER) continue;
    const payload = temporalUnit.subarray(o.payloadStart, o.end);
    const header = parseSequenceHeader(payload);
    if (o.hasSizeField) return { header, obu: temporalUnit.slice(o.start, o.end) };
    const head = temporalUnit.subarray(o.start, o.start + o.headerLength);
    const size = writeLeb128(payload.length);
    const obu = new Uint8Array(head.length + size.length + payload.length);
    obu.set(head);
    obu[0] = obu[0]! | 0x02; // obu_has_size_field
    obu.set(size, head.length);
    obu.set(payload, head.length + size.length);
    return { header, obu };
  }
  return null;
}

/** Parses a whole sequence header OBU (as av1C's configOBUs or findSequenceHeader's `obu` hold it). */
export function parseSequenceHeaderObu(obu: Uint8Array): SequenceHeader {
  const found = findSequenceHeader(obu);
  if (!found) throw new BitstreamError('Cannot parse sequence header OBU: the bytes hold no sequence header OBU');
  return found.header;
}

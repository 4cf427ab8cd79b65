// The AV1 sequence header OBU parser (AV1 spec 5.5): every field up to film_grain_params_present.
import { BitstreamError } from '../errors.ts';
import { BitReader } from './bits.ts';
import { OBU_SEQUENCE_HEADER, readObus, writeLeb128 } from './obu.ts';

export interface OperatingPoint {
  idc: number;
  seqLevelIdx: number;
  seqTier: number;
}

export interface ColorConfig {
  bitDepth: 8 | 10 | 12;
  highBitdepth: boolean;
  twelveBit: boolean;
  monoChrome: boolean;
  colorDescriptionPresent: boolean;
  /** CICP codes; 2 (unspecified) when no colour description is present. */
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  /** 1 = full range. */
  colorRange: number;
  subsamplingX: number;
  subsamplingY: number;
  chromaSamplePosition: number;
  separateUvDeltaQ: boolean;
}

export interface SequenceHeader {
  seqProfile: number;
  stillPicture: boolean;
  reducedStillPictureHeader: boolean;
  timingInfoPresent: boolean;
  decoderModelInfoPresent: boolean;
  operatingPoints: OperatingPoint[];
  frameWidthBits: number;
  frameHeightBits: number;
  maxFrameWidth: number;
  maxFrameHeight: number;
  frameIdNumbersPresent: boolean;
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
  seqForceScreenContentTools: number;
  seqForceIntegerMv: number;
  orderHintBits: number;
  enableSuperres: boolean;
  enableCdef: boolean;
  enableRestoration: boolean;
  colorConfig: ColorConfig;
  filmGrainParamsPresent: boolean;
}

const SELECT = 2;

export function parseSequenceHeader(payload: Uint8Array): SequenceHeader {
  const r = new BitReader(payload, 'sequence header');
  const seqProfile = r.f(3);
  if (seqProfile > 2) throw new BitstreamError(`Cannot parse sequence header: seq_profile ${seqProfile} is reserved`);
  const stillPicture = r.flag();
  const reduced = r.flag();
  let timingInfoPresent = false;
  let decoderModelInfoPresent = false;
  const operatingPoints: OperatingPoint[] = [];
  if (reduced) {
    operatingPoints.push({ idc: 0, seqLevelIdx: r.f(5), seqTier: 0 });
  } else {
    timingInfoPresent = r.flag();
    let bufferDelayLength = 0;
    if (timingInfoPresent) {
      r.f(32); // num_units_in_display_tick
      r.f(32); // time_scale
      if (r.flag()) r.uvlc(); // equal_picture_interval → num_ticks_per_picture_minus_1
      decoderModelInfoPresent = r.flag();
      if (decoderModelInfoPresent) {
        bufferDelayLength = r.f(5) + 1;
        r.f(32); // num_units_in_decoding_tick
        r.f(5); // buffer_removal_time_length_minus_1
        r.f(5); // frame_presentation_time_length_minus_1
      }
    }
    const initialDisplayDelayPresent = r.flag();
    const count = r.f(5) + 1;
    for (let i = 0; i < count; i++) {
      const idc = r.f(12);
      const seqLevelIdx = r.f(5);
      const seqTier = seqLevelIdx > 7 ? r.f(1) : 0;
      if (decoderModelInfoPresent && r.flag()) {
        r.f(bufferDelayLength); // decoder_buffer_delay
        r.f(bufferDelayLength); // encoder_buffer_delay
        r.f(1); // low_delay_mode_flag
      }
      if (initialDisplayDelayPresent && r.flag()) r.f(4);
      operatingPoints.push({ idc, seqLevelIdx, seqTier });
    }
  }
  const frameWidthBits = r.f(4) + 1;
  const frameHeightBits = r.f(4) + 1;
  const maxFrameWidth = r.f(frameWidthBits) + 1;
  const maxFrameHeight = r.f(frameHeightBits) + 1;
  const frameIdNumbersPresent = reduced ? false : r.flag();
  if (frameIdNumbersPresent) {
    r.f(4); // delta_frame_id_length_minus_2
    r.f(3); // additional_frame_id_length_minus_1
  }
  const use128x128Superblock = r.flag();
  const enableFilterIntra = r.flag();
  const enableIntraEdgeFilter = r.flag();
  let enableInterintraCompound = false;
  let enableMaskedCompound = false;
  let enableWarpedMotion = false;
  let enableDualFilter = false;
  let enableOrderHint = false;
  let enableJntComp = false;
  let enableRefFrameMvs = false;
  let seqForceScreenContentTools = SELECT;
  let seqForceIntegerMv = SELECT;
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
    seqForceScreenContentTools = r.flag() ? SELECT : r.f(1); // seq_choose_screen_content_tools
    if (seqForceScreenContentTools > 0) seqForceIntegerMv = r.flag() ? SELECT : r.f(1);
    else seqForceIntegerMv = SELECT;
    if (enableOrderHint) orderHintBits = r.f(3) + 1;
  }
  const enableSuperres = r.flag();
  const enableCdef = r.flag();
  const enableRestoration = r.flag();
  const colorConfig = parseColorConfig(r, seqProfile);
  const filmGrainParamsPresent = r.flag();
  return {
    seqProfile, stillPicture, reducedStillPictureHeader: reduced, timingInfoPresent, decoderModelInfoPresent,
    operatingPoints, frameWidthBits, frameHeightBits, maxFrameWidth, maxFrameHeight, frameIdNumbersPresent,
    use128x128Superblock, enableFilterIntra, enableIntraEdgeFilter, enableInterintraCompound, enableMaskedCompound,
    enableWarpedMotion, enableDualFilter, enableOrderHint, enableJntComp, enableRefFrameMvs,
    seqForceScreenContentTools, seqForceIntegerMv, orderHintBits, enableSuperres, enableCdef, enableRestoration,
    colorConfig, filmGrainParamsPresent,
  };
}

function parseColorConfig(r: BitReader, seqProfile: number): ColorConfig {
  const highBitdepth = r.flag();
  let twelveBit = false;
  let bitDepth: 8 | 10 | 12 = 8;
  if (seqProfile === 2 && highBitdepth) {
    twelveBit = r.flag();
    bitDepth = twelveBit ? 12 : 10;
  } else {
    bitDepth = highBitdepth ? 10 : 8;
  }
  const monoChrome = seqProfile === 1 ? false : r.flag();
  const colorDescriptionPresent = r.flag();
  let colorPrimaries = 2;
  let transferCharacteristics = 2;
  let matrixCoefficients = 2;
  if (colorDescriptionPresent) {
    colorPrimaries = r.f(8);
    transferCharacteristics = r.f(8);
    matrixCoefficients = r.f(8);
  }
  const base = { bitDepth, highBitdepth, twelveBit, monoChrome, colorDescriptionPresent, colorPrimaries, transferCharacteristics, matrixCoefficients };
  if (monoChrome) {
    return { ...base, colorRange: r.f(1), subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: 0, separateUvDeltaQ: false };
  }
  let colorRange: number;
  let subsamplingX: number;
  let subsamplingY: number;
  let chromaSamplePosition = 0;
  if (colorPrimaries === 1 && transferCharacteristics === 13 && matrixCoefficients === 0) {
    colorRange = 1; // sRGB: 4:4:4, full range
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
      subsamplingX = 1;
      subsamplingY = 0;
    }
    if (subsamplingX && subsamplingY) chromaSamplePosition = r.f(2);
  }
  const separateUvDeltaQ = r.flag();
  return { ...base, colorRange, subsamplingX, subsamplingY, chromaSamplePosition, separateUvDeltaQ };
}

/** Finds and parses the sequence header OBU of a temporal unit; `obu` is the whole OBU's bytes. */
export function findSequenceHeader(temporalUnit: Uint8Array): { header: SequenceHeader; obu: Uint8Array } | null {
  for (const o of readObus(temporalUnit)) {
    if (o.type !== OBU_SEQUENCE_HEADER) continue;
    const payload = temporalUnit.subarray(o.payloadStart, o.payloadStart + o.payloadSize);
    const header = parseSequenceHeader(payload);
    if (o.hasSizeField) return { header, obu: temporalUnit.slice(o.start, o.end) };
    // av1C's configOBUs need obu_size; give a size-less OBU one.
    const head = temporalUnit.subarray(o.start, o.payloadStart);
    const size = writeLeb128(payload.length);
    const obu = new Uint8Array(head.length + size.length + payload.length);
    obu.set(head);
    obu[0] = obu[0]! | 0x02;
    obu.set(size, head.length);
    obu.set(payload, head.length + size.length);
    return { header, obu };
  }
  return null;
}

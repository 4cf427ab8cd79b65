// The AV1CodecConfigurationRecord (the av1C box payload, AV1-ISOBMFF 2.3): four bytes taken from
// the sequence header, then the sequence header OBU itself as configOBUs.
import { BitstreamError } from '../errors.ts';
import { findSequenceHeader } from './sequence-header.ts';

export interface Av1CRecord {
  seqProfile: number;
  seqLevelIdx0: number;
  seqTier0: number;
  highBitdepth: boolean;
  twelveBit: boolean;
  monochrome: boolean;
  chromaSubsamplingX: number;
  chromaSubsamplingY: number;
  chromaSamplePosition: number;
  configOBUs: Uint8Array;
}

/** Builds the av1C payload from a sequence header OBU (whole OBU, with obu_size). */
export function buildAv1C(sequenceHeaderObu: Uint8Array): Uint8Array {
  const found = findSequenceHeader(sequenceHeaderObu);
  if (!found) throw new BitstreamError('Cannot build av1C: no sequence header OBU given');
  const sh = found.header;
  const c = sh.colorConfig;
  const op = sh.operatingPoints[0]!;
  const out = new Uint8Array(4 + found.obu.length);
  out[0] = 0x81; // marker 1, version 1
  out[1] = (sh.seqProfile << 5) | op.seqLevelIdx;
  out[2] = (op.seqTier << 7) | (Number(c.highBitdepth) << 6) | (Number(c.twelveBit) << 5) | (Number(c.monoChrome) << 4) |
    (c.subsamplingX << 3) | (c.subsamplingY << 2) | c.chromaSamplePosition;
  out[3] = 0; // no initial_presentation_delay
  out.set(found.obu, 4);
  return out;
}

export function parseAv1C(payload: Uint8Array): Av1CRecord {
  if (payload.length < 4) throw new BitstreamError(`Cannot parse av1C: ${payload.length} bytes, need at least 4`);
  const [b0, b1, b2] = [payload[0]!, payload[1]!, payload[2]!];
  if (b0 >> 7 !== 1 || (b0 & 0x7f) !== 1) throw new BitstreamError('Cannot parse av1C: bad marker or version');
  return {
    seqProfile: b1 >> 5,
    seqLevelIdx0: b1 & 0x1f,
    seqTier0: b2 >> 7,
    highBitdepth: ((b2 >> 6) & 1) === 1,
    twelveBit: ((b2 >> 5) & 1) === 1,
    monochrome: ((b2 >> 4) & 1) === 1,
    chromaSubsamplingX: (b2 >> 3) & 1,
    chromaSubsamplingY: (b2 >> 2) & 1,
    chromaSamplePosition: b2 & 3,
    configOBUs: payload.slice(4),
  };
}

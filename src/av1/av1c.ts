// The AV1CodecConfigurationRecord (the av1C box payload, AV1-ISOBMFF 2.3): four bytes taken from
// the sequence header, then the sequence header OBU itself as configOBUs.
import { BitstreamError } from '../errors.ts';
import { readObus, OBU_SEQUENCE_HEADER } from './obu.ts';
import { findSequenceHeader, parseSequenceHeader } from './sequence-header.ts';
import type { SequenceHeader } from './sequence-header.ts';

export interface Av1CRecord {
  marker: number;
  version: number;
  seqProfile: number;
  seqLevelIdx0: number;
  seqTier0: number;
  highBitdepth: boolean;
  twelveBit: boolean;
  monochrome: boolean;
  chromaSubsamplingX: number;
  chromaSubsamplingY: number;
  chromaSamplePosition: number;
  initialPresentationDelayPresent: boolean;
  /** initial_presentation_delay_minus_one + 1, or null when not present. */
  initialPresentationDelay: number | null;
  /** The OBUs after the 4-byte header (normally the sequence header OBU); a copy. */
  configOBUs: Uint8Array;
}

/** The av1C header bytes 1 and 2 for a sequence header. */
function headerBytes(sh: SequenceHeader): [number, number] {
  const c = sh.colorConfig;
  const op = sh.operatingPoints[0];
  if (!op) throw new BitstreamError('Cannot build av1C: the sequence header has no operating point');
  return [
    (sh.seqProfile << 5) | op.seqLevelIdx,
    (op.seqTier << 7) | (Number(c.highBitdepth) << 6) | (Number(c.twelveBit) << 5) | (Number(c.monoChrome) << 4) |
      (c.subsamplingX << 3) | (c.subsamplingY << 2) | c.chromaSamplePosition,
  ];
}

/**
 * Builds the av1C payload (without the 8-byte box header). `sequenceHeaderObu` is the whole
 * sequence header OBU with obu_size, as findSequenceHeader returns it; `sh` is its parse, which
 * is checked against the OBU so the header bytes and configOBUs cannot disagree. The one-argument
 * form parses the OBU itself.
 */
export function buildAv1C(sequenceHeaderObu: Uint8Array): Uint8Array;
export function buildAv1C(sh: SequenceHeader, sequenceHeaderObu: Uint8Array): Uint8Array;
export function buildAv1C(a: SequenceHeader | Uint8Array, b?: Uint8Array): Uint8Array {
  const obu = a instanceof Uint8Array ? a : b;
  if (!obu) throw new BitstreamError('Cannot build av1C: no sequence header OBU given');
  const obus = [...readObus(obu)];
  const only = obus[0];
  if (obus.length !== 1 || !only || only.type !== OBU_SEQUENCE_HEADER) {
    throw new BitstreamError('Cannot build av1C: configOBUs must be exactly one sequence header OBU');
  }
  if (!only.hasSizeField) throw new BitstreamError('Cannot build av1C: the sequence header OBU lacks obu_size');
  const parsed = parseSequenceHeader(obu.subarray(only.payloadStart, only.end));
  const [b1, b2] = headerBytes(parsed);
  if (!(a instanceof Uint8Array)) {
    const [c1, c2] = headerBytes(a);
    if (c1 !== b1 || c2 !== b2) {
      throw new BitstreamError('Cannot build av1C: the sequence header given disagrees with the sequence header OBU');
    }
  }
  const out = new Uint8Array(4 + obu.length);
  out[0] = 0x81; // marker 1, version 1
  out[1] = b1;
  out[2] = b2;
  out[3] = 0; // reserved 3 bits, initial_presentation_delay_present 0, reserved 4 bits
  out.set(obu, 4);
  return out;
}

/** Parses an av1C payload (without the box header). */
export function parseAv1C(payload: Uint8Array): Av1CRecord {
  if (payload.length < 4) throw new BitstreamError(`Cannot parse av1C: ${payload.length} bytes, need at least 4`);
  const [b0, b1, b2, b3] = [payload[0]!, payload[1]!, payload[2]!, payload[3]!];
  const marker = b0 >> 7;
  const version = b0 & 0x7f;
  if (marker !== 1) throw new BitstreamError('Cannot parse av1C: marker bit is 0');
  if (version !== 1) throw new BitstreamError(`Cannot parse av1C: version ${version}, only 1 is defined`);
  const initialPresentationDelayPresent = ((b3 >> 4) & 1) === 1;
  return {
    marker,
    version,
    seqProfile: b1 >> 5,
    seqLevelIdx0: b1 & 0x1f,
    seqTier0: b2 >> 7,
    highBitdepth: ((b2 >> 6) & 1) === 1,
    twelveBit: ((b2 >> 5) & 1) === 1,
    monochrome: ((b2 >> 4) & 1) === 1,
    chromaSubsamplingX: (b2 >> 3) & 1,
    chromaSubsamplingY: (b2 >> 2) & 1,
    chromaSamplePosition: b2 & 3,
    initialPresentationDelayPresent,
    initialPresentationDelay: initialPresentationDelayPresent ? (b3 & 0x0f) + 1 : null,
    configOBUs: payload.slice(4),
  };
}

/** The sequence header inside an av1C's configOBUs, or null when it carries none (allowed by the spec). */
export function sequenceHeaderFromAv1C(record: Av1CRecord): SequenceHeader | null {
  return findSequenceHeader(record.configOBUs)?.header ?? null;
}

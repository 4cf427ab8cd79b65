// AV1 OBU reading: leb128 sizes and an iterator over the OBUs of a temporal unit in the
// low-overhead bitstream format (AV1 spec 5.3), as WebCodecs chunks and MP4 samples carry them.
import { BitstreamError } from '../errors.ts';

export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;
export const OBU_FRAME_HEADER = 3;
export const OBU_TILE_GROUP = 4;
export const OBU_METADATA = 5;
export const OBU_FRAME = 6;
export const OBU_REDUNDANT_FRAME_HEADER = 7;
export const OBU_TILE_LIST = 8;
export const OBU_PADDING = 15;

/** One OBU located in a buffer. All offsets are relative to the buffer given to readObus. */
export interface Obu {
  type: number;
  hasExtension: boolean;
  /** From the extension header; 0 when there is none. */
  temporalId: number;
  spatialId: number;
  /** False when obu_size is omitted, which only the last OBU of a buffer may do. */
  hasSizeField: boolean;
  /** Offset of the OBU's first byte (its header). */
  start: number;
  /** Bytes of obu_header(): 1, or 2 with the extension byte. The size field, if any, follows. */
  headerLength: number;
  /** Offset and length of the payload (after the size field). */
  payloadStart: number;
  payloadSize: number;
  /** One past the OBU's last byte; `start..end` is the whole OBU. */
  end: number;
}

/** The largest value leb128() may carry (spec 4.10.5: conformance caps it at 2^32 - 1). */
export const LEB128_MAX = 0xffffffff;

/** Reads an unsigned leb128 at `pos`; returns the value and the number of bytes it took. */
export function readLeb128(buf: Uint8Array, pos: number): { value: number; length: number } {
  let value = 0;
  // The spec reads at most 8 bytes; the 8th must end the value.
  for (let i = 0; i < 8; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new BitstreamError('Cannot read leb128: buffer ends inside the value');
    // Multiplication, not <<, because bit 31 and above would wrap to negative in 32-bit ints.
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > LEB128_MAX) throw new BitstreamError(`Cannot read leb128: value ${value} exceeds 2^32 - 1`);
      return { value, length: i + 1 };
    }
  }
  throw new BitstreamError('Cannot read leb128: the 8th byte still has its continuation bit set');
}

/** Encodes `value` as a minimal-length leb128. */
export function writeLeb128(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > LEB128_MAX) {
    throw new BitstreamError(`Cannot write leb128: ${value} is not an integer in 0..2^32 - 1`);
  }
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Uint8Array.from(out);
}

/** Reads the OBU starting at `pos`; throws BitstreamError when it does not fit in the buffer. */
export function readObu(buf: Uint8Array, pos: number): Obu {
  const h = buf[pos];
  if (h === undefined) throw new BitstreamError(`Cannot parse OBU at ${pos}: buffer ends before the header`);
  if (h & 0x80) throw new BitstreamError(`Cannot parse OBU at ${pos}: obu_forbidden_bit is set`);
  const type = (h >> 3) & 0x0f;
  const hasExtension = (h & 0x04) !== 0;
  const hasSizeField = (h & 0x02) !== 0;
  // obu_reserved_1bit is ignored, as the spec tells decoders to.
  let p = pos + 1;
  let temporalId = 0;
  let spatialId = 0;
  if (hasExtension) {
    const e = buf[p];
    if (e === undefined) throw new BitstreamError(`Cannot parse OBU at ${pos}: buffer ends inside the extension header`);
    temporalId = e >> 5;
    spatialId = (e >> 3) & 3;
    p++;
  }
  const headerLength = p - pos;
  let payloadSize: number;
  if (hasSizeField) {
    let s: { value: number; length: number };
    try {
      s = readLeb128(buf, p);
    } catch (err) {
      throw new BitstreamError(`Cannot parse OBU at ${pos}: obu_size is unreadable (${(err as Error).message})`);
    }
    payloadSize = s.value;
    p += s.length;
  } else {
    payloadSize = buf.length - p;
  }
  const end = p + payloadSize;
  if (end > buf.length) {
    throw new BitstreamError(`Cannot parse OBU at ${pos}: obu_size ${payloadSize} exceeds buffer (${buf.length - p} bytes left)`);
  }
  return { type, hasExtension, temporalId, spatialId, hasSizeField, start: pos, headerLength, payloadStart: p, payloadSize, end };
}

/** Iterates the OBUs of a buffer (one or more temporal units). Lazy: a bad OBU throws when reached. */
export function* readObus(buf: Uint8Array): Generator<Obu> {
  let pos = 0;
  while (pos < buf.length) {
    const obu = readObu(buf, pos);
    yield obu;
    pos = obu.end;
  }
}

/** The OBU's payload bytes (a view, not a copy). */
export function obuPayload(buf: Uint8Array, obu: Obu): Uint8Array {
  return buf.subarray(obu.payloadStart, obu.end);
}

// AV1 OBU reading: leb128 sizes and an iterator over the OBUs of a temporal unit (AV1 spec 5.3).
import { BitstreamError } from '../errors.ts';

export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;

export interface Obu {
  type: number;
  temporalId: number;
  spatialId: number;
  /** Offset of the OBU's first byte (its header) in the buffer. */
  start: number;
  /** Offset and length of the payload. */
  payloadStart: number;
  payloadSize: number;
  /** One past the OBU's last byte. */
  end: number;
  hasSizeField: boolean;
}

/** Reads an unsigned leb128 at `pos`; returns the value and the number of bytes it took. */
export function readLeb128(buf: Uint8Array, pos: number): { value: number; length: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new BitstreamError('Cannot read leb128: buffer ends inside the value');
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) throw new BitstreamError('Cannot read leb128: value exceeds 2^32 - 1');
      return { value, length: i + 1 };
    }
  }
  throw new BitstreamError('Cannot read leb128: more than 8 bytes');
}

export function writeLeb128(value: number): Uint8Array {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return Uint8Array.from(out);
}

/** Iterates the OBUs of a temporal unit (low-overhead bitstream format, as WebCodecs and MP4 carry it). */
export function* readObus(buf: Uint8Array): Generator<Obu> {
  let pos = 0;
  while (pos < buf.length) {
    const h = buf[pos]!;
    if (h & 0x80) throw new BitstreamError(`Cannot parse OBU at ${pos}: forbidden bit is set`);
    const type = (h >> 3) & 0x0f;
    const hasExtension = (h & 0x04) !== 0;
    const hasSizeField = (h & 0x02) !== 0;
    let p = pos + 1;
    let temporalId = 0;
    let spatialId = 0;
    if (hasExtension) {
      const e = buf[p];
      if (e === undefined) throw new BitstreamError(`Cannot parse OBU at ${pos}: buffer ends inside the header`);
      temporalId = e >> 5;
      spatialId = (e >> 3) & 3;
      p++;
    }
    let payloadSize: number;
    if (hasSizeField) {
      const s = readLeb128(buf, p);
      payloadSize = s.value;
      p += s.length;
    } else {
      payloadSize = buf.length - p;
    }
    const end = p + payloadSize;
    if (end > buf.length) throw new BitstreamError(`Cannot parse OBU at ${pos}: obu_size ${payloadSize} exceeds buffer`);
    yield { type, temporalId, spatialId, start: pos, payloadStart: p, payloadSize, end, hasSizeField };
    pos = end;
  }
}

// Byte builders for writing ISOBMFF boxes: big-endian integers, four-character codes, and
// (full) boxes assembled from parts, so each box in cmaf.ts reads like its spec table.
import { TranscodeError } from '../errors.ts';

export type Part = Uint8Array | readonly Part[];

export function u8(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff);
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

export function u24(v: number): Uint8Array {
  return Uint8Array.of((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0);
  return out;
}

export function i32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, v);
  return out;
}

export function u64(v: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v));
  return out;
}

export function zeros(n: number): Uint8Array {
  return new Uint8Array(n);
}

export function fourcc(s: string): Uint8Array {
  if (s.length !== 4) throw new TranscodeError(`Cannot write box type "${s}": not four characters`);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** A NUL-terminated UTF-8 string (hdlr names). */
export function cstring(s: string): Uint8Array {
  const enc = new TextEncoder().encode(s);
  const out = new Uint8Array(enc.length + 1);
  out.set(enc);
  return out;
}

function flatten(parts: readonly Part[], out: Uint8Array[] = []): Uint8Array[] {
  for (const p of parts) {
    if (p instanceof Uint8Array) out.push(p);
    else flatten(p, out);
  }
  return out;
}

export function concat(...parts: Part[]): Uint8Array {
  const flat = flatten(parts);
  const out = new Uint8Array(flat.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of flat) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function box(type: string, ...payload: Part[]): Uint8Array {
  const body = concat(...payload);
  // Segments here stay far below 4 GiB; a largesize box would only hide a caller's bug.
  if (body.length + 8 > 0xffffffff) throw new TranscodeError(`Cannot write ${type} box: ${body.length} bytes exceed 32-bit sizes`);
  return concat(u32(body.length + 8), fourcc(type), body);
}

export function fullBox(type: string, version: number, flags: number, ...payload: Part[]): Uint8Array {
  return box(type, u8(version), u24(flags), ...payload);
}

/** The identity transformation matrix of mvhd/tkhd (16.16 and 2.30 fixed point). */
export const UNITY_MATRIX: Uint8Array = concat(
  u32(0x00010000), u32(0), u32(0),
  u32(0), u32(0x00010000), u32(0),
  u32(0), u32(0), u32(0x40000000),
);

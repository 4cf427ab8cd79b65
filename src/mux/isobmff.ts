// ISOBMFF boxes, both ways. Reading: a small box walker over box headers (size, largesize, type)
// and the children of the container boxes the engine needs to reach (av01's av1C, chunk offset
// tables, fragments); it only reports offsets, so patchers can rewrite bytes in place and tests can
// check layouts. Writing: big-endian integers, four-character codes, and (full) boxes assembled
// from parts, so each box in hls/cmaf.ts reads like its spec table.
import { BitstreamError, TranscodeError } from '../errors.ts';

// --- Reading ---

export interface Box {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Header length: 8, or 16 with a 64-bit largesize. */
  header: number;
  /** One past the box's last byte. */
  end: number;
}

/**
 * Bytes between a container's header and its first child: full-box fields and entry counts, or
 * the fixed fields of a sample entry. Boxes not listed here are leaves to the walker.
 */
const CHILD_OFFSET: Readonly<Record<string, number>> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, edts: 0, dinf: 0, mvex: 0, moof: 0, traf: 0, mfra: 0,
  stsd: 8, // version/flags + entry_count
  av01: 78, // VisualSampleEntry fields
  mp4a: 28, // AudioSampleEntry fields (version 0; see audioEntryOffset)
  Opus: 28,
};

/** Whether the walker knows where `type`'s children start. */
export function isContainer(type: string): boolean {
  return Object.hasOwn(CHILD_OFFSET, type);
}

/** The boxes laid end to end in `buf[start, end)`. Throws if one overruns the range. */
export function readBoxes(buf: Uint8Array, start = 0, end = buf.length): Box[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Box[] = [];
  let p = start;
  // Fewer than 8 trailing bytes cannot be a box; some writers pad containers with zeros.
  while (p + 8 <= end) {
    let size = dv.getUint32(p);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) throw new BitstreamError(`Cannot read box at ${p}: largesize past the end`);
      const large = dv.getBigUint64(p + 8);
      if (large > BigInt(end - p)) throw new BitstreamError(`Cannot read box at ${p}: largesize ${large} exceeds its parent`);
      size = Number(large);
      header = 16;
    } else if (size === 0) {
      size = end - p; // "extends to the end of the file"
    }
    if (size < header || p + size > end) throw new BitstreamError(`Cannot read box at ${p}: size ${size} exceeds its parent`);
    out.push({ type: fourCC(buf, p + 4), start: p, header, end: p + size });
    p += size;
  }
  return out;
}

/** The children of a container box (see CHILD_OFFSET for which boxes are containers). */
export function children(buf: Uint8Array, box: Box): Box[] {
  const skip = CHILD_OFFSET[box.type];
  if (skip === undefined) throw new BitstreamError(`Cannot read children of ${box.type}: not a known container`);
  const first = box.start + box.header + (box.type === 'mp4a' || box.type === 'Opus' ? audioEntryOffset(buf, box) : skip);
  if (first > box.end) throw new BitstreamError(`Cannot read children of ${box.type} at ${box.start}: box too short`);
  return readBoxes(buf, first, box.end);
}

/** Walks a path of box types from the top level; returns every chain that matches, outermost first. */
export function findPaths(buf: Uint8Array, path: readonly string[]): Box[][] {
  const results: Box[][] = [];
  const walk = (boxes: Box[], depth: number, chain: Box[]): void => {
    for (const b of boxes) {
      if (b.type !== path[depth]) continue;
      const next = [...chain, b];
      if (depth === path.length - 1) results.push(next);
      else walk(children(buf, b), depth + 1, next);
    }
  };
  walk(readBoxes(buf), 0, []);
  return results;
}

/** The bytes of a box after its header. */
export function payload(buf: Uint8Array, box: Box): Uint8Array {
  return buf.subarray(box.start + box.header, box.end);
}

function fourCC(buf: Uint8Array, p: number): string {
  return String.fromCharCode(buf[p]!, buf[p + 1]!, buf[p + 2]!, buf[p + 3]!);
}

// QuickTime-style sound entries (version 1 and 2) carry 16 or 36 more bytes before their children.
function audioEntryOffset(buf: Uint8Array, box: Box): number {
  const at = box.start + box.header + 8;
  const version = at + 2 <= box.end ? (buf[at]! << 8) | buf[at + 1]! : 0;
  return 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
}

// --- Writing ---

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

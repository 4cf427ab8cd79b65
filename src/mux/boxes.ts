// A small ISOBMFF box walker: box headers (size, largesize, type) and the children of the
// container boxes the engine needs to reach (down to av01's av1C and the chunk offset tables).
import { BitstreamError } from '../errors.ts';

export interface Box {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Header length: 8, or 16 with a 64-bit largesize. */
  header: number;
  /** One past the box's last byte. */
  end: number;
}

/** Bytes between a container's header and its first child (full-box fields, sample entry fields). */
const CHILD_OFFSET: Record<string, number> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, edts: 0, dinf: 0, mvex: 0, moof: 0, traf: 0,
  stsd: 8, // version/flags + entry_count
  av01: 78, // VisualSampleEntry fields
};

export function readBoxes(buf: Uint8Array, start = 0, end = buf.length): Box[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = dv.getUint32(p);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) throw new BitstreamError(`Cannot read box at ${p}: largesize past the end`);
      size = Number(dv.getBigUint64(p + 8));
      header = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < header || p + size > end) throw new BitstreamError(`Cannot read box at ${p}: size ${size} exceeds its parent`);
    out.push({ type: String.fromCharCode(buf[p + 4]!, buf[p + 5]!, buf[p + 6]!, buf[p + 7]!), start: p, header, end: p + size });
    p += size;
  }
  return out;
}

export function children(buf: Uint8Array, box: Box): Box[] {
  const skip = CHILD_OFFSET[box.type];
  if (skip === undefined) throw new BitstreamError(`Cannot read children of ${box.type}: not a known container`);
  return readBoxes(buf, box.start + box.header + skip, box.end);
}

/** Walks a path of box types from the top level; returns every chain that matches, outermost first. */
export function findPaths(buf: Uint8Array, path: readonly string[]): Box[][] {
  const results: Box[][] = [];
  const walk = (boxes: Box[], depth: number, chain: Box[]) => {
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

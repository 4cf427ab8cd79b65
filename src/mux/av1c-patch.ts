// Replaces the av1C payload that mp4-muxer 5.2.2 writes (always four bytes: marker, then zeros)
// with the real AV1CodecConfigurationRecord. The box grows, so every enclosing box grows with it,
// and every absolute file offset that points past the av1C (stco/co64 chunk offsets, a tfhd
// base_data_offset, tfra moof offsets) moves by the same amount. Offsets before it (moov after
// mdat) stay; a fragmented init segment has no entries to move.
import { BitstreamError } from '../errors.ts';
import { findPaths } from './isobmff.ts';
import type { Box } from './isobmff.ts';

/** Where an AV1 track's av1C sits. */
export const AV1C_PATH = ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'] as const;

const STBL = ['moov', 'trak', 'mdia', 'minf', 'stbl'] as const;

/**
 * Returns a copy of `file` whose every av01 sample entry carries `av1cPayload` as its av1C
 * payload (the record after the box header). `file` itself is not modified.
 */
export function replaceAv1C(file: Uint8Array, av1cPayload: Uint8Array): Uint8Array {
  if (av1cPayload.length < 4 || av1cPayload[0] !== 0x81) {
    throw new BitstreamError(
      `Cannot patch av1C: the payload is not an AV1CodecConfigurationRecord (${av1cPayload.length} bytes, first byte ${av1cPayload[0] ?? 'none'}; expected 0x81 and at least 4 bytes)`,
    );
  }
  const chains = findPaths(file, AV1C_PATH);
  if (chains.length === 0) throw new BitstreamError('Cannot patch av1C: no av01 sample entry with an av1C box');
  // Later boxes first: a patch moves only bytes after its own av1C, so the starts of the boxes
  // still to patch (and their av1C ends) stay valid. Their ancestors' size fields do change,
  // which is why sizes are read back from the current bytes rather than from `chains`.
  let out = file; // never written to: patchOne always copies
  for (const chain of chains.reverse()) out = patchOne(out, chain, av1cPayload);
  return out;
}

function patchOne(file: Uint8Array, chain: Box[], payload: Uint8Array): Uint8Array {
  const av1c = chain[chain.length - 1]!;
  const at = av1c.start + av1c.header;
  const delta = payload.length - (av1c.end - at);
  const out = new Uint8Array(file.length + delta);
  out.set(file.subarray(0, at));
  out.set(payload, at);
  out.set(file.subarray(av1c.end), at + payload.length);
  if (delta === 0) return out;
  const dv = new DataView(out.buffer);
  for (const b of chain) growSize(dv, b, delta);
  shiftOffsets(out, av1c.end, delta);
  return out;
}

function growSize(dv: DataView, b: Box, delta: number): void {
  const size = dv.getUint32(b.start);
  if (size === 0) return; // "to the end of the file": still true after growing
  if (size === 1) {
    dv.setBigUint64(b.start + 8, dv.getBigUint64(b.start + 8) + BigInt(delta));
    return;
  }
  const grown = size + delta;
  if (grown > 0xffffffff) throw new BitstreamError(`Cannot patch av1C: ${b.type} at ${b.start} would outgrow its 32-bit size`);
  dv.setUint32(b.start, grown);
}

/** Moves every absolute offset that pointed at or past `from` (the old av1C end) by `delta`. */
function shiftOffsets(buf: Uint8Array, from: number, delta: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const from64 = BigInt(from);
  const delta64 = BigInt(delta);
  const shift32 = (p: number, what: string): void => {
    const v = dv.getUint32(p);
    if (v < from) return;
    if (v + delta > 0xffffffff) throw new BitstreamError(`Cannot patch av1C: ${what} ${v} would outgrow 32 bits`);
    dv.setUint32(p, v + delta);
  };
  // BigInt throughout: co64 values above 2^53 must not lose their low bits.
  const shift64 = (p: number): void => {
    const v = dv.getBigUint64(p);
    if (v >= from64) dv.setBigUint64(p, v + delta64);
  };

  for (const type of ['stco', 'co64'] as const) {
    for (const chain of findPaths(buf, [...STBL, type])) {
      const box = chain[chain.length - 1]!;
      const width = type === 'stco' ? 4 : 8;
      const base = box.start + box.header + 8; // version/flags, entry_count
      const count = entryCount(dv, box, base, width);
      for (let i = 0; i < count; i++) {
        if (type === 'stco') shift32(base + i * 4, 'stco chunk offset');
        else shift64(base + i * 8);
      }
    }
  }

  for (const chain of findPaths(buf, ['moof', 'traf', 'tfhd'])) {
    const box = chain[chain.length - 1]!;
    const p = box.start + box.header;
    const baseDataOffsetPresent = (dv.getUint32(p) & 0x1) !== 0;
    if (!baseDataOffsetPresent) continue; // data offsets are then relative to the moof
    if (p + 16 > box.end) throw new BitstreamError(`Cannot patch av1C: tfhd at ${box.start} is too short for its base_data_offset`);
    shift64(p + 8);
  }

  for (const chain of findPaths(buf, ['mfra', 'tfra'])) {
    const box = chain[chain.length - 1]!;
    const p = box.start + box.header;
    const v1 = dv.getUint8(p) === 1;
    const sizes = dv.getUint32(p + 8);
    // time and moof_offset, then traf/trun/sample numbers of 1-4 bytes each
    const entry = (v1 ? 16 : 8) + ((sizes >> 4) & 3) + ((sizes >> 2) & 3) + (sizes & 3) + 3;
    const base = p + 16;
    const count = entryCount(dv, box, base, entry);
    for (let i = 0; i < count; i++) {
      const q = base + i * entry;
      if (v1) shift64(q + 8);
      else shift32(q + 4, 'tfra moof offset');
    }
  }
}

/** The entry count just before `base`, checked against the room the box has. */
function entryCount(dv: DataView, box: Box, base: number, width: number): number {
  const count = dv.getUint32(base - 4);
  if (base + count * width > box.end) {
    throw new BitstreamError(`Cannot patch av1C: ${box.type} at ${box.start} lists ${count} entries but has room for fewer`);
  }
  return count;
}

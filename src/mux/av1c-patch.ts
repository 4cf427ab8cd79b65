// Replaces the av1C payload that mp4-muxer 5.2.2 writes (always four bytes: marker, then zeros)
// with the real AV1CodecConfigurationRecord. The box grows, so every enclosing box size grows
// with it, and in a fast-start file (moov before mdat) every stco/co64 chunk offset moves too.
import { BitstreamError } from '../errors.ts';
import { findPaths } from './boxes.ts';

const AV1C_PATH = ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'av01', 'av1C'] as const;

export function replaceAv1C(file: Uint8Array, av1cPayload: Uint8Array): Uint8Array {
  const chains = findPaths(file, AV1C_PATH);
  if (chains.length === 0) throw new BitstreamError('Cannot patch av1C: no av01 sample entry with an av1C box');
  let out = file;
  // Patch from the last box backwards so earlier offsets stay valid while we go.
  for (const chain of chains.reverse()) out = patchOne(out, chain.map((b) => b.start), av1cPayload);
  return out;
}

function patchOne(file: Uint8Array, chainStarts: number[], payload: Uint8Array): Uint8Array {
  // Re-read the chain on the current bytes (an earlier patch may have moved things).
  const chain = findPaths(file, AV1C_PATH).find((c) => c.every((b, i) => b.start === chainStarts[i]));
  if (!chain) throw new BitstreamError('Cannot patch av1C: box chain moved');
  const av1c = chain[chain.length - 1]!;
  const oldPayloadStart = av1c.start + av1c.header;
  const delta = payload.length - (av1c.end - oldPayloadStart);
  const out = new Uint8Array(file.length + delta);
  out.set(file.subarray(0, oldPayloadStart));
  out.set(payload, oldPayloadStart);
  out.set(file.subarray(av1c.end), oldPayloadStart + payload.length);
  const dv = new DataView(out.buffer);
  for (const b of chain) {
    const size = b.end - b.start + delta;
    if (b.header === 16) dv.setBigUint64(b.start + 8, BigInt(size));
    else if (size > 0xffffffff) throw new BitstreamError(`Cannot patch av1C: ${b.type} would exceed 4 GiB`);
    else dv.setUint32(b.start, size);
  }
  if (delta !== 0) shiftChunkOffsets(out, av1c.end, delta);
  return out;
}

/** Moves every chunk offset that pointed at or past `from` (in the old file) by `delta`. */
function shiftChunkOffsets(buf: Uint8Array, from: number, delta: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const type of ['stco', 'co64'] as const) {
    for (const chain of findPaths(buf, ['moov', 'trak', 'mdia', 'minf', 'stbl', type])) {
      const box = chain[chain.length - 1]!;
      const count = dv.getUint32(box.start + box.header + 4);
      const base = box.start + box.header + 8;
      for (let i = 0; i < count; i++) {
        if (type === 'stco') {
          const p = base + i * 4;
          const v = dv.getUint32(p);
          if (v >= from) dv.setUint32(p, v + delta);
        } else {
          const p = base + i * 8;
          const v = dv.getBigUint64(p);
          if (v >= BigInt(from)) dv.setBigUint64(p, v + BigInt(delta));
        }
      }
    }
  }
}

// Cuts a source into segments from its packet index alone: the same chunk boundaries the
// single-machine engine cuts (the output clock's chunkSeconds slices, src/pipeline/readout.ts), so a
// distributed ladder has the same chunks and HLS segments as a local one. A segment that does not
// start on a source key frame is decoded from the key frame before it (its pre-roll).
import { OutputClock } from '../pipeline/readout.ts';
import type { Segment } from './protocol.ts';

export interface IndexedPacket {
  key: boolean;
  timestamp: number;
  duration: number;
}

export function planSegments(index: ReadonlyArray<IndexedPacket>, chunkSeconds: number, frameRate: number, timescale: number | null): Segment[] {
  if (index.length === 0) throw new RangeError('Cannot plan segments: the source has no video packets');
  const frames = [...index].sort((a, b) => a.timestamp - b.timestamp);
  const keys = index.filter((p) => p.key).map((p) => p.timestamp).sort((a, b) => a - b);
  const clock = new OutputClock(chunkSeconds, frameRate, timescale);
  const segments: Segment[] = [];
  for (const f of frames) {
    const { chunk } = clock.place(f.timestamp, f.duration);
    const last = segments[segments.length - 1];
    if (last && last.index === chunk) { last.frames++; continue; }
    if (last) last.endUs = f.timestamp;
    segments.push({ index: chunk, startUs: f.timestamp, endUs: null, frames: 1, preroll: 0 });
  }
  for (const s of segments) {
    let key = keys[0] ?? frames[0]!.timestamp;
    for (const k of keys) if (k <= s.startUs) key = k;
    s.preroll = frames.filter((f) => f.timestamp >= key && f.timestamp < s.startUs).length;
  }
  // Chunk indexes are consecutive from 0 (the clock's slices); a gap would mean an empty slice.
  segments.forEach((s, i) => { s.index = i; });
  return segments;
}

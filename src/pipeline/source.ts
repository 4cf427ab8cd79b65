// The source stages: demux (container packets into a bounded packet queue, so reading the file
// overlaps decoding) and decode (the decoder's frames into a bounded frame queue). A frame source
// (frames the caller made) takes both stages' place with its own iterable: its time is decode time.
import type { DemuxedPacket } from '../types/mod.ts';
import type { StageMeter } from './meter.ts';
import type { BoundedQueue } from './queue.ts';

/** Reads every packet into `out`, then closes it. */
export async function demuxStage(packets: AsyncIterable<DemuxedPacket>, out: BoundedQueue<DemuxedPacket>, meter: StageMeter): Promise<void> {
  const it = packets[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await meter.busy(() => it.next());
      if (r.done) break;
      meter.items++;
      await out.push(r.value);
    }
    out.close();
  } finally {
    await it.return?.();
  }
}

/**
 * Moves decoded frames into `out` (whose dispose closes what it drops), then closes it. The time
 * spent in the decoder's next() counts as busy, less what the decoder itself waited for packets
 * (charged to this meter's waitIn by the packet queue).
 */
export async function decodeStage(frames: AsyncGenerator<VideoFrame, void, undefined>, out: BoundedQueue<VideoFrame>, meter: StageMeter): Promise<void> {
  try {
    for (;;) {
      const t0 = performance.now();
      const w0 = meter.waitInMs;
      const r = await frames.next();
      meter.addBusy(Math.max(0, performance.now() - t0 - (meter.waitInMs - w0)));
      if (r.done) break;
      meter.items++;
      await out.push(r.value);
    }
    out.close();
  } finally {
    // Stops the decoder (or the caller's iterable) and closes the frames it still holds.
    await frames.return();
  }
}

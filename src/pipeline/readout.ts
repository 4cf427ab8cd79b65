// Plane readout stage: copies each decoded frame's planes out (VideoFrame.copyTo, the portable
// hand-off to the GPU scaler) and closes the frame, so a VideoFrame never outlives this stage. It
// also places the frame on the output clock, which needs frames in decode order: this is the last
// stage that sees them one at a time.
import { release } from '../decode/frames.ts';
import { ticksToUs, usToTicks } from '../timescale.ts';
import type { SourcePlanes } from '../types/mod.ts';
import type { StageMeter } from './meter.ts';
import type { BoundedQueue } from './queue.ts';
import type { FrameTiming, ReadFrame } from './types.ts';

/**
 * Output time starts at 0 and never runs backwards (chunk order follows it); a frame's chunk is the
 * `chunkUs` slice its time falls in, never an earlier one than the previous frame's. With the
 * source's timescale, the time since the first frame is taken in its ticks, then rounded to µs once:
 * subtracting two rounded µs times could be off by a whole µs, more than the muxers can undo.
 */
export class OutputClock {
  firstTimestamp: number | null = null;
  #last = -Infinity;
  #chunk = 0;
  #seq = 0;
  readonly #chunkUs: number;
  readonly #frameUs: number;
  readonly #timescale: number | null;

  constructor(chunkSeconds: number, frameRate: number, timescale: number | null = null) {
    this.#chunkUs = chunkSeconds * 1e6;
    this.#frameUs = 1e6 / frameRate;
    this.#timescale = timescale;
  }

  place(timestamp: number, duration: number | null): FrameTiming {
    this.firstTimestamp ??= timestamp;
    const T = this.#timescale;
    const since = T === null ? timestamp - this.firstTimestamp : ticksToUs(usToTicks(timestamp, T) - usToTicks(this.firstTimestamp, T), T);
    const t = Math.max(since, this.#last + 1);
    this.#last = t;
    this.#chunk = Math.max(this.#chunk, Math.floor((t + 1) / this.#chunkUs));
    return { seq: this.#seq++, timestamp: Math.round(t), duration: Math.round(duration ?? this.#frameUs), chunk: this.#chunk };
  }
}

/** Copies a frame's planes out, into a buffer from `alloc` (the front's pool). */
export type ReadPlanes = (frame: VideoFrame, alloc: (size: number) => Uint8Array) => Promise<SourcePlanes>;

export async function readoutStage(
  input: BoundedQueue<VideoFrame>,
  out: BoundedQueue<ReadFrame>,
  opts: { read: ReadPlanes; clock: OutputClock; alloc: (size: number) => Uint8Array },
  meter: StageMeter,
): Promise<void> {
  for (;;) {
    const frame = await input.shift();
    if (frame === undefined) break;
    let planes: SourcePlanes;
    let timing: FrameTiming;
    try {
      planes = await meter.busy(() => opts.read(frame, opts.alloc));
      timing = opts.clock.place(frame.timestamp, frame.duration);
    } finally {
      release(frame);
    }
    meter.items++;
    await out.push({ ...timing, planes });
  }
  out.close();
}

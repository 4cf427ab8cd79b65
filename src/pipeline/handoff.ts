// Hand-off stage: gives each scaled frame to the scheduler, one picture per rung, in frame order.
// It waits on the scaler for the oldest frame (waitIn) and on the scheduler's retained-bytes budget
// (room(), waitOut). The frame leaves the scale queue only once its pictures are pushed, so that
// queue's capacity bounds the frames being scaled or waiting here.
import type { StageMeter } from './meter.ts';
import type { BoundedQueue } from './queue.ts';
import type { FrameSink, ScalingFrame } from './types.ts';

export async function handoffStage(
  input: BoundedQueue<ScalingFrame>,
  sink: FrameSink,
  opts: {
    /** Aborted when the pipeline stops, so a wait on a running scale call ends at once. */
    stop: AbortSignal;
    onFrame?: ((handed: number) => void) | undefined;
  },
  meter: StageMeter,
): Promise<number> {
  let handed = 0;
  for (;;) {
    const frame = await input.peek();
    if (frame === undefined) break;
    const pictures = await meter.waitIn(unlessStopped(frame.pictures, opts.stop));
    for (let r = 0; r < pictures.length; r++) {
      await meter.waitOut(sink.room());
      const t0 = meter.start();
      const bytes = pictures[r]!;
      // A RawFrame's buffer is the picture alone: a view into a larger buffer is copied out.
      const data = bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
      sink.push(r, frame.chunk, { data, timestamp: frame.timestamp, duration: frame.duration });
      meter.end(t0);
    }
    await input.shift();
    meter.items++;
    handed++;
    opts.onFrame?.(handed);
  }
  return handed;
}

/**
 * `p`, or the stop reason once `stop` aborts. Not Promise.race against a promise that settles only
 * on stop: every race would leave a reaction on it holding that frame's pictures until the job ends.
 */
function unlessStopped<T>(p: Promise<T>, stop: AbortSignal): Promise<T> {
  if (stop.aborted) return Promise.reject(stop.reason);
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    p.then(resolve, reject).finally(() => stop.removeEventListener('abort', onStop));
  });
}

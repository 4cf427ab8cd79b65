// diagnostics(): the engine's live resource counts in one call, for leak checks in tests, the demo
// and the CLIs' summaries. The counters themselves stay with their owners (decode/frames.ts,
// encode/lease.ts, scale/plan.ts).
import { openFrameCount } from './decode/frames.ts';
import { liveWorkerCount } from './encode/lease.ts';
import { gpuBufferBytes } from './scale/plan.ts';

export interface Diagnostics {
  /** VideoFrames the engine owns and has not closed yet (0 once every job has settled). */
  openFrames: number;
  /** Encoder workers alive now. */
  liveWorkers: number;
  /** GPU buffer bytes the scalers hold now, and at most since the page (or process) started. */
  gpuBufferBytes: { live: number; peak: number };
}

export function diagnostics(): Diagnostics {
  return { openFrames: openFrameCount(), liveWorkers: liveWorkerCount(), gpuBufferBytes: gpuBufferBytes() };
}

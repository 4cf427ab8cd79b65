// Scale stage: starts a scaler.scale() call per frame without waiting for the one before, so several
// frames are on the GPU (or its CPU stand-in) while the next is read out. The out queue holds the
// calls in frame order and its capacity is the bound on calls at once: the hand-off takes a frame
// out of it only after its call settled.
import type { PictureAlloc, ScaleTarget } from '../scale/scaler.ts';
import type { StageMeter } from './meter.ts';
import type { BoundedQueue } from './queue.ts';
import type { ReadFrame, ScalingFrame } from './types.ts';
import type { SourcePlanes } from '../types/mod.ts';

/** The scaler as this stage uses it (Scaler, or a fake in tests). */
export interface ScaleCall {
  scale(planes: SourcePlanes, targets: ScaleTarget[], options: { rotation: 0 | 90 | 180 | 270; alloc?: PictureAlloc | undefined }): Promise<Uint8Array[]>;
  /** The scaler's own sub-stage times, merged into the profile when it has them. */
  timings?(): { repackMs: number; uploadMs: number; gpuMs: number; readbackMs: number };
}

export async function scaleStage(
  input: BoundedQueue<ReadFrame>,
  out: BoundedQueue<ScalingFrame>,
  opts: {
    scaler: ScaleCall;
    targets: ScaleTarget[];
    rotation: 0 | 90 | 180 | 270;
    /** Gives back a frame's plane bytes once its call settled. */
    recycle?: (data: Uint8Array) => void;
    /** Where the output pictures' buffers come from (the scaler's default: fresh ones). */
    alloc?: PictureAlloc | undefined;
  },
  meter: StageMeter,
): Promise<void> {
  for (;;) {
    const frame = await input.shift();
    if (frame === undefined) break;
    const { planes, ...timing } = frame;
    await out.room(); // a call starts only when its frame has a place in the queue
    const pictures = meter.busy(() => opts.scaler.scale(planes, opts.targets, { rotation: opts.rotation, alloc: opts.alloc }));
    // Reported by the hand-off, in frame order; a call still running when the job fails is dropped.
    // Once the call has settled the scaler no longer reads the planes (it copies what it keeps).
    pictures.then(() => opts.recycle?.(planes.data), () => {});
    meter.items++;
    await out.push({ ...timing, pictures });
  }
  out.close();
}

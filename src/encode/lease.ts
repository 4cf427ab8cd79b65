// Main-thread side of an encoder lease: a worker holding one encoder at a time, reached through
// comlink; falls back to running the core inline where workers are unavailable.
import * as Comlink from 'comlink';
import { ChunkEncoderCore } from './chunk-encoder.ts';
import type { ChunkEncoderApi, ChunkJob, RawFrame } from './messages.ts';
import type { ChunkOutput } from '../types/mod.ts';

export interface EncoderLease {
  readonly id: number;
  /** A hardware lease asks its encoder for 'prefer-hardware'; a software lease never does. */
  readonly hardware: boolean;
  begin(job: ChunkJob): Promise<{ hardware: boolean; encoder: string }>;
  /** Sends a frame; the frame's buffer is transferred (the caller must not reuse it). */
  add(frame: RawFrame): Promise<void>;
  end(): Promise<ChunkOutput>;
  /** Ends the lease: terminates its worker. */
  dispose(): void;
}

let liveWorkers = 0;

/** Encoder workers started and not yet terminated, in this realm (tests check it returns to 0). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

export function createLease(id: number, hardware = false): EncoderLease {
  if (typeof Worker === 'undefined') return inlineLease(id, hardware);
  let terminated = false;
  const worker = new Worker(new URL('../../workers/encode.worker.ts', import.meta.url), {
    type: 'module',
    name: `encoder-lease-${id}`,
  });
  liveWorkers++;
  const remote = Comlink.wrap<ChunkEncoderApi>(worker);
  let failed: Error | null = null;
  let rejectPending: ((e: Error) => void) | null = null;
  // A worker that dies (bad script, crash) would leave comlink calls pending forever.
  worker.addEventListener('error', (ev) => {
    failed = new Error(`Encoder worker ${id} failed: ${ev.message || 'script error'}`);
    rejectPending?.(failed);
  });
  const guard = <T>(p: Promise<T>): Promise<T> => {
    if (failed) return Promise.reject(failed);
    return new Promise<T>((resolve, reject) => {
      rejectPending = reject;
      p.then(resolve, reject);
    });
  };
  return {
    id,
    hardware,
    begin: (job) => guard(remote.begin(job)),
    add: (frame) => guard(remote.add(Comlink.transfer(frame, [frame.data]))),
    end: () => guard(remote.end()),
    dispose() {
      // A terminated worker never answers: settle the pending call so nobody waits on it.
      failed ??= new Error(`Encoder lease ${id} was disposed`);
      rejectPending?.(failed);
      remote[Comlink.releaseProxy]();
      worker.terminate();
      if (!terminated) liveWorkers--;
      terminated = true;
    },
  };
}

function inlineLease(id: number, hardware: boolean): EncoderLease {
  const core = new ChunkEncoderCore();
  return {
    id,
    hardware,
    begin: (job) => core.begin(job),
    add: (frame) => core.add(frame),
    end: () => core.end(),
    dispose: () => core.reset(),
  };
}

// The two kinds of encoder lease a runtime creates (src/types/runtime.ts): a worker lease, whose
// encoder core runs in a Web Worker (workers/encode.worker.ts) reached through comlink, and an inline
// lease, whose core runs on this thread.
import * as Comlink from 'comlink';
import { ChunkEncoderCore } from './chunk-encoder.ts';
import type { ChunkEncoderApi, EncoderLease, VideoCodecs } from '../types/mod.ts';

let liveWorkers = 0;
/** Buffers a worker lease keeps for its next frames (a chunk's frames share one size). */
const SPARE_BUFFERS = 2;

/** Encoder workers started and not yet terminated, in this realm (tests check it returns to 0). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

/** A lease whose encoder runs in its own Web Worker, with the worker realm's WebCodecs. */
export function workerLease(id: number, hardware = false): EncoderLease {
  let terminated = false;
  const worker = new Worker(new URL('../../workers/encode.worker.ts', import.meta.url), {
    type: 'module',
    name: `encoder-lease-${id}`,
  });
  liveWorkers++;
  const remote = Comlink.wrap<ChunkEncoderApi>(worker);
  /** Frame buffers back from the worker, oldest first. */
  const spare: ArrayBuffer[] = [];
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
    async add(frame) {
      // The worker gets a copy it may keep (transferred, so the caller's buffer stays intact for a
      // requeue), in a buffer that came back from an earlier add(): a fresh multi-megabyte buffer
      // per frame costs more than the copy (see src/pipeline/pool.ts).
      const size = frame.data.byteLength;
      const i = spare.findIndex((b) => b.byteLength === size);
      const copy = i >= 0 ? spare.splice(i, 1)[0]! : new ArrayBuffer(size);
      new Uint8Array(copy).set(new Uint8Array(frame.data));
      const back = await guard(remote.add(Comlink.transfer({ ...frame, data: copy }, [copy])));
      if (back instanceof ArrayBuffer && back.byteLength > 0) {
        spare.push(back);
        if (spare.length > SPARE_BUFFERS) spare.shift();
      }
    },
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

/** A lease whose encoder runs on this thread, with the given WebCodecs classes. */
export function inlineLease(id: number, hardware: boolean, codecs: Pick<VideoCodecs, 'VideoEncoder' | 'VideoFrame'>): EncoderLease {
  const core = new ChunkEncoderCore(codecs);
  return {
    id,
    hardware,
    begin: (job) => core.begin(job),
    // The encoder copies the frame into its VideoFrame, so the caller's buffer is never touched.
    add: async (frame) => {
      await core.add(frame);
    },
    end: () => core.end(),
    dispose: () => core.reset(),
  };
}

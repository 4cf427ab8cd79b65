// The Deno entry of the package (`ladder-engine/deno`): what a Deno program needs beyond the main
// entry (`ladder-engine`): the Deno runtime (node-av's WebCodecs, inline leases; pass it as
// `runtime`), the file input and output, probe() and the distributed engine, loaded on demand (it
// needs the @nats-io packages). Importing it changes no global.
export { denoRuntime } from './runtime.ts';
export { DenoFileTarget } from './file-target.ts';
export { openFileReader } from './file-source.ts';
export { probe } from './probe.ts';
export type { EncoderProbe, ProbeReport } from './probe.ts';

/** The distributed engine on NATS JetStream (submit, SegmentWorker, cancelJob, …), imported when first asked for. */
export function loadDistributed(): Promise<typeof import('../../distributed/mod.ts')> {
  return import('../../distributed/mod.ts');
}
export type { Cluster, SourceRef, SubmitOptions, SubmitResult, WorkerOptions } from '../../distributed/mod.ts';

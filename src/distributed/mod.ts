// The distributed engine's public face (NATS JetStream): what `deno task submit`, `worker` and
// `cancel` use. It needs the @nats-io packages, so the package loads it only on demand, through the
// Deno entry's loadDistributed(); nothing else of the engine imports this file.
export { submit } from './coordinator.ts';
export type { SubmitOptions, SubmitResult } from './coordinator.ts';
export { SegmentWorker } from './worker.ts';
export type { WorkerOptions } from './worker.ts';
export { DistributedError, cancelJob, openChunks, openCluster } from './nats.ts';
export type { Cluster } from './nats.ts';
export { SOURCE_OBJECT, isJobId } from './protocol.ts';
export type { SourceRef } from './protocol.ts';

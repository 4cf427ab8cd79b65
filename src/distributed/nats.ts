// The JetStream resources a job runs on, opened (and created where missing) the same way by the
// coordinator, workers and `cancel`: the work-queue stream with its one durable pull consumer, the
// jobs KV bucket, and per-job object stores. Also the cancel operation every side can start.
import { connect } from '@nats-io/transport-node';
import { AckPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Consumer, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { ACK_WAIT_MS, JOBS_BUCKET, MAX_DELIVER, WORK_CONSUMER, WORK_STREAM, WORK_SUBJECT, chunkBucket, workSubject } from './protocol.ts';
import type { JobState } from './protocol.ts';

export class DistributedError extends Error {
  override name = 'DistributedError';
}

export interface Cluster {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kv: KV;
  objm: Objm;
  consumer(): Promise<Consumer>;
  close(): Promise<void>;
}

export async function openCluster(url: string, name: string): Promise<Cluster> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, name, maxReconnectAttempts: 5 });
  } catch (err) {
    throw new DistributedError(`Cannot connect to NATS at ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: WORK_STREAM, subjects: [`${WORK_SUBJECT}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File })
      .catch(async (err: unknown) => { if (!(await jsm.streams.info(WORK_STREAM).catch(() => null))) throw err; });
    await jsm.consumers.add(WORK_STREAM, {
      durable_name: WORK_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_MS * 1_000_000,
      max_deliver: MAX_DELIVER,
      max_ack_pending: -1,
    }).catch(async (err: unknown) => { if (!(await jsm.consumers.info(WORK_STREAM, WORK_CONSUMER).catch(() => null))) throw err; });
    const js = jetstream(nc);
    const kv = await new Kvm(js).create(JOBS_BUCKET, { history: 1 });
    return {
      nc, js, jsm, kv, objm: new Objm(js),
      consumer: () => js.consumers.get(WORK_STREAM, WORK_CONSUMER),
      close: async () => { await nc.drain().catch(() => nc.close()); },
    };
  } catch (err) {
    await nc.close();
    throw new DistributedError(`Cannot set up JetStream at ${url} (is the server started with -js?): ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function readState(kv: KV, job: string): Promise<JobState | null> {
  const e = await kv.get(`${job}.state`);
  return e && e.operation === 'PUT' ? e.json<JobState>() : null;
}

export function openChunks(c: Cluster, job: string): Promise<ObjectStore> {
  return c.objm.open(chunkBucket(job));
}

/**
 * Cancels a job everywhere: its state says so (workers watching it drop its segments), its queued
 * work items are purged, its chunk records deleted and its object store destroyed.
 */
export async function cancelJob(c: Cluster, job: string, reason: string): Promise<{ purged: number; storeRemoved: boolean }> {
  const state = await readState(c.kv, job);
  if (!state) throw new DistributedError(`No job ${job} in the ${JOBS_BUCKET} bucket`);
  if (state.state === 'running') await c.kv.put(`${job}.state`, JSON.stringify({ state: 'cancelled', reason } satisfies JobState));
  const purged = (await c.jsm.streams.purge(WORK_STREAM, { filter: workSubject(job) })).purged;
  const storeRemoved = await removeJobData(c, job);
  return { purged, storeRemoved };
}

/** Deletes a job's chunk records and destroys its object store; true when a store was there. */
export async function removeJobData(c: Cluster, job: string): Promise<boolean> {
  const keys: string[] = [];
  for await (const k of await c.kv.keys(`${job}.chunk.>`)) keys.push(k);
  for (const k of keys) await c.kv.purge(k);
  const names: string[] = [];
  for await (const s of c.objm.list()) names.push(s.bucket);
  if (!names.includes(chunkBucket(job))) return false;
  const os = await c.objm.open(chunkBucket(job));
  return os.destroy();
}

// The coordinator: reads the source's index (no video decoding), cuts segments, publishes one work
// item per segment, follows the chunk records workers put in KV, and finalizes: the contract check
// per rung across machines (a mismatched chunk is re-published with its worker excluded), then the
// outputs through the engine's rung writers. Job state lives in KV, so a restarted coordinator
// (`resume`) picks up from the stream and the store without re-encoding stored chunks.
import { prepareAudio } from '../audio/audio.ts';
import type { PreparedAudio } from '../audio/audio.ts';
import { openInput } from '../demux/demux.ts';
import type { Demuxed } from '../demux/demux.ts';
import { abortError } from '../errors.ts';
import { DEFAULT_LADDER, planLadder } from '../plan/ladder.ts';
import type { InputSource, OutputTarget, Runtime } from '../types/mod.ts';
import { checkRung, writeOutputs } from './finalize.ts';
import type { StoredChunk, WrittenLadder } from './finalize.ts';
import { DistributedError, cancelJob, openChunks, openCluster, readState, removeJobData } from './nats.ts';
import type { Cluster } from './nats.ts';
import { MAX_DELIVER, SOURCE_OBJECT, WORK_CONSUMER, WORK_STREAM, chunkBucket, chunkObject, decodeChunkBlob, workSubject } from './protocol.ts';
import type { ChunkMeta, JobSpec, JobState, SourceRef, WorkItem } from './protocol.ts';
import { planSegments } from './segments.ts';

export interface SubmitOptions {
  nats: string;
  /** The platform: its audio codecs re-encode audio the outputs cannot carry (denoRuntime() under Deno). */
  runtime: Runtime;
  /** A new job: the source to open here and how workers reach it. */
  source?: { input: InputSource; ref: SourceRef; name: string; bytes?: () => Promise<Uint8Array> } | undefined;
  /** Resume this job instead (its source is reopened through `openSource`). */
  resume?: string | undefined;
  openSource: (ref: SourceRef, c: Cluster, job: string) => Promise<InputSource>;
  ladder?: number[] | undefined;
  format?: 'mp4' | 'hls' | undefined;
  chunkSeconds?: number | undefined;
  target: OutputTarget;
  signal?: AbortSignal | undefined;
  /** Called once the job id is known (before any segment is published). */
  onJob?: ((job: string) => void) | undefined;
  onChunk?: ((meta: ChunkMeta, stored: number, total: number) => void) | undefined;
  onRejected?: ((meta: ChunkMeta, reason: string) => void) | undefined;
}

export interface SubmitResult {
  job: string;
  spec: JobSpec;
  written: WrittenLadder;
  audio: PreparedAudio | null;
  /** Chunks already stored when this coordinator started (a resume keeps them). */
  kept: ChunkMeta[];
  rejected: Array<{ rung: number; index: number; worker: string; reason: string }>;
  workers: Record<string, number>;
  /** Segments whose stored chunks came from a redelivered work item, with the delivery count. */
  redelivered: Array<{ segment: number; delivery: number }>;
}

export async function submit(opts: SubmitOptions): Promise<SubmitResult> {
  const c = await openCluster(opts.nats, 'ladder-coordinator');
  try {
    return await run(c, opts);
  } finally {
    await c.close();
  }
}

async function run(c: Cluster, opts: SubmitOptions): Promise<SubmitResult> {
  const signal = opts.signal;
  let spec: JobSpec;
  let demux: Demuxed;
  if (opts.resume) {
    const e = await c.kv.get(`${opts.resume}.spec`);
    if (!e || e.operation !== 'PUT') throw new DistributedError(`Cannot resume job ${opts.resume}: no such job in KV`);
    spec = e.json<JobSpec>();
    const state = await readState(c.kv, spec.job);
    if (state?.state !== 'running') throw new DistributedError(`Cannot resume job ${spec.job}: it is ${state?.state ?? 'gone'}${state && 'reason' in state ? ` (${state.reason})` : ''}`);
    demux = await openInput(await opts.openSource(spec.source, c, spec.job));
  } else {
    if (!opts.source) throw new TypeError('options.source or options.resume is required');
    demux = await openInput(opts.source.input);
    spec = await plan(demux, opts);
  }
  opts.onJob?.(spec.job);
  try {
    const audio = demux.info.audio ? await prepareAudio(await demux.readAudio(), opts.runtime.codecs?.audio ?? null, 'auto', signal) : null;
    if (!opts.resume) {
      await c.objm.create(chunkBucket(spec.job));
      if (spec.source.kind === 'store') {
        const bytes = await opts.source!.bytes!();
        await (await openChunks(c, spec.job)).putBlob({ name: SOURCE_OBJECT }, bytes);
      }
      await c.kv.put(`${spec.job}.state`, JSON.stringify({ state: 'running' } satisfies JobState));
      await c.kv.put(`${spec.job}.spec`, JSON.stringify(spec));
    }
    return await follow(c, spec, demux, audio, opts);
  } finally {
    demux.close();
  }
}

async function plan(demux: Demuxed, opts: SubmitOptions): Promise<JobSpec> {
  const info = demux.info;
  const chunkSeconds = opts.chunkSeconds ?? 2;
  const index = await demux.packetIndex();
  const segments = planSegments(index, chunkSeconds, info.frameRate, info.timescale);
  const job = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  return {
    version: 1, job, source: opts.source!.ref, name: opts.source!.name, format: opts.format ?? 'mp4', chunkSeconds,
    plans: planLadder(info.displayWidth, info.displayHeight, info.frameRate, opts.ladder ?? DEFAULT_LADDER),
    frameRate: info.frameRate, timescale: info.timescale, firstTimestamp: Math.min(...index.map((p) => p.timestamp)),
    colorSpace: info.colorSpace, fullRange: info.colorSpace.fullRange ?? false, rotation: info.rotation,
    segments, totalFrames: index.length, published: false, createdAt: new Date().toISOString(),
  };
}

async function publish(c: Cluster, item: WorkItem): Promise<void> {
  await c.js.publish(workSubject(item.job), JSON.stringify(item));
}

async function follow(c: Cluster, spec: JobSpec, demux: Demuxed, audio: PreparedAudio | null, opts: SubmitOptions): Promise<SubmitResult> {
  const job = spec.job;
  const rungs = spec.plans.length;
  const total = rungs * spec.segments.length;
  const have = new Map<string, ChunkMeta>();
  const rejectedIds = new Set<string>();
  const rejected: SubmitResult['rejected'] = [];
  const excluded = new Map<string, Set<string>>();
  let kept: ChunkMeta[] | null = null;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => { wake?.(); wake = null; };
  const onAbort = () => { failure ??= abortError(opts.signal?.reason); poke(); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  // Watch first, then publish: nothing a worker stores can be missed.
  const watch = await c.kv.watch({ key: `${job}.>` });
  const initial = new Promise<void>((resolve) => {
    void (async () => {
      for await (const e of watch) {
        if (e.operation !== 'PUT') {
          // a purge or delete: nothing to follow
        } else if (e.key.startsWith(`${job}.chunk.`)) {
          const m = e.json<ChunkMeta>();
          if (rejectedIds.has(`${m.encodeId}:${m.rung}`)) continue;
          const k = `${m.rung}.${m.index}`;
          const fresh = !have.has(k);
          have.set(k, m);
          if (fresh && kept !== null) opts.onChunk?.(m, have.size, total);
        } else if (e.key === `${job}.state`) {
          const s = e.json<JobState>();
          if (s.state === 'cancelled' || s.state === 'failed') failure ??= new DistributedError(`Job ${job} ${s.state}: ${s.reason}`);
        }
        if (e.delta === 0) resolve();
        poke();
      }
      resolve();
    })();
  });
  // An empty history yields nothing to mark its end: the watcher's pending count says so.
  await Promise.race([initial, new Promise((r) => setTimeout(r, 500))]);
  kept = [...have.values()];
  for (const m of kept) opts.onChunk?.(m, have.size, total);

  // A work item JetStream gave up on (max_deliver) fails the job, with the workers' last error.
  const advisories = c.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${WORK_STREAM}.${WORK_CONSUMER}`, {
    callback: (_err, msg) => {
      void (async () => {
        const seq = (msg.json<{ stream_seq: number }>()).stream_seq;
        const stored = await c.jsm.streams.getMessage(WORK_STREAM, { seq }).catch(() => null);
        if (stored?.subject !== workSubject(job)) return;
        const item = stored.json<WorkItem>();
        const errors: string[] = [];
        for await (const k of await c.kv.keys(`${job}.failed.>`)) {
          const e = await c.kv.get(k);
          if (e?.operation === 'PUT') errors.push(`${k.split('.').pop()}: ${e.json<{ error: string }>().error}`);
        }
        failure ??= new DistributedError(`Job ${job}: segment ${item.segment} was delivered ${MAX_DELIVER} times without being encoded${errors.length ? `; last errors: ${errors.join('; ')}` : ''}`);
        await c.jsm.streams.deleteMessage(WORK_STREAM, seq).catch(() => {});
        poke();
      })();
    },
  });

  try {
    if (!spec.published) {
      for (const s of spec.segments) {
        const missing = [...Array(rungs).keys()].filter((r) => !have.has(`${r}.${s.index}`));
        if (missing.length) await publish(c, { job, segment: s.index, rungs: missing, exclude: [] });
      }
      spec.published = true;
      await c.kv.put(`${job}.spec`, JSON.stringify(spec));
    }
    const store = await openChunks(c, job);
    for (;;) {
      while (!failure && have.size < total) await new Promise<void>((r) => { wake = r; });
      if (failure) throw failure;
      // Every chunk is in: check each rung across machines.
      const accepted = [];
      let redo = false;
      for (let r = 0; r < rungs; r++) {
        const chunks: StoredChunk[] = [];
        for (const s of spec.segments) {
          const blob = await store.getBlob(chunkObject(r, s.index));
          if (!blob) throw new DistributedError(`Job ${job}: rung ${r} chunk ${s.index} is listed in KV but missing from the object store`);
          chunks.push(decodeChunkBlob(blob));
        }
        const check = checkRung(r, chunks);
        for (const { chunk, reason } of check.rejected) {
          const m = chunk.meta;
          const key = `${m.rung}.${m.index}`;
          const ex = excluded.get(key) ?? new Set<string>();
          ex.add(m.worker);
          excluded.set(key, ex);
          rejectedIds.add(`${m.encodeId}:${m.rung}`);
          have.delete(key);
          rejected.push({ rung: m.rung, index: m.index, worker: m.worker, reason });
          opts.onRejected?.(m, reason);
          await publish(c, { job, segment: m.index, rungs: [m.rung], exclude: [...ex] });
          redo = true;
        }
        if (check.accepted) accepted.push(check.accepted);
      }
      if (redo) continue;
      if (opts.signal?.aborted) throw abortError(opts.signal.reason);
      const written = await writeOutputs(spec, accepted, audio?.track ?? null, opts.target);
      const workers: Record<string, number> = {};
      const redelivered = new Map<number, number>();
      for (const a of accepted) {
        for (const ch of a.chunks) {
          const rec = ch.record as typeof ch.record & { worker: string; delivery: number };
          workers[rec.worker] = (workers[rec.worker] ?? 0) + 1;
          if (rec.delivery > 1) redelivered.set(rec.index, Math.max(redelivered.get(rec.index) ?? 0, rec.delivery));
        }
      }
      await c.kv.put(`${job}.state`, JSON.stringify({ state: 'done' } satisfies JobState));
      await removeJobData(c, job);
      return {
        job, spec, written, audio, kept, rejected, workers,
        redelivered: [...redelivered].map(([segment, delivery]) => ({ segment, delivery })).sort((a, b) => a.segment - b.segment),
      };
    }
  } catch (err) {
    // Ctrl-C or SIGTERM on the coordinator cancels the job everywhere.
    if (err instanceof DOMException && err.name === 'AbortError') await cancelJob(c, job, 'the coordinator was interrupted').catch(() => {});
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    advisories.unsubscribe();
    watch.stop();
    void demux;
  }
}

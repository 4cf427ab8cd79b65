// A worker: pulls segment work items from the shared durable consumer (only as many as it has
// slots, so no message waits unheld in its buffer), encodes each with encodeSegment on its own
// leases, stores every chunk in the job's object store and its record in KV, then acks. While a
// segment runs it sends in-progress acks, so only a dead worker's segment is redelivered. A job's
// state turning to cancelled aborts its segments here within a KV watch round trip.
import { openInput } from '../demux/demux.ts';
import type { Demuxed } from '../demux/demux.ts';
import type { RangeReader, Runtime } from '../types/mod.ts';
import { requireCodecs } from '../platform/browser.ts';
import { listAdapters, requestGpuDevice } from '../platform/gpu.ts';
import { picturePool } from '../pipeline/pool.ts';
import { RateController } from '../schedule/rate.ts';
import { allowedAdapters, parsePolicy, planLeases } from '../schedule/pool.ts';
import type { LeasePlan } from '../schedule/pool.ts';
import { Scaler } from '../scale/scaler.ts';
import type { JsMsg } from '@nats-io/jetstream';
import { SEGMENT_BUFFERED_BYTES, encodeSegment } from './encode-segment.ts';
import { DistributedError, openChunks, openCluster, readState } from './nats.ts';
import type { Cluster } from './nats.ts';
import { EXCLUDED_NAK_MS, HEARTBEAT_MS, SOURCE_OBJECT, WORKER_SEGMENT_FAILURES, chunkKey, chunkObject, encodeChunkBlob } from './protocol.ts';
import type { ChunkMeta, JobSpec, JobState, WorkItem } from './protocol.ts';

export interface WorkerOptions {
  nats: string;
  /** The platform the worker decodes, scales and encodes with (denoRuntime() under Deno). */
  runtime: Runtime;
  /** Opens a source path that the coordinator shared (the platform's file reader). */
  openPath: (path: string) => Promise<RangeReader>;
  /** Encoder leases in all; a segment gets min(leases, rungs) of them, and the rest serve more segments at once. */
  leases?: number | undefined;
  policy?: string | undefined;
  id?: string | undefined;
  /** Test-only: encode with this colour description instead of the job's (a worker that breaks the contract). */
  colorOverride?: VideoColorSpaceInit | undefined;
  signal?: AbortSignal | undefined;
  log?: ((line: string) => void) | undefined;
}

interface JobCtx {
  spec: JobSpec;
  demux: Promise<Demuxed>;
  close: () => void;
  rate: RateController;
  failures: Map<number, number>;
  stopped: boolean;
  running: Set<AbortController>;
}

export class SegmentWorker {
  readonly id: string;
  readonly #opts: WorkerOptions;
  readonly #jobs = new Map<string, JobCtx>();
  /** Jobs that ended (cancelled, failed, done): their items are terminated, not encoded. */
  readonly #ended = new Set<string>();
  #scaler: Promise<Scaler> | null = null;
  /** Scaled pictures' buffers, reused from one segment to the next. */
  readonly #pictures = picturePool(SEGMENT_BUFFERED_BYTES);
  #leasePlans: LeasePlan[] = [];
  #cluster: Cluster | null = null;
  chunks = 0;

  constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.id = opts.id ?? `w-${crypto.randomUUID().slice(0, 8)}`;
    if (!/^[A-Za-z0-9_-]+$/.test(this.id)) throw new TypeError(`options.id must be letters, digits, - or _ (a KV key token), got ${JSON.stringify(this.id)}`);
  }

  #log(line: string): void {
    this.#opts.log?.(`worker ${this.id}: ${line}`);
  }

  /** Runs until the signal aborts (or the connection closes). */
  async run(): Promise<void> {
    const c = this.#cluster = await openCluster(this.#opts.nats, `ladder-worker-${this.id}`);
    const policy = parsePolicy(this.#opts.policy ?? 'all');
    const runtime = this.#opts.runtime;
    const allowed = allowedAdapters(await listAdapters(runtime.gpu), policy);
    const hardwareOk = await requireCodecs(runtime).VideoEncoder.isConfigSupported({ codec: 'av01.0.08M.08', width: 1920, height: 1080, bitrate: 4e6, framerate: 30, hardwareAcceleration: 'prefer-hardware' })
      .then((r) => r.supported === true, () => false);
    this.#leasePlans = planLeases({ policy, allowed, hardwareFor: (a) => a === allowed[0] && hardwareOk, softwareLeases: this.#opts.leases ?? 1 });
    this.#scaler = requestGpuDevice(allowed[0]?.adapter ?? null, `ladder-worker-${this.id}`).then((d) => Scaler.create(d, runtime.loadShader));
    const watching = this.#watchStates(c);
    const consumer = await c.consumer();
    this.#log(`ready: ${this.#leasePlans.length} leases (${this.#leasePlans.filter((l) => l.hardware).length} hardware), pulling from ${this.#opts.nats}`);
    const inFlight = new Set<Promise<void>>();
    let leasesBusy = 0;
    const signal = this.#opts.signal;
    while (!signal?.aborted && !c.nc.isClosed()) {
      // A segment needs at least one lease; a worker holds no message it cannot start.
      if (leasesBusy >= this.#leasePlans.length) { await Promise.race(inFlight); continue; }
      const msg = await consumer.next({ expires: 2_000 }).catch((err: unknown) => {
        if (!signal?.aborted) this.#log(`pull failed: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      });
      if (!msg) continue;
      const item = msg.json<WorkItem>();
      const share = Math.max(1, Math.min(this.#leasePlans.length - leasesBusy, item.rungs.length));
      const leases = this.#leasePlans.slice(leasesBusy, leasesBusy + share);
      leasesBusy += share;
      const p = this.#handle(c, msg, item, leases).finally(() => { leasesBusy -= share; inFlight.delete(p); });
      inFlight.add(p);
    }
    for (const j of this.#jobs.values()) for (const a of j.running) a.abort(new DOMException('Worker stopping', 'AbortError'));
    await Promise.allSettled(inFlight);
    watching.stop();
    for (const j of this.#jobs.values()) j.close();
    (await this.#scaler?.catch(() => null))?.destroy();
    await c.close();
  }

  #watchStates(c: Cluster): { stop(): void } {
    let iter: { stop(): void } | null = null;
    let stopped = false;
    void c.kv.watch({ key: '*.state' }).then(async (it) => {
      iter = it;
      if (stopped) it.stop();
      for await (const e of it) {
        if (e.operation !== 'PUT') continue;
        const s = e.json<JobState>();
        const job = e.key.slice(0, -'.state'.length);
        if (s.state === 'running') continue;
        this.#ended.add(job);
        const ctx = this.#jobs.get(job);
        if (!ctx) continue;
        for (const a of ctx.running) a.abort(new DOMException(`Job ${job} ${s.state}`, 'AbortError'));
        this.#jobs.delete(job);
        ctx.close();
        if (s.state === 'cancelled') this.#log(`job ${job} cancelled: dropped its segments`);
      }
    }).catch((err: unknown) => this.#log(`state watch ended: ${err instanceof Error ? err.message : String(err)}`));
    return { stop() { stopped = true; iter?.stop(); } };
  }

  async #job(c: Cluster, job: string): Promise<JobCtx | null> {
    const known = this.#jobs.get(job);
    if (known) return known;
    const e = await c.kv.get(`${job}.spec`);
    if (!e || e.operation !== 'PUT') return null;
    const spec = e.json<JobSpec>();
    let closeReader: () => void = () => {};
    const demux = (async () => {
      const s = spec.source;
      if (s.kind === 'path') {
        const reader = await this.#opts.openPath(s.path);
        closeReader = () => reader.close?.();
        return openInput(reader);
      }
      if (s.kind === 'url') return openInput(s.url);
      const bytes = await (await openChunks(c, job)).getBlob(SOURCE_OBJECT);
      if (!bytes) throw new DistributedError(`Job ${job}: its source is not in the object store`);
      return openInput(bytes);
    })();
    demux.catch(() => {});
    const ctx: JobCtx = {
      spec, demux,
      close: () => { void demux.then((d) => d.close(), () => {}); closeReader(); },
      rate: new RateController(spec.plans.map((p) => p.bitrate), spec.totalFrames / spec.frameRate),
      failures: new Map(), stopped: false, running: new Set(),
    };
    this.#jobs.set(job, ctx);
    return ctx;
  }

  async #handle(c: Cluster, msg: JsMsg, item: WorkItem, leasePlans: LeasePlan[]): Promise<void> {
    const tag = `job ${item.job} segment ${item.segment}`;
    const state = this.#ended.has(item.job) ? null : await readState(c.kv, item.job);
    if (!state || state.state !== 'running') { msg.term(`job ${state?.state ?? 'unknown'}`); return; }
    const ctx = await this.#job(c, item.job);
    if (!ctx) { msg.term('no job spec'); return; }
    if (ctx.stopped || item.exclude.includes(this.id)) { msg.nak(EXCLUDED_NAK_MS); return; } // leave it to another worker
    const abort = new AbortController();
    ctx.running.add(abort);
    const heartbeat = setInterval(() => msg.working(), HEARTBEAT_MS);
    const delivery = msg.info.deliveryCount;
    const leases = leasePlans.map((l) => this.#opts.runtime.createLease(l.id, l.hardware));
    // An abort ends in-flight encodes at once (a chunk's flush can take seconds), as transcode() does.
    abort.signal.addEventListener('abort', () => { for (const l of leases) l.dispose(); }, { once: true });
    this.#log(`segment-start ${item.job} ${item.segment} rungs ${item.rungs.join(',')} delivery ${delivery}`);
    try {
      const segment = ctx.spec.segments[item.segment];
      if (!segment) throw new DistributedError(`${tag}: the job has no such segment`);
      const everyRung = item.rungs.length === ctx.spec.plans.length && item.rungs.every((r, i) => r === i);
      const chunks = await encodeSegment({
        spec: ctx.spec, demux: await ctx.demux, segment, rungs: item.rungs, codecs: requireCodecs(this.#opts.runtime), scaler: await this.#scaler!, pictures: this.#pictures, leases, signal: abort.signal,
        rate: everyRung ? ctx.rate : undefined, colorOverride: this.#opts.colorOverride,
      });
      const store = await openChunks(c, item.job);
      const encodeId = crypto.randomUUID();
      for (const ch of chunks) {
        const r = ch.record;
        const meta: ChunkMeta = {
          rung: ch.rung, index: segment.index, worker: this.id, encodeId, encoder: ch.output.encoder, hardware: ch.output.hardware, frames: r.frames, bytes: r.bytes,
          seconds: r.seconds, targetBitrate: r.targetBitrate, aimBitrate: r.aimBitrate, quantizer: r.quantizer, attempts: r.attempts, delivery,
        };
        // Keyed by job, rung and index: a duplicate delivery overwrites, never adds.
        await store.putBlob({ name: chunkObject(ch.rung, segment.index) }, encodeChunkBlob(meta, ch.output.packets));
        if (abort.signal.aborted) throw abort.signal.reason;
        await c.kv.put(chunkKey(item.job, ch.rung, segment.index), JSON.stringify(meta));
      }
      await msg.ackAck();
      this.chunks += chunks.length;
      this.#log(`segment-done ${item.job} ${item.segment} chunks ${chunks.length}`);
    } catch (err) {
      if (abort.signal.aborted || this.#ended.has(item.job)) {
        msg.term('job ended');
        this.#log(`segment-dropped ${item.job} ${item.segment}`);
        return;
      }
      const n = (ctx.failures.get(item.segment) ?? 0) + 1;
      ctx.failures.set(item.segment, n);
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.#log(`segment-failed ${item.job} ${item.segment} (${n}): ${text}`);
      await c.kv.put(`${item.job}.failed.${this.id}`, JSON.stringify({ segment: item.segment, failures: n, error: text })).catch(() => {});
      if (n >= WORKER_SEGMENT_FAILURES) {
        ctx.stopped = true; // this worker leaves the job; others (or max_deliver) decide the segment
        this.#log(`stopped taking job ${item.job} after ${n} failures of segment ${item.segment}`);
      }
      msg.nak(1_000);
    } finally {
      clearInterval(heartbeat);
      ctx.running.delete(abort);
      for (const l of leases) l.dispose();
    }
  }
}

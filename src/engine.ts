// The engine: many concurrent transcode jobs over one balancer and one shared encoder pool. Each
// job runs the one-job pipeline (transcode.ts); once its ladder is resolved the balancer picks its
// home adapter (decode + scale, and its hardware encoder) and the engine grants it leases:
//   - an adapter's hardware encoder session goes to one running job at a time (never two hardware
//     sessions on one adapter, across jobs as within one);
//   - software encoder leases come from one budget shared by the running jobs: a job gets an equal
//     share of it (at least 1, so a job never waits), fixed for its life, and gives it back when it
//     ends. Leases are not handed between jobs mid-run: a Scheduler owns its leases for the job.
import { TranscodeError, abortError } from './errors.ts';
import type { BalanceDecision, BalancerJob, JobHooks, LoadBalancer, Placement } from './balance/balancer.ts';
import { WeightedLeastLoadBalancer } from './balance/weighted.ts';
import { checkOptions } from './options.ts';
import { browserRuntime } from './platform/browser.ts';
import { defaultLeaseCount } from './platform/gpu.ts';
import type { FoundAdapter } from './platform/gpu.ts';
import { emit } from './progress/events.ts';

import { inspectHardware } from './schedule/inspect.ts';

import { transcode } from './transcode.ts';
import type { HardwareReport, ProgressEvent, Runtime, TranscodeOptions, TranscodeResult } from './types/mod.ts';

export interface EngineOptions {
  /** The placement policy: an object with the LoadBalancer hooks, or a class to instantiate. Default WeightedLeastLoadBalancer. */
  balancer?: LoadBalancer | (new () => LoadBalancer);
  /** Per-adapter weights for the balancer, e.g. "100,66" (see parseAdapterWeights). */
  adapterWeights?: string;
  /** Software encoder leases shared by all running jobs. Default: max(2, cores); min(2, cores) where leases run inline (Deno). */
  leases?: number;
  /** The platform every job runs on unless its own options name one. Default: browserRuntime(). */
  runtime?: Runtime;
}

type JobBalanced = Extract<ProgressEvent, { type: 'job-balanced' }>;

export interface EngineReport {
  hardware: HardwareReport;
  /** Running jobs that have been placed, with the decision that placed them. */
  jobs: JobBalanced[];
  /** Adapter index → id of the job holding its hardware encoder session. */
  hardwareSessions: Record<number, number>;
  softwareLeases: { budget: number; inUse: number };
  /** Jobs placed so far on each adapter index, finished ones included. */
  placed: Record<number, number>;
}

export interface Engine {
  /** Runs one job (same options and result as transcode()); many may run at once. */
  transcode(options: TranscodeOptions): Promise<TranscodeResult>;
  /** The hardware report and where the running jobs are, and why. */
  report(): Promise<EngineReport>;
  /** Refuses new jobs, aborts the running ones, and resolves once every job has been destroyed. */
  close(): Promise<void>;
}

/** Internal: what the engine runs jobs with (tests substitute a simulated runner). */
export interface EngineDeps {
  inspect(): Promise<HardwareReport>;
  run(options: TranscodeOptions, hooks: JobHooks): Promise<TranscodeResult>;
  defaultLeases(): number;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const runtime = options?.runtime ?? browserRuntime();
  return createEngineWith({
    inspect: () => inspectHardware(runtime),
    run: (job, hooks) => transcode({ ...job, runtime: job.runtime ?? runtime }, hooks),
    defaultLeases: () => defaultLeaseCount(runtime),
  }, options);
}

function toBalancer(b: EngineOptions['balancer']): LoadBalancer {
  const balancer = typeof b === 'function' ? new b() : b ?? new WeightedLeastLoadBalancer();
  if (typeof balancer !== 'object' || balancer === null || typeof balancer.onJobLoadBalance !== 'function') {
    throw new TypeError('options.balancer must have an onJobLoadBalance(job) method');
  }
  return balancer;
}

interface Running {
  job: BalancerJob;
  settled: Promise<unknown>;
  hardwareAdapter: number | null;
  softwareLeases: number;
  decision: JobBalanced | null;
  /** Aborts this job: its caller's signal or close() (one controller per job, so no listener piles up on a shared signal). */
  controller: AbortController;
}

export function createEngineWith(deps: EngineDeps, options: EngineOptions = {}): Engine {
  if (typeof options !== 'object' || options === null) throw new TypeError('createEngine() options must be an object');
  if (options.adapterWeights !== undefined && typeof options.adapterWeights !== 'string') throw new TypeError('options.adapterWeights must be a string such as "100,66"');
  if (options.leases !== undefined && !(Number.isInteger(options.leases) && options.leases >= 1)) throw new RangeError(`options.leases must be a positive integer, got ${String(options.leases)}`);
  const balancer = toBalancer(options.balancer);
  const budget = options.leases ?? deps.defaultLeases();
  const closing = new AbortController();
  const running = new Map<number, Running>();
  const hardwareHeld = new Map<number, number>();
  const placedCount: Record<number, number> = {};
  let softwareInUse = 0;
  let nextId = 1;
  let ready: Promise<HardwareReport> | null = null;

  const setup = async (): Promise<HardwareReport> => {
    await balancer.init?.({ adapterWeights: options.adapterWeights });
    const report = await deps.inspect();
    await balancer.onHardwareInspection?.(report);
    return report;
  };

  const place = async (r: Running, source: Parameters<JobHooks['place']>[0], plans: Parameters<JobHooks['place']>[1], allowed: FoundAdapter[]): Promise<Placement> => {
    const { job } = r;
    job.source = source;
    job.rungs = plans;
    await balancer.onJobInit?.(job);
    job.candidates = allowed.map((a) => ({ adapter: a.info, hardwareEncoderFree: !hardwareHeld.has(a.info.index) }));
    const decision: BalanceDecision = await balancer.onJobLoadBalance(job);
    const home = allowed.find((a) => a.info.index === decision?.adapter);
    if (!home) {
      throw new RangeError(`LoadBalancer.onJobLoadBalance chose adapter ${String(decision?.adapter)} for job ${job.id}, which its policy does not allow (allowed: ${allowed.map((a) => a.info.index).join(', ')})`);
    }
    const index = home.info.index;
    job.adapter = index;
    placedCount[index] = (placedCount[index] ?? 0) + 1;
    const hardware = (decision.encode?.hardware ?? true) && job.options.policy !== 'software' && !hardwareHeld.has(index);
    if (hardware) {
      hardwareHeld.set(index, job.id);
      r.hardwareAdapter = index;
    }
    const asked = decision.encode?.softwareLeases ?? job.options.leases;
    if (asked !== undefined && !(Number.isInteger(asked) && asked >= 1)) throw new RangeError(`encode.softwareLeases must be a positive integer, got ${String(asked)}`);
    const share = Math.max(1, Math.floor(budget / running.size));
    const softwareLeases = asked ?? Math.max(1, Math.min(share, budget - softwareInUse));
    softwareInUse += softwareLeases;
    r.softwareLeases = softwareLeases;
    r.decision = {
      type: 'job-balanced', jobId: job.id, adapter: home.info, hardwareEncoder: hardware, softwareLeases,
      jobLoad: decision.jobLoad ?? null, loads: decision.loads ?? [],
    };
    emit(job.options.onProgress, r.decision);
    return { home, hardware, softwareLeases };
  };

  const runJob = async (r: Running, opts: TranscodeOptions, signal: AbortSignal): Promise<TranscodeResult> => {
    const { job } = r;
    try {
      await balancer.onJobCreate?.(job);
      const result = await deps.run({ ...opts, signal }, { place: (source, plans, allowed) => place(r, source, plans, allowed) });
      job.outcome = 'done';
      return result;
    } catch (err) {
      job.outcome = signal.aborted || (err as Error | null)?.name === 'AbortError' ? 'aborted' : 'failed';
      throw err;
    } finally {
      if (r.hardwareAdapter !== null) hardwareHeld.delete(r.hardwareAdapter);
      softwareInUse -= r.softwareLeases;
      running.delete(job.id);
      try {
        await balancer.onJobDestroy?.(job);
      } catch (err) {
        console.error(`LoadBalancer.onJobDestroy threw for job ${job.id}; ignoring`, err);
      }
    }
  };

  return {
    async transcode(opts) {
      if (closing.signal.aborted) throw new TranscodeError('Cannot start a job: the engine is closed');
      checkOptions(opts);
      ready ??= setup();
      await ready;
      if (closing.signal.aborted) throw abortError(closing.signal.reason);
      const job: BalancerJob = { id: nextId++, options: opts, source: null, rungs: null, candidates: null, adapter: null, outcome: null };
      const controller = new AbortController();
      const forward = () => controller.abort(opts.signal?.reason);
      if (opts.signal?.aborted) forward();
      opts.signal?.addEventListener('abort', forward, { once: true });
      const r: Running = { job, settled: Promise.resolve(), hardwareAdapter: null, softwareLeases: 0, decision: null, controller };
      running.set(job.id, r);
      const p = runJob(r, opts, controller.signal).finally(() => opts.signal?.removeEventListener('abort', forward));
      r.settled = p.catch(() => {});
      return p;
    },
    async report() {
      ready ??= setup();
      const hardware = await ready;
      return {
        hardware,
        jobs: [...running.values()].flatMap((r) => (r.decision ? [r.decision] : [])),
        hardwareSessions: Object.fromEntries(hardwareHeld),
        softwareLeases: { budget, inUse: softwareInUse },
        placed: { ...placedCount },
      };
    },
    async close() {
      if (!closing.signal.aborted) closing.abort(abortError('The engine was closed'));
      for (const r of running.values()) r.controller.abort(closing.signal.reason);
      await Promise.all([...running.values()].map((r) => r.settled));
    },
  };
}

// The load-balancer contract between the engine and a placement policy: the hooks a balancer gets
// over an engine's life and each job's, and what it answers. The default policy is in weighted.ts;
// a caller may pass any object with these hooks (or a subclass of the default).
import type { FoundAdapter } from '../platform/gpu.ts';
import type { AdapterInfo, AdapterLoad, HardwareReport, RungPlan, SourceInfo, TranscodeOptions } from '../types/mod.ts';

export type { AdapterLoad } from '../types/mod.ts';

/** What the engine was created with, as far as a balancer cares. */
export interface BalancerConfig {
  /** Per-adapter weights as given to createEngine, e.g. "100,66" (unparsed). */
  adapterWeights: string | undefined;
}

/** One adapter a job may be placed on, as the engine's pool sees it at decision time. */
export interface Candidate {
  adapter: AdapterInfo;
  /** No other running job of this engine holds the adapter's hardware encoder session. */
  hardwareEncoderFree: boolean;
}

/**
 * A job as the balancer sees it. The engine fills the fields in as the job advances; a balancer
 * keeps its own per-job state keyed by `id` (or by the object).
 */
export interface BalancerJob {
  readonly id: number;
  /** The caller's options (read-only: changing them has no effect). */
  readonly options: Readonly<TranscodeOptions>;
  /** Set before onJobInit. */
  source: SourceInfo | null;
  /** The resolved ladder; set before onJobInit. */
  rungs: ReadonlyArray<RungPlan> | null;
  /** The adapters the job's policy allows; set before onJobLoadBalance. */
  candidates: ReadonlyArray<Candidate> | null;
  /** The chosen home adapter's index; set once onJobLoadBalance has answered. */
  adapter: number | null;
  /** Set before onJobDestroy. */
  outcome: 'done' | 'failed' | 'aborted' | null;
}

export interface EncodePreference {
  /** Use the home adapter's hardware encoder when it has one and it is free. Default true. */
  hardware?: boolean;
  /** Software encoder leases (workers) for this job. Default: the job's `leases`, else the engine's share. */
  softwareLeases?: number;
}

export interface BalanceDecision {
  /** Index (AdapterInfo.index) of the home adapter: it decodes and scales the job. */
  adapter: number;
  encode?: EncodePreference;
  /** The job's own load, if the balancer measures one. */
  jobLoad?: number;
  /** The loads the decision was made on, if the balancer keeps any. */
  loads?: AdapterLoad[];
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Hooks, in order: init and onHardwareInspection once per engine; then per job onJobCreate,
 * onJobInit (ladder resolved), onJobLoadBalance, onJobDestroy. onJobDestroy is called for every
 * job that got onJobCreate, on success, failure and abort alike (a job that fails before its ladder
 * is resolved skips onJobInit and onJobLoadBalance).
 */
export interface LoadBalancer {
  init?(config: BalancerConfig): MaybePromise<void>;
  onHardwareInspection?(report: HardwareReport): MaybePromise<void>;
  onJobCreate?(job: BalancerJob): MaybePromise<void>;
  onJobInit?(job: BalancerJob): MaybePromise<void>;
  onJobLoadBalance(job: BalancerJob): MaybePromise<BalanceDecision>;
  onJobDestroy?(job: BalancerJob): MaybePromise<void>;
}

/** Where transcode() runs a job that an engine placed. */
export interface Placement {
  home: FoundAdapter;
  hardware: boolean;
  softwareLeases: number;
}

/**
 * Internal: what an engine hands transcode() for one job. `place` is called once the ladder is
 * resolved, with the adapters the job's policy allows, before any GPU work.
 */
export interface JobHooks {
  place(source: SourceInfo, plans: RungPlan[], allowed: FoundAdapter[]): Promise<Placement>;
}

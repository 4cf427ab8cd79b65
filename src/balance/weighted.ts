// The default balancer: weighted least load. A job's load on an adapter is
//   (decode px × wDecode + scale px × wScale + encode px × wEncode) ÷ 1000, rounded, at least 1,
// counting only the stages placed on that adapter, and the job goes to the adapter with the least
// load × maxWeight ÷ weight. Its load is added on assignment and subtracted on destroy.
//
// "px" is pixels per second of video, so a job's load is the rate of work it puts on an adapter
// while it runs (not its total work):
//   decode px = source coded width × height × frame rate (the home adapter decodes)
//   scale px  = Σ over rungs of width × height × frame rate (the home adapter scales every rung)
//   encode px = Σ over rungs of width × height × frame rate, counted only when the job uses the
//               home adapter's hardware encoder; software leases run on CPU cores, not an adapter.
import type { AdapterLoad, HardwareReport } from '../types/mod.ts';
import type { BalanceDecision, BalancerConfig, BalancerJob, Candidate, LoadBalancer } from './balancer.ts';
import { parseAdapterWeights } from './weights.ts';

export interface StageFactors {
  decode: number;
  scale: number;
  encode: number;
}

export const DEFAULT_FACTORS: Readonly<StageFactors> = { decode: 1, scale: 1, encode: 5 };

export interface StagePixels {
  decode: number;
  scale: number;
  encode: number;
}

/** A job's pixel rates per stage (see the file comment); needs the job's source and ladder. */
export function stagePixels(job: Pick<BalancerJob, 'source' | 'rungs'>): StagePixels {
  if (!job.source || !job.rungs) throw new TypeError('stagePixels needs a job whose source and ladder are resolved');
  const fps = job.source.frameRate;
  const decode = job.source.codedWidth * job.source.codedHeight * fps;
  const rungs = job.rungs.reduce((n, r) => n + r.width * r.height * fps, 0);
  return { decode, scale: rungs, encode: rungs };
}

/** The load rule: only the stages on the adapter count; rounded to an integer so loads add back to 0 exactly. */
export function loadOf(px: StagePixels, factors: StageFactors, hardwareEncode: boolean): number {
  const weighted = px.decode * factors.decode + px.scale * factors.scale + (hardwareEncode ? px.encode * factors.encode : 0);
  return Math.max(1, Math.round(weighted / 1000));
}

export class WeightedLeastLoadBalancer implements LoadBalancer {
  readonly factors: StageFactors;
  #weightSpec: string | undefined;
  #weights: number[] = [];
  #loads: number[] = [];
  #hardwareAv1 = false;
  /** What each placed job added, so destroy subtracts exactly that. */
  #assigned = new Map<number, { adapter: number; load: number }>();

  constructor(opts: { factors?: Partial<StageFactors>; adapterWeights?: string } = {}) {
    this.factors = { ...DEFAULT_FACTORS, ...opts.factors };
    for (const [k, v] of Object.entries(this.factors)) {
      if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`factors.${k} must be a non-negative number, got ${String(v)}`);
    }
    this.#weightSpec = opts.adapterWeights;
  }

  init(config: BalancerConfig): void {
    if (config.adapterWeights !== undefined) this.#weightSpec = config.adapterWeights;
  }

  onHardwareInspection(report: HardwareReport): void {
    const count = report.adapters.reduce((n, a) => Math.max(n, a.index + 1), 0);
    this.#weights = parseAdapterWeights(this.#weightSpec, count);
    this.#loads = this.#weights.map(() => 0);
    // Browsers expose one WebCodecs hardware path; it belongs to whichever adapter is the job's home.
    this.#hardwareAv1 = report.encode.some((e) => e.codec.startsWith('av01') && e.hardware);
  }

  /** Current load per adapter index. */
  loads(): number[] {
    return this.#loads.slice();
  }

  weights(): number[] {
    return this.#weights.slice();
  }

  /** The job's load if placed on this candidate. */
  jobLoad(job: BalancerJob, candidate: Candidate): number {
    return loadOf(stagePixels(job), this.factors, this.#hardwareAv1 && candidate.hardwareEncoderFree);
  }

  onJobLoadBalance(job: BalancerJob): BalanceDecision {
    const candidates = job.candidates ?? [];
    const maxWeight = Math.max(0, ...this.#weights);
    const loads: AdapterLoad[] = candidates.map(({ adapter }) => {
      const weight = this.#weights[adapter.index] ?? 0;
      const load = this.#loads[adapter.index] ?? 0;
      return { index: adapter.index, weight, load, score: weight > 0 ? (load * maxWeight) / weight : Infinity };
    });
    // Least score; ties go to the heavier weight, then the lower index.
    let best: AdapterLoad | null = null;
    for (const l of loads) {
      if (l.weight <= 0) continue;
      if (!best || l.score < best.score || (l.score === best.score && l.weight > best.weight)) best = l;
    }
    if (!best) {
      throw new RangeError(`Cannot place job ${job.id}: every adapter it may use has weight 0 (weights ${this.#weights.join(',') || 'none'}; candidates ${candidates.map((c) => c.adapter.index).join(',') || 'none'})`);
    }
    const candidate = candidates.find((c) => c.adapter.index === best.index)!;
    const hardware = this.#hardwareAv1 && candidate.hardwareEncoderFree;
    const jobLoad = this.jobLoad(job, candidate);
    this.#loads[best.index] = (this.#loads[best.index] ?? 0) + jobLoad;
    this.#assigned.set(job.id, { adapter: best.index, load: jobLoad });
    return { adapter: best.index, encode: { hardware }, jobLoad, loads };
  }

  onJobDestroy(job: BalancerJob): void {
    const a = this.#assigned.get(job.id);
    if (!a) return; // failed before it was placed: nothing was added
    this.#assigned.delete(job.id);
    this.#loads[a.adapter] = (this.#loads[a.adapter] ?? 0) - a.load;
  }
}

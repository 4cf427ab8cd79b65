// The run's stage profile (result.stats.stages): the front stages' meters and the scheduler's lease,
// contract and mux times in one object, the stage that bounds the wall time, and a one-line
// summary for the CLIs and benches.
import type { SchedulerStages, StageName, StageProfile, StageStats } from '../types/mod.ts';
import { round } from './meter.ts';
import type { FrontMeters } from './front.ts';
import type { ScaleCall } from './scale.ts';

const ORDER: StageName[] = ['demux', 'decode', 'readout', 'scale', 'handoff', 'encode', 'contract', 'mux'];

export function stageProfile(opts: {
  wallMs: number;
  front: FrontMeters;
  scheduler: SchedulerStages;
  maxScalesInFlight: number;
  scaler?: ScaleCall | undefined;
}): StageProfile {
  const { front, scheduler } = opts;
  const sub = opts.scaler?.timings?.();
  const leases = scheduler.leases;
  const sum = (f: (l: (typeof leases)[number]) => number) => leases.reduce((n, l) => n + f(l), 0);
  const leaseIdleMs = round(sum((l) => l.idleMs));
  const stages = {
    demux: front.demux.stats(),
    decode: front.decode.stats(),
    readout: front.readout.stats(),
    scale: {
      ...front.scale.stats(), callMs: round(front.scale.callMs), maxInFlight: opts.maxScalesInFlight,
      ...(sub ? { repackMs: round(sub.repackMs), uploadMs: round(sub.uploadMs), gpuMs: round(sub.gpuMs), readbackMs: round(sub.readbackMs) } : {}),
    },
    handoff: front.handoff.stats(),
    // Leases wait only for frames to arrive (waitIn): nothing after them holds an encoder back.
    encode: { busyMs: round(sum((l) => l.busyMs)), waitInMs: leaseIdleMs, waitOutMs: 0, items: sum((l) => l.chunks), parallelism: Math.max(1, leases.length), leases },
    contract: scheduler.contract,
    mux: scheduler.mux,
  };
  const { bound, boundMs } = boundOf(stages);
  return {
    wallMs: round(opts.wallMs),
    ...stages,
    leaseIdleMs,
    leaseIdleShare: leases.length > 0 && opts.wallMs > 0 ? Math.round((leaseIdleMs / (leases.length * opts.wallMs)) * 1000) / 1000 : 0,
    bound,
    boundMs,
  };
}

/**
 * The stage that bounds the wall time: the largest busyMs ÷ parallelism. A stage cannot finish in
 * less wall time than it is busy per worker, so the run cannot beat that stage's figure; ties go
 * to the earlier stage.
 */
export function boundOf(stages: Record<StageName, StageStats>): { bound: StageName; boundMs: number } {
  let bound: StageName = 'decode';
  let boundMs = -1;
  for (const name of ORDER) {
    const s = stages[name];
    const ms = s.busyMs / Math.max(1, s.parallelism);
    if (ms > boundMs) { bound = name; boundMs = ms; }
  }
  return { bound, boundMs: round(boundMs) };
}

/**
 * One line: each stage's busy seconds with (waiting on the stage before / after) where it waited,
 * the leases' idle share and the bound, e.g.
 * `stages s busy (wait in/out): demux 0.1 (0.0/3.2) · … · encode 2×9.8 · lease idle 18% · bound scale 12.0 of 14.1 s`.
 */
export function formatStages(p: StageProfile): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const waits = (x: StageStats) => (x.waitInMs >= 50 || x.waitOutMs >= 50 ? ` (${s(x.waitInMs)}/${s(x.waitOutMs)})` : '');
  const parts = ORDER.map((name) => {
    const x = p[name];
    if (name === 'encode') return `encode ${x.parallelism}×${s(x.busyMs / x.parallelism)}`;
    if (name === 'scale') return `scale ${s(x.busyMs)}${waits(x)} ≤${p.scale.maxInFlight} at once`;
    return `${name} ${s(x.busyMs)}${waits(x)}`;
  });
  return `stages s busy (wait in/out): ${parts.join(' · ')} · lease idle ${Math.round(p.leaseIdleShare * 100)}% · bound ${p.bound} ${s(p.boundMs)} of ${s(p.wallMs)} s`;
}

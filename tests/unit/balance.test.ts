// The load balancer and the engine around it, without a browser: the weighted-least-load
// arithmetic, the weights list, load released on every outcome, the 60/40 split on adapters
// weighted 100 and 66, and a custom balancer through the API. Jobs run on a simulated runner in
// virtual time (tests/lib/simulated.ts's clock) that plans the ladder and resolves the policy with
// the real code and is placed through the engine's real hooks. No wall-clock assertions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalancerJob, Candidate, JobHooks, LoadBalancer } from '../../src/balance/balancer.ts';
import { WeightedLeastLoadBalancer, loadOf, stagePixels } from '../../src/balance/weighted.ts';
import { parseAdapterWeights } from '../../src/balance/weights.ts';
import { VirtualClock } from '../lib/simulated.ts';
import { createEngineWith } from '../../src/engine.ts';
import { CodecFailureError, CorruptInputError, abortError } from '../../src/errors.ts';
import { planLadder } from '../../src/plan/ladder.ts';
import type { AdapterInfo, FoundAdapter } from '../../src/platform/gpu.ts';
import type { ProgressEvent } from '../../src/progress/events.ts';
import { allowedAdapters, parsePolicy } from '../../src/schedule/pool.ts';
import type { HardwareReport } from '../../src/schedule/inspect.ts';
import type { SourceInfo, TranscodeOptions, TranscodeResult } from '../../src/types/mod.ts';

function adapterInfo(index: number): AdapterInfo {
  return { index, vendor: `sim${index}`, architecture: '', description: `simulated adapter ${index}`, isFallback: false };
}

function report(adapters: number, hardwareAv1 = false): HardwareReport {
  return {
    adapters: Array.from({ length: adapters }, (_, i) => adapterInfo(i)),
    cores: 2,
    encode: [{ codec: 'av01.0.08M.08', width: 1920, height: 1080, hardware: hardwareAv1, software: true }],
  };
}

function source(width: number, height: number, frameRate: number): SourceInfo {
  return {
    container: 'sim', codec: 'sim', codedWidth: width, codedHeight: height, squarePixelWidth: width, squarePixelHeight: height,
    rotation: 0, displayWidth: width, displayHeight: height, pixelAspectRatio: { num: 1, den: 1 }, frameRate,
    durationSeconds: 10, frameCount: 10 * frameRate, timescale: null, colorSpace: {}, audio: null,
  };
}

/** A job whose decode and scale pixel rates are given directly: a W×1 source at 1 fps, one S×1 rung. */
function pixelJob(id: number, decodePx: number, scalePx: number, candidates: number[]): BalancerJob {
  return {
    id, options: { input: 'x' }, source: source(decodePx, 1, 1),
    rungs: [{ label: 1, width: scalePx, height: 1, bitrate: 1, quantizer: null, codec: 'av01.0.00M.08' }],
    candidates: candidates.map((i) => ({ adapter: adapterInfo(i), hardwareEncoderFree: true })), adapter: null, outcome: null,
  };
}

describe('adapter weights', () => {
  it('parses a list; blank and missing entries take the highest weight given; negative is 0', () => {
    assert.deepEqual(parseAdapterWeights('100,66', 2), [100, 66]);
    assert.deepEqual(parseAdapterWeights('100,,50', 3), [100, 100, 50], 'blank entry');
    assert.deepEqual(parseAdapterWeights('50, 80', 4), [50, 80, 80, 80], 'missing entries');
    assert.deepEqual(parseAdapterWeights('100,-5', 2), [100, 0], 'negative');
    assert.deepEqual(parseAdapterWeights('-3,,', 3), [0, 0, 0], 'highest given is 0 after clamping');
    assert.deepEqual(parseAdapterWeights(' 7 ', 1), [7]);
    assert.deepEqual(parseAdapterWeights('', 2), [100, 100], 'nothing given: all equal');
    assert.deepEqual(parseAdapterWeights(undefined, 2), [100, 100]);
    assert.deepEqual(parseAdapterWeights('10,20,30', 2), [10, 20], 'extra entries are ignored');
    assert.throws(() => parseAdapterWeights('100,fast', 2), { name: 'TypeError', message: /entry 1/ });
  });

  it('an adapter of weight 0 gets nothing; a job only it may take cannot be placed', () => {
    for (const spec of ['0,100', '-20,100']) {
      const b = new WeightedLeastLoadBalancer({ adapterWeights: spec });
      b.onHardwareInspection(report(2));
      for (let id = 1; id <= 5; id++) assert.equal(b.onJobLoadBalance(pixelJob(id, 1000, 1000, [0, 1])).adapter, 1, spec);
      assert.throws(() => b.onJobLoadBalance(pixelJob(9, 1000, 1000, [0])), { name: 'RangeError', message: /weight 0/ });
    }
    // A blank entry is the highest weight given, so adapter 1 here is as heavy as adapter 0.
    const b = new WeightedLeastLoadBalancer({ adapterWeights: '66,' });
    b.onHardwareInspection(report(2));
    assert.deepEqual(b.weights(), [66, 66]);
    assert.deepEqual([1, 2, 3, 4].map((id) => b.onJobLoadBalance(pixelJob(id, 1000, 1000, [0, 1])).adapter), [0, 1, 0, 1]);
  });
});

describe('weighted least load: the arithmetic', () => {
  it('load = (decode px × 1 + scale px × 1 + encode px × 5) ÷ 1000, px per second, encode only on a hardware encoder, at least 1', () => {
    const job = { source: source(1920, 1080, 30), rungs: planLadder(1920, 1080, 30, [720, 360]) };
    const decode = 1920 * 1080 * 30;
    const rungs = (1280 * 720 + 640 * 360) * 30;
    assert.deepEqual(stagePixels(job), { decode, scale: rungs, encode: rungs });
    assert.equal(loadOf(stagePixels(job), { decode: 1, scale: 1, encode: 5 }, false), (decode + rungs) / 1000);
    assert.equal(loadOf(stagePixels(job), { decode: 1, scale: 1, encode: 5 }, true), (decode + rungs + 5 * rungs) / 1000);
    assert.equal(loadOf(stagePixels(job), { decode: 2, scale: 0, encode: 1 }, true), (2 * decode + rungs) / 1000, 'factors apply per stage');
    assert.equal(loadOf({ decode: 10, scale: 10, encode: 10 }, { decode: 1, scale: 1, encode: 5 }, true), 1, 'at least 1');
  });

  it('weights 100,66 and a fixed job sequence give the expected assignments and reported loads', () => {
    const b = new WeightedLeastLoadBalancer();
    b.init({ adapterWeights: '100,66' });
    b.onHardwareInspection(report(2));
    // Job loads (decode + scale, ÷ 1000). Scores: A = load, B = load × 100 ÷ 66; the least wins,
    // a tie goes to the heavier adapter (A).
    const sequence: Array<{ load: number; expect: 0 | 1; destroyBefore?: number }> = [
      { load: 100, expect: 0 }, // 0 vs 0: tie → A=100
      { load: 100, expect: 1 }, // 100 vs 0 → B=100 (151.5)
      { load: 50, expect: 0 },  // 100 vs 151.5 → A=150
      { load: 30, expect: 0 },  // 150 vs 151.5 → A=180
      { load: 10, expect: 1 },  // 180 vs 151.5 → B=110 (166.7)
      { load: 10, expect: 1 },  // 180 vs 166.7 → B=120 (181.8)
      { load: 10, expect: 0 },  // 180 vs 181.8 → A=190
      { load: 40, expect: 0, destroyBefore: 1 }, // job 1 ends: A=90; 90 vs 181.8 → A=130
      { load: 60, expect: 0 },  // 130 vs 181.8 → A=190
      { load: 5, expect: 1 },   // 190 vs 181.8 → B=125
    ];
    const jobs: BalancerJob[] = [];
    const got: number[] = [];
    sequence.forEach((s, i) => {
      if (s.destroyBefore !== undefined) b.onJobDestroy(jobs[s.destroyBefore - 1]!);
      const job = pixelJob(i + 1, s.load * 500, s.load * 500, [0, 1]);
      jobs.push(job);
      const before = b.loads();
      const d = b.onJobLoadBalance(job);
      got.push(d.adapter);
      assert.equal(d.jobLoad, s.load);
      assert.deepEqual(d.loads, [
        { index: 0, weight: 100, load: before[0], score: before[0]! },
        { index: 1, weight: 66, load: before[1], score: (before[1]! * 100) / 66 },
      ], 'the decision reports the loads it was made on');
    });
    assert.deepEqual(got, sequence.map((s) => s.expect));
    assert.deepEqual(b.loads(), [190, 125]);
    for (const job of jobs.slice(1)) b.onJobDestroy(job);
    assert.deepEqual(b.loads(), [0, 0]);
  });
});

// ---- the engine on a simulated runner --------------------------------------------------------

interface SimJob {
  width: number;
  height: number;
  fps: number;
  /** 'corrupt': fails before its ladder is resolved; 'fail': fails while encoding. */
  outcome?: 'done' | 'corrupt' | 'fail';
}

/**
 * A stand-in for transcode(): plans the ladder and resolves the policy with the real code, asks the
 * engine's hooks where to run, then spends virtual time on that adapter. Each adapter works on one
 * job at a time at `speed[adapter]` pixels per virtual ms, so a job's time there is its pixels ÷ speed.
 */
function simulatedRunner(clock: VirtualClock, adapters: number, speed: number[], jobs: Map<string, SimJob>) {
  const found: FoundAdapter[] = Array.from({ length: adapters }, (_, i) => ({ info: adapterInfo(i), adapter: {} as GPUAdapter }));
  const busy: Array<Promise<void>> = found.map(() => Promise.resolve());
  const placements: Array<{ input: string; adapter: number; hardware: boolean; softwareLeases: number }> = [];
  const run = async (options: TranscodeOptions, hooks: JobHooks): Promise<TranscodeResult> => {
    const spec = jobs.get(options.input as string)!;
    const signal = options.signal!;
    const allowed = allowedAdapters(found, parsePolicy(options.policy ?? 'all'));
    await clock.sleep(1); // opening the input
    if (spec.outcome === 'corrupt') throw new CorruptInputError('Cannot open input: simulated corrupt file');
    const info = source(spec.width, spec.height, spec.fps);
    const plans = planLadder(spec.width, spec.height, spec.fps, options.ladder ?? [720, 360]);
    const placed = await hooks.place(info, plans, allowed);
    const index = placed.home.info.index;
    placements.push({ input: options.input as string, adapter: index, hardware: placed.hardware, softwareLeases: placed.softwareLeases });
    const px = (spec.width * spec.height + plans.reduce((n, p) => n + p.width * p.height, 0)) * info.frameCount;
    const turn = busy[index]!.then(() => clock.sleep(px / speed[index]!));
    busy[index] = turn;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(abortError(signal.reason));
      signal.addEventListener('abort', () => reject(abortError(signal.reason)), { once: true });
    });
    await Promise.race([turn, aborted]);
    if (spec.outcome === 'fail') throw new CodecFailureError('Cannot encode: simulated encoder failure');
    // No pipeline ran, so the stage profile is left out.
    return { source: info, audio: { action: 'none', source: null, output: null }, rungs: [], stats: { decodedFrames: info.frameCount, skippedFrames: 0, encodedFrames: 0, chunks: 0, requeued: 0, hardwareChunks: 0, softwareChunks: 0, wallMs: 0 } as TranscodeResult['stats'] };
  };
  return { run, placements };
}

describe('the engine (simulated runner, virtual time)', () => {
  it('load returns to 0 on every adapter after 100 mixed jobs: success, failure before and after placement, abort', async () => {
    const clock = new VirtualClock();
    const jobs = new Map<string, SimJob>();
    const sim = simulatedRunner(clock, 2, [1e6, 6.6e5], jobs);
    const balancer = new WeightedLeastLoadBalancer();
    const engine = createEngineWith({ inspect: async () => report(2, true), run: sim.run, defaultLeases: () => 3 }, { balancer, adapterWeights: '100,66' });
    const kinds = ['done', 'fail', 'abort', 'corrupt', 'done'] as const;
    const outcomes: Record<string, number> = {};
    let peak = [0, 0];
    await clock.run(async () => {
      const all: Array<Promise<void>> = [];
      for (let i = 0; i < 100; i++) {
        const kind = kinds[i % kinds.length]!;
        const input = `job-${i}`;
        jobs.set(input, { width: 1280, height: 720, fps: 25 + (i % 6), outcome: kind === 'abort' ? 'done' : kind });
        const controller = new AbortController();
        const p = engine.transcode({
          input, signal: controller.signal, ...(i % 7 === 0 ? { policy: 'adapter:1' } : {}),
          onProgress: (e) => {
            if (e.type !== 'job-balanced') return;
            peak = balancer.loads().map((l, k) => Math.max(l, peak[k]!));
            if (kind === 'abort') void clock.sleep(3).then(() => controller.abort());
          },
        });
        all.push(p.then(() => { outcomes.done = (outcomes.done ?? 0) + 1; }, (err: Error) => { outcomes[err.name] = (outcomes[err.name] ?? 0) + 1; }));
        await clock.sleep(2);
      }
      await Promise.all(all);
    });
    assert.deepEqual(outcomes, { done: 40, CodecFailureError: 20, AbortError: 20, CorruptInputError: 20 });
    assert.ok(peak[0]! > 0 && peak[1]! > 0, `both adapters carried load (peaks ${peak})`);
    assert.equal(sim.placements.length, 80, 'every job but the corrupt ones was placed');
    assert.ok(sim.placements.some((p) => p.hardware), 'hardware sessions were granted');
    const pinned = sim.placements.filter((p) => Number(p.input.slice(4)) % 7 === 0);
    assert.ok(pinned.length >= 10 && pinned.every((p) => p.adapter === 1), 'policy adapter:1 is honoured');
    assert.deepEqual(balancer.loads(), [0, 0]);
    const r = await engine.report();
    assert.deepEqual(r.jobs, []);
    assert.deepEqual(r.hardwareSessions, {});
    assert.deepEqual(r.softwareLeases, { budget: 3, inUse: 0 });
    assert.equal(Object.values(r.placed).reduce((a, b) => a + b, 0), 80);
  });

  it('close() aborts running jobs and releases their load', async () => {
    const clock = new VirtualClock();
    const jobs = new Map<string, SimJob>([['a', { width: 640, height: 360, fps: 30 }], ['b', { width: 640, height: 360, fps: 30 }]]);
    const sim = simulatedRunner(clock, 2, [1, 1], jobs);
    const balancer = new WeightedLeastLoadBalancer();
    const engine = createEngineWith({ inspect: async () => report(2), run: sim.run, defaultLeases: () => 2 }, { balancer });
    const errors = await clock.run(async () => {
      const settled = Promise.allSettled([engine.transcode({ input: 'a' }), engine.transcode({ input: 'b' })]);
      await clock.sleep(5);
      assert.deepEqual(balancer.loads().map((l) => l > 0), [true, true], 'one job on each adapter');
      await engine.close();
      return (await settled).map((s) => (s.status === 'rejected' ? (s.reason as Error).name : 'done'));
    });
    assert.deepEqual(errors, ['AbortError', 'AbortError']);
    assert.deepEqual(balancer.loads(), [0, 0]);
    await assert.rejects(engine.transcode({ input: 'a' }), /engine is closed/);
  });

  it('adapters weighted 100 and 66, 100 equal jobs arriving faster than they finish: a 60/40 split within ±5', async () => {
    for (const [weights, speeds, expectFirst] of [['100,66', [100, 66], 60], ['66,100', [66, 100], 40]] as const) {
      const clock = new VirtualClock();
      const jobs = new Map<string, SimJob>();
      const unit = (640 * 360 * 2) * 250; // one job's pixels: source + one 360p rung, 250 frames
      // Adapter i finishes a job in unit ÷ speed virtual ms: 10 ms at weight 100, 15 ms at 66.
      const sim = simulatedRunner(clock, 2, speeds.map((s) => (unit * s) / 1000), jobs);
      const engine = createEngineWith({ inspect: async () => report(2), run: sim.run, defaultLeases: () => 1 }, { adapterWeights: weights });
      const balanced: number[] = [];
      let maxRunning = 0;
      let runningNow = 0;
      await clock.run(async () => {
        const all: Array<Promise<unknown>> = [];
        for (let i = 0; i < 100; i++) {
          jobs.set(`j${i}`, { width: 640, height: 360, fps: 25 });
          all.push(engine.transcode({
            input: `j${i}`, ladder: [360],
            onProgress: (e: ProgressEvent) => { if (e.type === 'job-balanced') { balanced.push(e.adapter.index); maxRunning = Math.max(maxRunning, ++runningNow); } },
          }).finally(() => { runningNow--; }));
          await clock.sleep(1); // a job every virtual ms; the two adapters together finish one per 6
        }
        await Promise.all(all);
      });
      const first = balanced.filter((a) => a === 0).length;
      console.log(`weights ${weights}: adapter 0 got ${first}, adapter 1 got ${100 - first} (at most ${maxRunning} jobs running at once)`);
      assert.equal(balanced.length, 100);
      assert.ok(maxRunning >= 20, 'jobs piled up: they arrived faster than they finished');
      assert.ok(Math.abs(first - expectFirst) <= 5, `adapter 0 got ${first} of 100, expected ${expectFirst} ± 5`);
    }
  });
});

describe('a custom balancer through the API', () => {
  it('is called with every hook in order, and its choice is honoured', async () => {
    const calls: string[] = [];
    const seen: Record<string, unknown> = {};
    const custom: LoadBalancer = {
      init(config) { calls.push('init'); seen.config = config; },
      onHardwareInspection(r) { calls.push('onHardwareInspection'); seen.adapters = r.adapters.length; },
      onJobCreate(job) { calls.push(`onJobCreate:${job.id}`); seen.createRungs = job.rungs; },
      onJobInit(job) { calls.push(`onJobInit:${job.id}`); seen.initRungs = job.rungs?.map((r) => r.label); },
      onJobLoadBalance(job) {
        calls.push(`onJobLoadBalance:${job.id}`);
        seen.candidates = job.candidates?.map((c: Candidate) => c.adapter.index);
        // The default would pick adapter 0 (the heavier, on a tie); this one always picks the last.
        return { adapter: job.candidates!.at(-1)!.adapter.index, encode: { hardware: false, softwareLeases: 2 } };
      },
      onJobDestroy(job) { calls.push(`onJobDestroy:${job.id}:${job.outcome}:${job.adapter}`); },
    };
    const clock = new VirtualClock();
    const jobs = new Map<string, SimJob>([['a', { width: 1280, height: 720, fps: 30 }], ['bad', { width: 1, height: 1, fps: 1, outcome: 'corrupt' }]]);
    const sim = simulatedRunner(clock, 3, [1, 1, 1], jobs);
    const engine = createEngineWith({ inspect: async () => report(3, true), run: sim.run, defaultLeases: () => 4 }, { balancer: custom, adapterWeights: '1,2,3' });
    const events: ProgressEvent[] = [];
    await clock.run(async () => {
      await engine.transcode({ input: 'a', ladder: [720, 360], onProgress: (e) => events.push(e) });
      await assert.rejects(engine.transcode({ input: 'bad' }), { name: 'CorruptInputError' });
    });
    assert.deepEqual(calls, [
      'init', 'onHardwareInspection',
      'onJobCreate:1', 'onJobInit:1', 'onJobLoadBalance:1', 'onJobDestroy:1:done:2',
      'onJobCreate:2', 'onJobDestroy:2:failed:null',
    ]);
    assert.deepEqual(seen, { config: { adapterWeights: '1,2,3' }, adapters: 3, createRungs: null, initRungs: [720, 360], candidates: [0, 1, 2] });
    assert.deepEqual(sim.placements, [{ input: 'a', adapter: 2, hardware: false, softwareLeases: 2 }], 'the runner was placed where the balancer said');
    const balanced = events.find((e) => e.type === 'job-balanced');
    assert.ok(balanced && balanced.type === 'job-balanced');
    assert.equal(balanced.adapter.index, 2);
    assert.equal(balanced.hardwareEncoder, false);
  });

  it('a class works too (extending the default), and a choice outside the policy is refused with the job destroyed', async () => {
    const destroyed: Array<string | null> = [];
    class Pinned extends WeightedLeastLoadBalancer {
      override onJobLoadBalance(job: BalancerJob) {
        const d = super.onJobLoadBalance(job);
        return job.options.input === 'stray' ? { ...d, adapter: 0 } : d;
      }
      override onJobDestroy(job: BalancerJob) { destroyed.push(job.outcome); super.onJobDestroy(job); }
    }
    const clock = new VirtualClock();
    const jobs = new Map<string, SimJob>([['ok', { width: 640, height: 360, fps: 30 }], ['stray', { width: 640, height: 360, fps: 30 }]]);
    const sim = simulatedRunner(clock, 2, [1, 1], jobs);
    const engine = createEngineWith({ inspect: async () => report(2), run: sim.run, defaultLeases: () => 1 }, { balancer: Pinned });
    await clock.run(async () => {
      await engine.transcode({ input: 'ok' });
      await assert.rejects(engine.transcode({ input: 'stray', policy: 'adapter:1' }), { name: 'RangeError', message: /chose adapter 0.*allowed: 1/ });
    });
    assert.deepEqual(destroyed, ['done', 'failed']);
    assert.deepEqual(sim.placements.map((p) => p.adapter), [0]);
  });

  it('createEngine checks its options', () => {
    const deps = { inspect: async () => report(1), run: async () => { throw new Error('unused'); }, defaultLeases: () => 1 };
    assert.throws(() => createEngineWith(deps, { balancer: {} as LoadBalancer }), { name: 'TypeError', message: /options\.balancer/ });
    assert.throws(() => createEngineWith(deps, { adapterWeights: 100 as unknown as string }), { name: 'TypeError', message: /options\.adapterWeights/ });
    assert.throws(() => createEngineWith(deps, { leases: 0 }), { name: 'RangeError', message: /options\.leases/ });
  });
});

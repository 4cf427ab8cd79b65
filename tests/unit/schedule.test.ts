// The chunk scheduler on the simulated encoder backend, in virtual time: helpers shorten a slow
// rung, contract mismatches and encoder failures are requeued, and hopeless cases fail with a
// typed error naming the cause. No wall-clock assertions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock, createSimulatedLease } from '../lib/simulated.ts';
import type { SimulatedLeaseOptions } from '../lib/simulated.ts';
import type { ProgressEvent } from '../../src/progress/events.ts';
import { Scheduler } from '../../src/schedule/scheduler.ts';
import { RateController } from '../../src/schedule/rate.ts';
import type { AcceptedRung } from '../../src/schedule/scheduler.ts';

const FPS = 25;
const CHUNK_FRAMES = 50;

function rung(width: number, height: number) {
  // Level 5 declared up front, as the simulated (Chromium) sequence header carries.
  return { job: { codec: 'av01.0.05M.08', width, height, bitrate: 1e6, quantizer: null, frameRate: FPS, colorSpace: {}, preferHardware: false }, declared: { level: 5 } };
}

interface Run { makespan: number; events: ProgressEvent[]; accepted: AcceptedRung[]; scheduler: Scheduler; error: unknown }

/** Runs `chunksPerRung` chunks of every rung through the scheduler on simulated leases. */
async function simulate(opts: {
  rungs: ReturnType<typeof rung>[];
  chunksPerRung: number;
  leases: Array<Partial<SimulatedLeaseOptions>>;
  cost: (width: number) => number;
  /** Virtual milliseconds the decoder spends per source frame (0: every frame arrives at once). */
  frameMs?: number;
  /** Tell the scheduler the source's length (as a file source does); unknown otherwise. */
  knownLength?: boolean;
  onChunkAccepted?: ConstructorParameters<typeof Scheduler>[0]['onChunkAccepted'];
  onFramesFreed?: ConstructorParameters<typeof Scheduler>[0]['onFramesFreed'];
}): Promise<Run> {
  const clock = new VirtualClock();
  const events: ProgressEvent[] = [];
  const accepted: AcceptedRung[] = [];
  const leases = opts.leases.map((o, i) => createSimulatedLease(i, { clock, cost: (job) => opts.cost(job.width), ...o }));
  const scheduler = new Scheduler({
    rungs: opts.rungs,
    leases,
    maxBufferedBytes: 1 << 30,
    sink: (e) => events.push(e),
    expectedFrames: opts.knownLength ? opts.chunksPerRung * CHUNK_FRAMES : 0,
    onRungDone: async (r) => { accepted.push(r); },
    onChunkAccepted: opts.onChunkAccepted,
    onFramesFreed: opts.onFramesFreed,
  });
  let error: unknown = null;
  await clock.run(async () => {
    const running = scheduler.run();
    running.catch(() => {});
    try {
      for (let f = 0; f < opts.chunksPerRung * CHUNK_FRAMES; f++) {
        if (opts.frameMs) await clock.sleep(opts.frameMs);
        for (let r = 0; r < opts.rungs.length; r++) {
          await scheduler.room();
          scheduler.push(r, Math.floor(f / CHUNK_FRAMES), { data: new ArrayBuffer(16), timestamp: (f * 1e6) / FPS, duration: 1e6 / FPS });
        }
      }
      scheduler.endInput();
      await running;
    } catch (err) {
      error = err;
    }
  });
  return { makespan: clock.now, events, accepted, scheduler, error };
}

const LADDER = [rung(1920, 1080), rung(1280, 720), rung(854, 480), rung(640, 360)];

describe('scheduler (simulated encoders, virtual time)', () => {
  it('a 4-rung job with one rung 4× as costly finishes within 1.15× of total work ÷ leases', async () => {
    const cost = (w: number) => (w === 1920 ? 400 : 100);
    for (const leaseCount of [2, 3]) {
      const run = await simulate({ rungs: LADDER, chunksPerRung: 10, leases: Array.from({ length: leaseCount }, () => ({})), cost });
      assert.equal(run.error, null);
      const total = 10 * (400 + 3 * 100);
      const ideal = total / leaseCount;
      console.log(`${leaseCount} leases: makespan ${run.makespan} virtual ms, ideal ${ideal.toFixed(0)} (${(run.makespan / ideal).toFixed(3)}×)`);
      assert.ok(run.makespan <= 1.15 * ideal, `makespan ${run.makespan} > 1.15 × ${ideal}`);
      const helpers = run.events.filter((e) => e.type === 'chunk-done' && e.rung === 0 && e.helper);
      assert.ok(helpers.length >= 1, 'the slow rung got helper chunks');
      assert.ok(run.events.some((e) => e.type === 'helper-attached' && e.rung === 0));
      assert.equal(run.accepted.length, 4);
      for (const r of run.accepted) assert.deepEqual(r.chunks.map((c) => c.record.index), [...Array(10).keys()], 'chunks in order');
    }
  });

  it('without helpers (one lease per rung, slow rung alone) the same job takes longer', async () => {
    const cost = (w: number) => (w === 1920 ? 400 : 100);
    const run = await simulate({ rungs: [LADDER[0]!], chunksPerRung: 10, leases: [{}], cost });
    const withHelpers = await simulate({ rungs: LADDER, chunksPerRung: 10, leases: [{}, {}, {}, {}], cost });
    assert.ok(withHelpers.makespan < run.makespan, `helpers should beat the slow rung alone: ${withHelpers.makespan} vs ${run.makespan}`);
  });

  it('when decoding is the bottleneck, open chunks are spread so the slow rung still gets a helper', async () => {
    // Encoders far faster than the decoder: every lease idles, waiting on frames, as on a CPU-only
    // machine, and finishes its chunks at the same moment as the others. Which idle lease wakes
    // first must not decide whether the 1080p rung is helped.
    const cost = () => 10;
    const run = await simulate({ rungs: LADDER, chunksPerRung: 4, leases: [{}, {}], cost, frameMs: 20 });
    assert.equal(run.error, null);
    const done = run.events.filter((e) => e.type === 'chunk-done');
    const top = done.filter((e) => e.rung === 0);
    assert.ok(top.some((e) => e.helper), `the 1080p rung got a helper chunk: ${top.map((e) => `#${e.chunk}@${e.leaseId}`).join(' ')}`);
    for (let r = 0; r < LADDER.length; r++) {
      const leases = new Set(done.filter((e) => e.rung === r).map((e) => e.leaseId));
      assert.equal(leases.size, 2, `rung ${r} was encoded by both leases`);
    }
    const lastFrame = 4 * CHUNK_FRAMES * 20;
    assert.ok(run.makespan <= lastFrame + 2 * 10, `the job ends two chunks per lease after the last frame: ${run.makespan} vs ${lastFrame}`);
  });

  it('a lease that breaks the contract is requeued away from the rung and the run completes', async () => {
    // Lease 1 encodes with level 8 where every rung declares level 5: all its chunks are refused.
    const run = await simulate({ rungs: LADDER, chunksPerRung: 3, leases: [{}, { mismatch: true }], cost: () => 100 });
    assert.equal(run.error, null);
    assert.ok(run.scheduler.requeued >= 1, `requeued ${run.scheduler.requeued}`);
    assert.ok(run.scheduler.requeued <= LADDER.length, 'one refusal per rung: the helper then leaves it');
    const requeues = run.events.filter((e) => e.type === 'requeue');
    assert.ok(requeues.some((e) => e.type === 'requeue' && /level/.test(e.reason)), 'the reason names the field');
    for (const r of run.accepted) {
      const leasesUsed = new Set(r.chunks.map((c) => c.record.leaseId));
      assert.deepEqual([...leasesUsed], [0], `rung ${r.rung}: only the matching lease's chunks are kept`);
      assert.equal(r.chunks.length, 3);
    }
  });

  it('an encoder failure mid-chunk is requeued and the run completes', async () => {
    const run = await simulate({ rungs: LADDER, chunksPerRung: 3, leases: [{}, { failOnChunk: (n) => n === 0 }], cost: () => 100 });
    assert.equal(run.error, null);
    assert.equal(run.scheduler.requeued, 1);
    assert.equal(run.accepted.length, 4);
    assert.ok(run.events.some((e) => e.type === 'requeue' && /forced failure/.test(e.reason)));
  });

  it('a lease that keeps failing is retired and the others finish the job', async () => {
    const run = await simulate({ rungs: LADDER, chunksPerRung: 3, leases: [{}, { failOnChunk: () => true }], cost: () => 100 });
    assert.equal(run.error, null);
    assert.ok(run.events.some((e) => e.type === 'lease-retired' && e.leaseId === 1));
    assert.equal(run.accepted.length, 4);
    for (const r of run.accepted) for (const c of r.chunks) assert.equal(c.record.leaseId, 0);
  });

  it('fails with ContractMismatchError naming the field when no lease can match', async () => {
    // The rung declares level 5 (its contract from the plan); both leases write level 8 in every
    // sequence header, so no chunk can be accepted.
    const run = await simulate({ rungs: [LADDER[0]!], chunksPerRung: 3, leases: [{ mismatch: true }, { mismatch: true }], cost: () => 100 });
    assert.ok(run.error instanceof Error, 'the job fails');
    assert.equal((run.error as Error).name, 'ContractMismatchError');
    assert.match((run.error as Error).message, /level/, 'the message names the mismatched field');
    assert.deepEqual(run.accepted.flatMap((r) => r.chunks), [], 'no mismatched chunk was accepted');
  });

  it('fails when every lease fails the same chunk repeatedly (bounded retries)', async () => {
    const run = await simulate({ rungs: [LADDER[3]!], chunksPerRung: 2, leases: [{ failOnChunk: () => true }, { failOnChunk: () => true }], cost: () => 100 });
    assert.ok(run.error instanceof Error);
    assert.equal((run.error as Error).name, 'CodecFailureError');
  });
});

/** Each accepted rung's bitrate over its asked rate, printed as a table. */
function rateTable(run: Run, title: string): number[] {
  const ratios = run.accepted.sort((a, b) => a.rung - b.rung).map((r) => {
    const bits = r.chunks.reduce((n, c) => n + c.record.bytes * 8, 0);
    const seconds = r.chunks.reduce((n, c) => n + c.record.seconds, 0);
    return bits / seconds / LADDER[r.rung]!.job.bitrate;
  });
  console.log(`${title}: rung bitrate ÷ asked ${ratios.map((x) => x.toFixed(3)).join(', ')}; first passes encoded again: ${run.scheduler.recalibrated}`);
  return ratios;
}

describe('rate loop (simulated encoders that miss their targets)', () => {
  const cost = () => 100;
  const within = (ratios: number[], tol: number) => ratios.every((x) => Math.abs(x - 1) <= tol);

  it('an encoder 30–70% over target: each rung lands within ±3%, a first pass far off encoded again once', async () => {
    for (const knownLength of [true, false]) {
      const gain = (job: { width: number }) => (job.width === 1920 ? 1.7 : job.width === 1280 ? 1.33 : 1.5);
      const run = await simulate({ rungs: LADDER, chunksPerRung: 5, leases: [{ rateGain: gain }], cost, knownLength });
      assert.equal(run.error, null);
      const ratios = rateTable(run, `one SVT-like lease, length ${knownLength ? 'known' : 'unknown'}`);
      assert.ok(within(ratios, 0.03), `rungs off target: ${ratios.join(', ')}`);
      // 1080p's first chunk misses by 70% (over the 30% limit): encoded again. 720p's (aimed with
      // 1080p's gain) misses by 22%, which the rung's four later chunks pay back at 0.94× asked
      // (within 0.8–1.25×): kept. 480p's and 360p's, aimed with the kind's mean, land within 15%.
      assert.equal(run.scheduler.recalibrated, 1, 'only the first pass off by more than 30% is encoded again');
      assert.ok(run.accepted.every((r) => r.chunks.every((c) => c.record.attempts <= 2)));
      const reasons = run.events.filter((e) => e.type === 'requeue').map((e) => (e.type === 'requeue' ? e.reason : ''));
      assert.ok(reasons.every((r) => /first pass at \d+ kbit\/s/.test(r)), reasons.join('; '));
      // Every chunk after the first was encoded with the rung's own learned correction.
      for (const r of run.accepted) {
        for (const c of r.chunks.slice(1)) assert.ok(Math.abs(c.record.targetBitrate * gain(LADDER[r.rung]!.job) / c.record.aimBitrate - 1) < 0.01, `rung ${r.rung} chunk ${c.record.index} target ${c.record.targetBitrate} aim ${c.record.aimBitrate}`);
      }
    }
  });

  it('an encoder 12% under target keeps its first chunks and pays the debt back over the rest', async () => {
    const run = await simulate({ rungs: LADDER, chunksPerRung: 5, leases: [{ rateGain: () => 0.88 }, { rateGain: () => 0.88 }], cost, knownLength: true });
    assert.equal(run.error, null);
    const ratios = rateTable(run, 'two Chromium-like leases');
    assert.ok(within(ratios, 0.03), `rungs off target: ${ratios.join(', ')}`);
    assert.equal(run.scheduler.recalibrated, 0, 'a first pass within 15% is kept');
  });

  it('a nonlinear encoder (output ∝ target^0.5, as SVT-AV1 on a nearly static picture) is modelled as a power law', async () => {
    // Makes half the asked rate at the asked target, and only √2× more at twice the target.
    const gain = (job: { bitrate: number; width: number }) => {
      const asked = LADDER.find((r) => r.job.width === job.width)!.job.bitrate;
      return 0.5 * Math.sqrt(asked / job.bitrate);
    };
    const run = await simulate({ rungs: LADDER, chunksPerRung: 8, leases: [{ rateGain: gain }], cost, knownLength: true });
    assert.equal(run.error, null);
    const ratios = rateTable(run, 'one lease, output ∝ target^0.5');
    assert.ok(within(ratios, 0.05), `rungs off target: ${ratios.join(', ')}`);
    // The fitted elasticity is held at 0.7 or more (a key-frame chunk's two passes read low), so
    // later chunks approach their aim from below rather than land on it at once.
    for (const r of run.accepted) {
      for (const c of r.chunks.slice(2)) {
        const made = c.record.bytes * 8 / c.record.seconds;
        assert.ok(Math.abs(made / c.record.aimBitrate - 1) < 0.15, `rung ${r.rung} chunk ${c.record.index}: made ${made} for aim ${c.record.aimBitrate}`);
      }
    }
  });

  it('an encoder that saturates (stops spending whatever the target) is held to the rate by quantizer', async () => {
    // Like Chromium's software AV1 on a nearly still picture: at any target it makes at most 0.3× the
    // asked rate; at constant quality its rate is convex in the quantizer, as AV1's is (2.5× asked at
    // q 20, falling 15% per step at q 5 and 6% at q 30).
    const asked = (job: { width: number }) => LADDER.find((r) => r.job.width === job.width)!.job.bitrate;
    const run = await simulate({
      rungs: LADDER, chunksPerRung: 8, cost, knownLength: true,
      leases: [{
        rateGain: (job) => Math.min(1, 0.3 * asked(job) / job.bitrate),
        quantizerRate: (job, q) => asked(job) * 2.5 * Math.exp(-0.1 * (q - 20) + 0.002 * (q - 20) ** 2),
      }],
    });
    assert.equal(run.error, null);
    const ratios = rateTable(run, 'one lease that saturates at 0.3× asked');
    assert.ok(within(ratios, 0.05), `rungs off target: ${ratios.join(', ')}`);
    const reasons = run.events.filter((e) => e.type === 'requeue').map((e) => (e.type === 'requeue' ? e.reason : ''));
    assert.ok(reasons.some((r) => /encoder saturated/.test(r)), reasons.join('; '));
    for (const r of run.accepted) {
      // Every accepted chunk was encoded by quantizer (the first one again, after it showed the ceiling).
      for (const c of r.chunks) {
        assert.notEqual(c.record.quantizer, null, `rung ${r.rung} chunk ${c.record.index} kept a bitrate-mode pass`);
        assert.equal(c.record.targetBitrate, 0);
        assert.ok(c.record.attempts <= 5, `chunk encoded ${c.record.attempts} times`);
      }
    }
  });

  it('an encoder that barely follows the target (elasticity 0.1) is held to the rate by quantizer, not kept 35% short', async () => {
    // SVT-AV1 on the nearly static 720p30 clip's 360p rung (CI, 2026-12-07), scaled to 1 Mbit/s
    // asked: 0.575× at the asked target and rate ∝ target^0.11, so its second pass (1.74× the target)
    // still came out 39% short; it was kept as calibrated, and no quantizer could then pay the debt
    // back (q3 makes 0.96×, q2 1.69×: the rung ended at 1.106×). At constant quality: q1 3.6×,
    // q2 1.69×, q3 0.96×, q4 0.74×, then 9% less per step.
    const table = [0, 3.62, 1.687, 0.962, 0.738];
    const run = await simulate({
      rungs: [LADDER[3]!], chunksPerRung: 3, cost, knownLength: true,
      leases: [{
        rateGain: (job) => 0.575 * (job.bitrate / 1e6) ** (0.11 - 1),
        quantizerRate: (_job, q) => 1e6 * (q <= 4 ? table[Math.max(1, q)]! : table[4]! * Math.exp(-0.09 * (q - 4))),
      }],
    });
    assert.equal(run.error, null);
    const ratios = rateTable(run, 'one lease, output ∝ target^0.11');
    console.log(run.accepted[0]!.chunks.map((c) => `${Math.round(c.record.bytes * 8 / c.record.seconds / 1000)}/${c.record.quantizer ?? c.record.targetBitrate}(${Math.round(c.record.aimBitrate / 1000)})×${c.record.attempts}`).join(' '));
    assert.ok(within(ratios, 0.1), `rung off target: ${ratios.join(', ')}`);
    const reasons = run.events.filter((e) => e.type === 'requeue').map((e) => (e.type === 'requeue' ? e.reason : ''));
    assert.ok(reasons.some((r) => /encoder saturated/.test(r)), reasons.join('; '));
    for (const c of run.accepted[0]!.chunks) assert.notEqual(c.record.quantizer, null, `chunk ${c.record.index} kept a bitrate-mode pass`);
  });

  it('a bitrate pass that ends after its rung saturated is encoded again by quantizer when it missed by more than 10%', () => {
    // SVT-AV1, the nearly static clip's 360p (2026-12-07): chunk 0's second pass showed the ceiling
    // (367 kbit/s of 553 at a target of 2005, elasticity 0.26 from its first pass); chunk 1's
    // bitrate pass, begun before, made 429 (22% short) and was kept, leaving the rung at 0.911×.
    const rate = new RateController([553_000], 6);
    const two = (kbps: number) => ({ bits: kbps * 2000, seconds: 2 });
    assert.equal(rate.learn(0, 'software', { bitrate: 1_157_000, quantizer: null, aim: 553_000, calibrated: false }, 2, two(319)), true);
    assert.equal(rate.learn(0, 'software', { bitrate: 2_005_000, quantizer: null, aim: 553_000, calibrated: true }, 2, two(367)), true);
    assert.notEqual(rate.plan(0, 'software', 2).quantizer, null, 'the rung goes by quantizer');
    assert.equal(rate.learn(0, 'software', { bitrate: 1_227_000, quantizer: null, aim: 553_000, calibrated: true }, 2, two(429)), true);
    assert.equal(rate.learn(0, 'software', { bitrate: 1_227_000, quantizer: null, aim: 553_000, calibrated: true }, 2, two(520)), false, 'within 10%: kept');
  });

  it('a quantizer search tries the quantizer between two that bracket the aim, not an end it already knows', () => {
    const rate = new RateController([553_000]);
    // SVT-AV1 on a nearly static 360p clip (CI, 2026-12-07): q1 2001 kbit/s, q3 537 kbit/s. For 739
    // aimed the log-rate interpolation (q 2.5) used to round onto q3, already tried, and the search
    // stopped 27% under; q2 (about 933) was never tried.
    const tried = [{ q: 1, rate: 2_001_000 }, { q: 3, rate: 537_000 }];
    assert.equal(rate.quantizerFor(tried, 739_000).quantizer, 2);
    // Interpolation away from the ends is unchanged, and a one-step bracket may still give an end.
    assert.equal(rate.quantizerFor([{ q: 10, rate: 1_000_000 }, { q: 20, rate: 100_000 }], 316_228).quantizer, 15);
    assert.equal(rate.quantizerFor([{ q: 2, rate: 933_000 }, { q: 3, rate: 537_000 }], 739_000).quantizer, 2);
    assert.equal(rate.quantizerFor([{ q: 10, rate: 1_000_000 }, { q: 20, rate: 100_000 }], 990_000).quantizer, 11);
  });

  it('a quantizer pass within its tolerance is encoded again while an untried quantizer lies inside its bracket', () => {
    const rate = new RateController([553_000]);
    // SVT-AV1, the nearly static clip's first 360p chunk (2026-12-07): a plateau from q16 to q6, a
    // cliff below. q3 made 429 for 553 aimed (22% short, inside the 25% tolerance); q2 lies between
    // q1 and q3 and was never tried.
    const searched = [{ q: 28, rate: 137_000 }, { q: 16, rate: 363_000 }, { q: 11, rate: 365_000 }, { q: 6, rate: 375_000 }, { q: 1, rate: 798_000 }, { q: 3, rate: 429_000 }];
    assert.equal(rate.bracketed(searched, 553_000), true);
    assert.equal(rate.quantizerFor(searched, 553_000).quantizer, 2);
    // Once q2 is tried, nothing untried is left between the passes around the aim.
    assert.equal(rate.bracketed([...searched, { q: 2, rate: 700_000 }], 553_000), false);
    // A last pass within 10% is kept; a pass not bracketed (stepping past the ones tried) is the tolerance's call.
    assert.equal(rate.bracketed([...searched.slice(0, 5), { q: 3, rate: 520_000 }], 553_000), false);
    assert.equal(rate.bracketed(searched.slice(0, 4), 553_000), false);
  });

  it('a quantizer pass within its tolerance is encoded again when the rung cannot pay its miss back', () => {
    // CI, 2026-12-07: a saturated 360p rung, 553 kbit/s asked over 6 s; chunks 0 and 1 came out at
    // 408 and 430, and chunk 2, aimed at 676 when it began (chunk 1 still running), made 532 at q3:
    // 21% under its aim, inside the 25% tolerance, and the rung ended at 0.83× its rate.
    const plan = { bitrate: 676_000, quantizer: 3, aim: 676_000, calibrated: true };
    const last = new RateController([553_000], 6);
    last.accept(0, { bits: 408_000 * 2, seconds: 2 });
    last.accept(0, { bits: 430_000 * 2, seconds: 2 });
    assert.equal(last.learn(0, 'software', plan, 2, { bits: 532_000 * 2, seconds: 2 }), true, 'the last chunk is encoded again');
    // The same pass with a chunk left after it that can pay the miss back is kept.
    const middle = new RateController([553_000], 6);
    middle.accept(0, { bits: 553_000 * 2, seconds: 2 });
    assert.equal(middle.learn(0, 'software', { ...plan, aim: 600_000 }, 2, { bits: 532_000 * 2, seconds: 2 }), false);
    // And a last chunk within 10% of its aim is kept.
    assert.equal(last.learn(0, 'software', { ...plan, aim: 560_000 }, 2, { bits: 532_000 * 2, seconds: 2 }), false);
  });

  it('an encoder without a ceiling stays in bitrate mode: no chunk is encoded by quantizer', async () => {
    const run = await simulate({ rungs: LADDER, chunksPerRung: 4, leases: [{ rateGain: () => 0.5 }], cost, knownLength: true });
    assert.equal(run.error, null);
    assert.ok(run.accepted.every((r) => r.chunks.every((c) => c.record.quantizer === null && c.record.targetBitrate > 0)));
  });

  it('each encoder kind learns its own correction: a hardware lease and a software helper on one rung', async () => {
    const hw = 0.8;
    const sw = 1.6;
    const run = await simulate({
      rungs: [LADDER[0]!, LADDER[3]!], chunksPerRung: 8, cost: (w) => (w === 1920 ? 400 : 100), knownLength: true,
      leases: [{ hardware: true, rateGain: () => hw }, { rateGain: () => sw }],
    });
    assert.equal(run.error, null);
    const top = run.accepted.find((r) => r.rung === 0)!;
    const kinds = new Set(top.chunks.map((c) => c.record.hardware));
    assert.equal(kinds.size, 2, 'the 1080p rung was encoded by both kinds');
    for (const c of top.chunks.slice(2)) {
      const g = c.record.hardware ? hw : sw;
      assert.ok(Math.abs(c.record.targetBitrate * g / c.record.aimBitrate - 1) < 0.02, `chunk ${c.record.index} (${c.record.hardware ? 'hardware' : 'software'}): target ${c.record.targetBitrate} for aim ${c.record.aimBitrate}`);
    }
    const bits = top.chunks.reduce((n, c) => n + c.record.bytes * 8, 0);
    const seconds = top.chunks.reduce((n, c) => n + c.record.seconds, 0);
    const ratio = bits / seconds / LADDER[0]!.job.bitrate;
    console.log(`1080p rung over two encoder kinds: ${ratio.toFixed(3)} × asked`);
    assert.ok(Math.abs(ratio - 1) <= 0.05, `1080p rung at ${ratio} × asked`);
  });
});

describe('Scheduler onChunkAccepted (the quality report\'s hook)', () => {
  it('gets every accepted chunk once, with its frames and as many packets, and run() waits for it', async () => {
    const seen: string[] = [];
    let settled = 0;
    const run = await simulate({
      rungs: [rung(1280, 720), rung(640, 360)], chunksPerRung: 3, leases: [{}, {}], cost: () => 1,
      onChunkAccepted: async (c) => {
        assert.equal(c.frames.length, CHUNK_FRAMES);
        assert.equal(c.packets.length, c.frames.length);
        seen.push(`${c.rung}:${c.index}`);
        await Promise.resolve();
        settled++;
      },
    });
    assert.equal(run.error, null);
    assert.deepEqual(seen.sort(), ['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']);
    assert.equal(settled, 6, 'run() resolved only after every hook settled');
  });

  it('frees a chunk\'s frames once, after its hook settled, and none of a chunk that failed to measure', async () => {
    const measuring = new Set<ArrayBuffer>();
    const freed: ArrayBuffer[] = [];
    const run = await simulate({
      rungs: [rung(1280, 720), rung(640, 360)], chunksPerRung: 3, leases: [{}, {}], cost: () => 1,
      onChunkAccepted: async (c) => {
        for (const f of c.frames) measuring.add(f.data);
        await Promise.resolve();
        for (const f of c.frames) measuring.delete(f.data);
      },
      onFramesFreed: (frames) => {
        for (const f of frames) {
          assert.ok(!measuring.has(f.data), 'freed while its hook still reads it');
          freed.push(f.data);
        }
      },
    });
    assert.equal(run.error, null);
    assert.equal(freed.length, 2 * 3 * CHUNK_FRAMES, 'every pushed frame freed');
    assert.equal(new Set(freed).size, freed.length, 'none freed twice');
    const failed: ArrayBuffer[] = [];
    const broken = await simulate({
      rungs: [rung(640, 360)], chunksPerRung: 2, leases: [{}], cost: () => 1,
      onChunkAccepted: async (c) => { if (c.index === 1) throw new Error('meter broke'); },
      onFramesFreed: (frames) => { failed.push(...frames.map((f) => f.data)); },
    });
    assert.ok(broken.error instanceof Error);
    assert.equal(failed.length, CHUNK_FRAMES, 'the chunk whose hook rejected is not freed');
  });

  it('without a hook, frees each chunk\'s frames when it is accepted', async () => {
    let freed = 0;
    const run = await simulate({ rungs: [rung(640, 360)], chunksPerRung: 3, leases: [{}], cost: () => 1, onFramesFreed: (f) => { freed += f.length; } });
    assert.equal(run.error, null);
    assert.equal(freed, 3 * CHUNK_FRAMES);
  });

  it('a hook that rejects fails the job with its error', async () => {
    const run = await simulate({
      rungs: [rung(640, 360)], chunksPerRung: 2, leases: [{}], cost: () => 1,
      onChunkAccepted: async (c) => { if (c.index === 1) throw new Error('meter broke'); },
    });
    assert.ok(run.error instanceof Error && run.error.message === 'meter broke', String(run.error));
  });
});

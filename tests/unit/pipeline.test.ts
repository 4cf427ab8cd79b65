// The pipeline's parts without a browser: the bounded queue (backpressure, close, fail and the
// waits it charges), the stage meter (overlapping calls), the front's stages run together on fake
// frames and a fake scaler (overlap, the maxScalesInFlight bound, frame order, no frame left open on
// success, error or abort), and the rule that names the bounding stage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adopt, openFrameCount } from '../../src/decode/frames.ts';
import type { DemuxedPacket } from '../../src/demux/demux.ts';
import { PACKET_QUEUE, PipelineFront } from '../../src/pipeline/front.ts';
import type { FrontSource } from '../../src/pipeline/front.ts';
import { StageMeter } from '../../src/pipeline/meter.ts';
import { boundOf, formatStages, stageProfile } from '../../src/pipeline/profile.ts';
import { BoundedQueue } from '../../src/pipeline/queue.ts';
import { BufferPool } from '../../src/pipeline/pool.ts';
import { OutputClock } from '../../src/pipeline/readout.ts';
import { usToTicks } from '../../src/timescale.ts';
import type { SourcePlanes } from '../../src/scale/scaler.ts';
import type { StageName, StageStats } from '../../src/types/mod.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('BoundedQueue', () => {
  it('push waits while full and shift while empty, each wait charged to its side', async () => {
    const producer = new StageMeter();
    const consumer = new StageMeter();
    const q = new BoundedQueue<number>('q', { capacity: 2, producer, consumer });
    await q.push(1);
    await q.push(2);
    let third = false;
    const pushing = q.push(3).then(() => { third = true; });
    await sleep(30);
    assert.equal(third, false, 'a third item waits while two are queued');
    assert.equal(q.length, 2);
    assert.equal(await q.shift(), 1);
    await pushing;
    assert.equal(third, true);
    assert.ok(producer.waitOutMs >= 20, `the producer's wait for room is its waitOut (${producer.waitOutMs} ms)`);
    assert.deepEqual([await q.shift(), await q.shift()], [2, 3]);
    const taking = q.shift();
    await sleep(30);
    await q.push(4);
    assert.equal(await taking, 4);
    assert.ok(consumer.waitInMs >= 20, `the consumer's wait for an item is its waitIn (${consumer.waitInMs} ms)`);
    q.close();
    assert.equal(await q.shift(), undefined, 'a closed, empty queue ends');
    await assert.rejects(q.push(5), /closed/);
  });

  it('peek leaves the item counted against the capacity; room() waits for space', async () => {
    const q = new BoundedQueue<string>('q', { capacity: 1 });
    await q.push('a');
    assert.equal(await q.peek(), 'a');
    let roomy = false;
    const room = q.room().then(() => { roomy = true; });
    await sleep(10);
    assert.equal(roomy, false);
    await q.shift();
    await room;
    assert.equal(roomy, true);
  });

  it('fail wakes both sides with the error and disposes every buffered item and any item pushed later', async () => {
    const disposed: number[] = [];
    const full = new BoundedQueue<number>('full', { capacity: 1, dispose: (n) => disposed.push(n) });
    await full.push(1);
    const blockedPush = full.push(2);
    const empty = new BoundedQueue<number>('empty', { capacity: 1 });
    const blockedShift = empty.shift();
    const err = new Error('stage failed');
    full.fail(err);
    empty.fail(err);
    await assert.rejects(blockedPush, err);
    await assert.rejects(blockedShift, err);
    await assert.rejects(full.push(3), err);
    assert.deepEqual(disposed.sort(), [1, 2, 3]);
    await assert.rejects(full.shift(), err);
  });

  it('iterates in order until closed', async () => {
    const q = new BoundedQueue<number>('q', { capacity: 1 });
    const seen: number[] = [];
    const reading = (async () => { for await (const n of q) seen.push(n); })();
    for (let i = 0; i < 5; i++) await q.push(i);
    q.close();
    await reading;
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });
});

describe('BufferPool', () => {
  it('hands back a given buffer of the same size, a fresh one for another size, and keeps at most max', () => {
    const pool = new BufferPool(2);
    const a = pool.take(8);
    pool.give(a);
    assert.equal(pool.take(8), a, 'reused');
    assert.notEqual(pool.take(16), a);
    const [b, c, d] = [pool.take(8), pool.take(8), pool.take(8)];
    for (const x of [a, b, c, d]) pool.give(x);
    assert.equal(pool.free, 2, 'the oldest are dropped beyond max');
    assert.deepEqual([pool.take(8), pool.take(8)], [c, d]);
  });

  it('ignores a buffer it did not hand out, a detached one, and one given twice', () => {
    const pool = new BufferPool(4);
    pool.give(new Uint8Array(8));
    const a = pool.take(8);
    pool.give(a);
    pool.give(a);
    assert.equal(pool.free, 1);
    const b = pool.take(8);
    const moved = structuredClone(b.buffer, { transfer: [b.buffer] });
    assert.equal(moved.byteLength, 8);
    pool.give(b);
    assert.equal(pool.free, 0, 'a detached buffer is not kept');
    assert.throws(() => new BufferPool(-1), RangeError);
    assert.throws(() => new BufferPool(1, -1), RangeError);
  });

  it('takes back a new whole view of a buffer it handed out, not a part of one, and once', () => {
    const pool = new BufferPool(4);
    const a = pool.take(8);
    pool.give(new Uint8Array(a.buffer, 0, 4));
    assert.equal(pool.free, 0, 'a partial view is not a buffer of its size');
    pool.give(new Uint8Array(a.buffer));
    pool.give(a);
    assert.equal(pool.free, 1, 'the same buffer through another view counts once');
    assert.equal(pool.take(8).buffer, a.buffer);
  });

  it('keeps at most maxBytes free, dropping the oldest first', () => {
    const pool = new BufferPool(100, 20);
    const [a, b, c] = [pool.take(8), pool.take(8), pool.take(8)];
    for (const x of [a, b, c]) pool.give(x);
    assert.equal(pool.free, 2, '24 bytes > 20: the oldest went');
    assert.deepEqual([pool.take(8), pool.take(8)], [b, c]);
    const big = pool.take(32);
    pool.give(big);
    assert.equal(pool.free, 0, 'a buffer larger than the bound is not kept');
  });
});

describe('StageMeter', () => {
  it('counts overlapping calls once in busyMs and each in callMs, and no wait while a call runs', async () => {
    const m = new StageMeter();
    const calls = [m.busy(() => sleep(60)), m.busy(() => sleep(60))];
    // A wait that overlaps running calls is not time the stage spent held back.
    await m.waitOut(sleep(30));
    await Promise.all(calls);
    assert.ok(m.callMs >= 110, `callMs sums both calls (${m.callMs})`);
    assert.ok(m.busyMs >= 55 && m.busyMs < 100, `busyMs is their union (${m.busyMs})`);
    assert.ok(m.waitOutMs < 10, `a wait under running calls is not counted (${m.waitOutMs})`);
    await m.waitIn(sleep(30));
    assert.ok(m.waitInMs >= 25, `an idle wait is counted (${m.waitInMs})`);
  });
});

/** A VideoFrame stand-in with what the pipeline reads: timestamp, duration, and a close() that release() detects. */
function fakeFrame(timestamp: number): VideoFrame {
  const f = { timestamp, duration: 40_000, format: 'I420' as string | null, codedWidth: 16, close() { f.format = null; f.codedWidth = 0; } };
  return adopt(f as unknown as VideoFrame);
}

const T0 = 1_000_000; // a source clock that does not start at 0

/** Planes that carry the frame's index, so the fake scaler can name it, in a buffer from `alloc`. */
function planesOf(frame: VideoFrame, alloc: (size: number) => Uint8Array = (n) => new Uint8Array(n)): SourcePlanes {
  const data = alloc(1);
  data[0] = (frame.timestamp - T0) / 40_000;
  return { format: 'I420', width: 16, height: 16, data, layout: [], fullRange: false };
}

interface FrontRun {
  front: PipelineFront;
  pushed: Array<{ rung: number; chunk: number; timestamp: number; first: number }>;
  maxScaling: number;
  /** Distinct plane buffers the readout was given. */
  buffers: Set<ArrayBufferLike>;
  log: string[];
  sinkFailed: Error | null;
  result: Promise<number>;
}

/** Runs the front over `count` fake frames from a generator (the decoder's place), with a scaler that takes `scaleMs` per call. */
function runFront(opts: { count: number; scaleMs: (i: number) => number; maxScalesInFlight: number; failAt?: number; signal?: AbortSignal; decodeMs?: number }): FrontRun {
  const log: string[] = [];
  let scaling = 0;
  const run: Omit<FrontRun, 'result' | 'front'> = { pushed: [], maxScaling: 0, buffers: new Set(), log, sinkFailed: null };
  async function* frames(): AsyncGenerator<VideoFrame, void, undefined> {
    for (let i = 0; i < opts.count; i++) {
      if (opts.decodeMs) await sleep(opts.decodeMs);
      log.push(`decoded ${i}`);
      yield fakeFrame(T0 + i * 40_000);
    }
  }
  const source: FrontSource = { frames: frames() };
  const front = new PipelineFront({
    source,
    read: async (frame, alloc) => {
      const planes = planesOf(frame, alloc);
      run.buffers.add(planes.data.buffer);
      return planes;
    },
    scaler: {
      async scale(planes, targets) {
        const i = planes.data[0]!;
        scaling++;
        run.maxScaling = Math.max(run.maxScaling, scaling);
        log.push(`scale ${i} start`);
        try {
          await sleep(opts.scaleMs(i));
          if (i === opts.failAt) throw new Error(`scale of frame ${i} failed`);
          // The planes must not have gone back to the readout while this call held them.
          if (planes.data[0] !== i) throw new Error(`frame ${i}'s planes were reused (now ${planes.data[0]}) while being scaled`);
          return targets.map((_, r) => Uint8Array.of(i, r));
        } finally {
          scaling--;
          log.push(`scale ${i} end`);
        }
      },
    },
    targets: [{ width: 8, height: 8 }, { width: 4, height: 4 }],
    rotation: 0,
    clock: new OutputClock(2, 25),
    sink: {
      room: () => Promise.resolve(),
      push: (rung, chunk, frame) => run.pushed.push({ rung, chunk, timestamp: frame.timestamp, first: new Uint8Array(frame.data)[0]! }),
      fail: (err) => { run.sinkFailed = err; },
    },
    maxFramesInFlight: 8,
    maxScalesInFlight: opts.maxScalesInFlight,
    signal: opts.signal,
  });
  const result = front.run();
  result.catch(() => {});
  return { ...run, front, result, get maxScaling() { return run.maxScaling; }, get sinkFailed() { return run.sinkFailed; } };
}

describe('OutputClock', () => {
  // 30000/1001 fps whose first frame is 7 ticks after 0 (an edit list's start), times rounded to µs
  // as the demuxer gives them: the rebased times must map back to whole source ticks. At 960 kHz,
  // subtracting the two rounded µs times instead would put a third of the frames one tick off.
  for (const T of [30_000, 960_000]) {
    it(`with the source timescale (${T}), rebases in its ticks: every time maps back to its exact tick`, () => {
      const step = (T / 30_000) * 1001;
      const us = (ticks: number) => Math.round((ticks * 1e6) / T);
      const clock = new OutputClock(2, 30000 / 1001, T);
      const placed = Array.from({ length: 300 }, (_, k) => clock.place(us(7 + step * k), us(step)));
      assert.deepEqual(placed.map((p) => usToTicks(p.timestamp, T)), placed.map((_, k) => step * k));
      assert.ok(placed.every((p) => Number.isInteger(p.timestamp)), 'whole µs (WebCodecs timestamps)');
    });
  }
  it('without one, subtracts µs as given (a frame source)', () => {
    const clock = new OutputClock(2, 30);
    assert.deepEqual([1000, 34333, 67667].map((t) => clock.place(t, null).timestamp), [0, 33333, 66667]);
  });
});

describe('PipelineFront (fake frames and scaler)', () => {
  it('overlaps scale calls up to maxScalesInFlight, keeps decoding meanwhile, and hands frames over in order', async () => {
    // Early frames scale slowest, so later calls finish first and must wait for their turn.
    const r = runFront({ count: 12, scaleMs: (i) => 40 - 3 * (i % 4), maxScalesInFlight: 3 });
    assert.equal(await r.result, 12);
    assert.equal(r.maxScaling, 3, 'three scale calls ran at once, never more');
    const firstScaleEnd = r.log.indexOf('scale 0 end');
    assert.ok(r.log.indexOf('decoded 3') < firstScaleEnd, 'the decoder ran ahead while frame 0 was being scaled');
    assert.deepEqual(r.pushed.filter((p) => p.rung === 0).map((p) => p.first), [...Array(12).keys()], 'frame order kept');
    assert.deepEqual(r.pushed.filter((p) => p.rung === 1).map((p) => p.timestamp), [...Array(12).keys()].map((i) => i * 40_000), 'output time starts at 0');
    assert.equal(openFrameCount(), 0);
    const m = r.front.meters;
    assert.equal(m.scale.items, 12);
    assert.ok(m.scale.callMs > m.scale.busyMs * 1.5, `calls overlapped (callMs ${m.scale.callMs}, busy ${m.scale.busyMs})`);
    assert.ok(m.handoff.waitInMs > 0, 'the hand-off waited on the scaler');
    assert.ok(r.buffers.size <= 3 + 3, `plane buffers are reused: ${r.buffers.size} for 12 frames`);
  });

  it('a file source: demux reads at most PACKET_QUEUE packets ahead of the decoder, which gets maxFramesInFlight less the two past it', async () => {
    let read = 0;
    let taken = 0;
    let ahead = 0;
    let window = 0;
    async function* packets(): AsyncGenerator<DemuxedPacket, void, undefined> {
      for (let i = 0; i < 60; i++) {
        read++;
        ahead = Math.max(ahead, read - taken);
        yield { data: new Uint8Array(1), key: i === 0, timestamp: T0 + i * 40_000, duration: 40_000 };
      }
    }
    async function* decode(input: AsyncIterable<DemuxedPacket>, maxInFlight: number): AsyncGenerator<VideoFrame, void, undefined> {
      window = maxInFlight;
      for await (const p of input) {
        taken++;
        await sleep(1);
        yield fakeFrame(p.timestamp);
      }
    }
    const pushed: number[] = [];
    const front = new PipelineFront({
      source: { packets: packets(), decode },
      read: async (frame) => planesOf(frame),
      scaler: { scale: async (planes) => [Uint8Array.of(planes.data[0]!)] },
      targets: [{ width: 8, height: 8 }],
      rotation: 0,
      clock: new OutputClock(2, 25),
      sink: { room: () => Promise.resolve(), push: (_r, _c, f) => pushed.push(new Uint8Array(f.data)[0]!), fail: () => {} },
      maxFramesInFlight: 8,
      maxScalesInFlight: 3,
    });
    assert.equal(await front.run(), 60);
    assert.deepEqual(pushed, [...Array(60).keys()]);
    assert.equal(window, 6);
    assert.ok(ahead <= PACKET_QUEUE + 2, `demux ran ${ahead} packets ahead`);
    assert.equal(front.meters.demux.items, 60);
    assert.equal(front.meters.decode.items, 60);
    assert.equal(openFrameCount(), 0);
  });

  it('with maxScalesInFlight 1 the calls never overlap', async () => {
    const r = runFront({ count: 5, scaleMs: () => 5, maxScalesInFlight: 1 });
    assert.equal(await r.result, 5);
    assert.equal(r.maxScaling, 1);
    assert.equal(openFrameCount(), 0);
  });

  it('a failing scale call fails the run with its error, fails the scheduler, and leaves no frame open', async () => {
    const r = runFront({ count: 40, scaleMs: () => 5, maxScalesInFlight: 3, failAt: 4 });
    await assert.rejects(r.result, /scale of frame 4 failed/);
    assert.match(String(r.sinkFailed), /scale of frame 4 failed/);
    assert.ok(r.pushed.length <= 4 * 2, 'nothing after the failed frame reached the scheduler');
    assert.equal(openFrameCount(), 0);
  });

  it('an abort settles at once with an AbortError and leaves no frame open', async () => {
    const controller = new AbortController();
    const r = runFront({ count: 1000, scaleMs: () => 200, maxScalesInFlight: 3, signal: controller.signal, decodeMs: 1 });
    await sleep(50);
    const t0 = performance.now();
    controller.abort();
    await assert.rejects(r.result, (e: Error) => e.name === 'AbortError');
    assert.ok(performance.now() - t0 < 150, 'did not wait for the running 200 ms scale calls');
    assert.equal(openFrameCount(), 0);
  });
});

describe('stage profile', () => {
  const stage = (busyMs: number, parallelism = 1): StageStats => ({ busyMs, waitInMs: 0, waitOutMs: 0, items: 1, parallelism });
  const stages = (over: Partial<Record<StageName, StageStats>>): Record<StageName, StageStats> => ({
    demux: stage(10), decode: stage(100), readout: stage(20), scale: stage(900), handoff: stage(1), encode: stage(1500, 2), contract: stage(1), mux: stage(5), ...over,
  });

  it('names the stage with the largest busy time per worker', () => {
    assert.deepEqual(boundOf(stages({})), { bound: 'scale', boundMs: 900 }, 'encode 1500 ms over 2 leases is 750 ms each');
    assert.deepEqual(boundOf(stages({ encode: stage(2000, 2) })), { bound: 'encode', boundMs: 1000 });
  });

  it('assembles meters and lease times, with the leases\' idle share of the wall time', () => {
    const front = { demux: new StageMeter(), decode: new StageMeter(), readout: new StageMeter(), scale: new StageMeter(), handoff: new StageMeter() };
    front.scale.addBusy(800);
    const p = stageProfile({
      wallMs: 1000,
      front,
      scheduler: {
        leases: [{ lease: 0, hardware: false, busyMs: 900, idleMs: 100, chunks: 3 }, { lease: 1, hardware: false, busyMs: 700, idleMs: 300, chunks: 2 }],
        contract: stage(1), mux: stage(2),
      },
      maxScalesInFlight: 3,
      scaler: { scale: () => Promise.resolve([]), timings: () => ({ repackMs: 1, uploadMs: 2, gpuMs: 3, readbackMs: 4 }) },
    });
    assert.equal(p.encode.busyMs, 1600);
    assert.equal(p.encode.parallelism, 2);
    assert.equal(p.encode.items, 5);
    assert.equal(p.leaseIdleMs, 400);
    assert.equal(p.leaseIdleShare, 0.2);
    assert.equal(p.bound, 'scale');
    assert.equal(p.scale.gpuMs, 3);
    assert.match(formatStages(p), /encode 2×0\.8 .*lease idle 20% · bound scale 0\.8 of 1\.0 s/);
  });
});

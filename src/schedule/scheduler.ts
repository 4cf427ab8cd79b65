// The chunk scheduler. Decoded, scaled frames arrive per rung and are cut into GOP-sized chunks at
// the same source timestamps in every rung. Each lease has a home rung (where it starts); leases
// pull queued chunks oldest first (so buffered frames drain), then from the rung with the most work
// left in pixels (a lease away from home is a helper), then their home rung, and stream frames into
// their encoder. A chunk still being filled goes to the lease that has taken the fewest chunks of
// its rung: taking it early gains nothing (its frames arrive at the decoder's pace), and spreading a
// rung over the leases lets a helper join the slow rung even when decoding is the bottleneck, and
// checks every encoder against the rung's contract early. Every chunk's AV1 sequence header is
// checked against its rung's contract: a chunk that breaks it is requeued and that lease stops
// helping the rung; a chunk whose encoder fails is requeued (bounded), and a lease that keeps
// failing is retired. Frames stay retained until their chunk is accepted, so a requeue can
// re-encode them (with an onChunkAccepted hook, until the hook is done with them too); decode waits
// when retained bytes exceed the budget, unless a lease is starving for frames (which would deadlock). Each lease's busy and idle time,
// the contract check's and the muxing's are measured for the run's stage profile.
import { compareContract, contractFromSequenceHeader, findSequenceHeader } from '../av1/mod.ts';
import { CodecFailureError, ContractMismatchError, TranscodeError, abortError } from '../errors.ts';
import type { ChunkJob, EncoderLease, RawFrame } from '../types/mod.ts';
import { StageMeter, round } from '../pipeline/meter.ts';
import { RateController } from './rate.ts';
import type { RatePlan } from './rate.ts';
import { emit } from '../progress/events.ts';
import type { AcceptedRung, Av1Contract, ChunkOutput, ChunkRecord, LeaseStageStats, ProgressSink, SchedulerStages, StageStats } from '../types/mod.ts';

export type { AcceptedRung, SchedulerStages } from '../types/mod.ts';

/**
 * A chunk is encoded again for its rate in bitrate mode at most this often: after a first pass far
 * off, and after the pass that shows its encoder saturated (the chunk then goes by quantizer).
 */
const MAX_BITRATE_REPEATS = 2;
/**
 * A chunk's quantizer search makes at most this many passes of its own, apart from the bitrate
 * passes before it, and ends sooner once it would try a quantizer it already tried (the closest
 * pass is kept). SVT-AV1's first 360p chunk of the nearly static clip took seven from the first
 * quantizer, across a plateau (363–375 kbit/s from q16 to q6) and a cliff: 28, 16, 11, 6, 1, 3, 2.
 */
const MAX_QUANTIZER_PASSES = 8;

/** Encoder failures a single chunk may suffer before the job fails. */
const MAX_ATTEMPTS = 3;
/** Consecutive failures after which a lease is retired. */
const MAX_LEASE_FAILURES = 3;

export interface RungWork {
  job: ChunkJob;
  /** Contract fields fixed up front; the rest come from the first accepted chunk. */
  declared?: Partial<Av1Contract>;
}

function pixels(job: ChunkJob): number {
  return job.width * job.height;
}

interface Chunk {
  rung: number;
  index: number;
  frames: RawFrame[];
  closed: boolean;
  state: 'queued' | 'running' | 'done';
  /** Index of the next frame to send to the running lease. */
  sent: number;
  attempts: number;
  excluded: Set<number>;
  lastError: Error | null;
  helper: boolean;
  output: ChunkOutput | null;
  record: ChunkRecord | null;
  /** The rate plan of the attempt under way (targets are fixed when an encoder begins). */
  plan: RatePlan | null;
  /** Times this chunk was encoded again for its rate (first pass, saturation, quantizer search; see MAX_BITRATE_REPEATS and MAX_QUANTIZER_PASSES). */
  repeats: number;
  /** This chunk's passes at constant quality (a saturated rung): the quantizer search's points, and the outputs to pick from. */
  searched: Array<{ q: number; rate: number; output: ChunkOutput; outcome: { bits: number; seconds: number }; plan: RatePlan }>;
}

/** An accepted chunk as the onChunkAccepted hook sees it; the hook may keep `frames` until it settles. */
export interface AcceptedChunk {
  rung: number;
  index: number;
  frames: RawFrame[];
  packets: ChunkOutput['packets'];
}

export class Scheduler {
  readonly #rungs: RungWork[];
  readonly #leases: EncoderLease[];
  readonly #chunks: Chunk[][];
  readonly #contracts: Array<{ contract: Av1Contract; obu: Uint8Array } | null>;
  readonly #sink: ProgressSink | undefined;
  readonly #budget: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onRungDone: (r: AcceptedRung) => Promise<void>;
  readonly #onChunkAccepted: ((c: AcceptedChunk) => Promise<unknown>) | undefined;
  readonly #onFramesFreed: ((frames: RawFrame[]) => void) | undefined;
  #measuring: Array<Promise<void>> = [];
  #retained = 0;
  #inputEnded = false;
  #failure: Error | null = null;
  #waiters: Array<() => void> = [];
  #rungsDone = new Set<number>();
  #muxing: Array<Promise<void>> = [];
  /** Leases that broke a rung's contract never work on that rung again. */
  #rungExcluded: Array<Set<number>>;
  #retired = new Set<number>();
  #failures = new Map<number, number>();
  #helping = new Set<string>();
  /** Chunks each lease has taken, per rung. */
  #taken: Array<Map<number, number>>;
  #framesDone = 0;
  #started = performance.now();
  readonly #expectedFrames: number;
  readonly #leaseTime = new Map<number, { busyMs: number; idleMs: number; chunks: number }>();
  readonly #contract = new StageMeter();
  readonly #mux = new StageMeter();
  readonly #rate: RateController;
  readonly #chunkSeconds: number;
  requeued = 0;
  /** Chunks encoded a second time because their first pass missed the rate. */
  recalibrated = 0;

  constructor(opts: {
    rungs: RungWork[];
    leases: EncoderLease[];
    maxBufferedBytes: number;
    sink?: ProgressSink | undefined;
    signal?: AbortSignal | undefined;
    /** Frames expected per rung, for the ETA; 0 or absent when unknown. */
    expectedFrames?: number;
    /** Nominal chunk length in seconds (the rate loop's unit). Default 2. */
    chunkSeconds?: number;
    onRungDone: (r: AcceptedRung) => Promise<void>;
    /** A rate controller shared with other schedulers of the same ladder (a worker's segments of one job); default: a fresh one. */
    rate?: RateController | undefined;
    /**
     * Called with each accepted chunk's frames and packets (the quality report); its frames count
     * against maxBufferedBytes until the promise settles, and a rejection fails the job.
     */
    onChunkAccepted?: ((c: AcceptedChunk) => Promise<unknown>) | undefined;
    /**
     * Called with an accepted chunk's frames once nothing here or in onChunkAccepted reads them any
     * more, so their buffers can be reused (a picture pool).
     */
    onFramesFreed?: ((frames: RawFrame[]) => void) | undefined;
  }) {
    this.#expectedFrames = opts.expectedFrames ?? 0;
    this.#rungs = opts.rungs;
    this.#leases = opts.leases;
    this.#chunks = opts.rungs.map(() => []);
    this.#contracts = opts.rungs.map(() => null);
    this.#rungExcluded = opts.rungs.map(() => new Set());
    this.#taken = opts.rungs.map(() => new Map());
    this.#sink = opts.sink;
    this.#budget = opts.maxBufferedBytes;
    this.#signal = opts.signal;
    this.#onRungDone = opts.onRungDone;
    this.#chunkSeconds = opts.chunkSeconds ?? 2;
    const frameRate = opts.rungs[0]?.job.frameRate ?? 0;
    this.#rate = opts.rate ?? new RateController(opts.rungs.map((r) => r.job.bitrate), frameRate > 0 ? this.#expectedFrames / frameRate : 0);
    this.#onChunkAccepted = opts.onChunkAccepted;
    this.#onFramesFreed = opts.onFramesFreed;
    opts.signal?.addEventListener('abort', () => this.fail(abortError(opts.signal?.reason)), { once: true });
  }

  /** Each lease's busy and idle time so far, and the contract check's and the muxing's. */
  stages(): SchedulerStages {
    return {
      leases: this.#leases.map((l) => {
        const t = this.#leaseTime.get(l.id) ?? { busyMs: 0, idleMs: 0, chunks: 0 };
        return { lease: l.id, hardware: l.hardware, busyMs: round(t.busyMs), idleMs: round(t.idleMs), chunks: t.chunks };
      }),
      contract: this.#contract.stats(),
      mux: this.#mux.stats(),
    };
  }

  /** Waits for a change, as idle time of `lease`. */
  async #idle(lease: EncoderLease): Promise<void> {
    const t0 = performance.now();
    await this.#wait();
    this.#time(lease).idleMs += performance.now() - t0;
  }

  #time(lease: EncoderLease): { busyMs: number; idleMs: number; chunks: number } {
    let t = this.#leaseTime.get(lease.id);
    if (!t) this.#leaseTime.set(lease.id, t = { busyMs: 0, idleMs: 0, chunks: 0 });
    return t;
  }

  #changed(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  fail(err: Error): void {
    this.#failure ??= err;
    this.#changed();
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Resolves when another frame may be pushed (the retained-bytes budget, see the file comment). */
  async room(): Promise<void> {
    for (;;) {
      this.#throwIfFailed();
      if (this.#retained < this.#budget || this.#starving()) return;
      await this.#wait();
    }
  }

  #starving(): boolean {
    for (const rung of this.#chunks) {
      for (const c of rung) if (c.state === 'running' && !c.closed && c.sent >= c.frames.length) return true;
    }
    return false;
  }

  /** Adds a frame to chunk `index` of `rung`, closing that rung's earlier chunks. */
  push(rung: number, index: number, frame: RawFrame): void {
    this.#throwIfFailed();
    const chunks = this.#chunks[rung];
    if (!chunks) throw new RangeError(`Cannot push frame: no rung ${rung}`);
    let last = chunks[chunks.length - 1];
    if (last && index < last.index) throw new RangeError(`Cannot push frame: chunk ${index} of rung ${rung} already closed`);
    if (!last || index > last.index) {
      if (last) last.closed = true;
      last = { rung, index, frames: [], closed: false, state: 'queued', sent: 0, attempts: 0, excluded: new Set(), lastError: null, helper: false, output: null, record: null, plan: null, repeats: 0, searched: [] };
      chunks.push(last);
    }
    last.frames.push(frame);
    this.#retained += frame.data.byteLength;
    this.#changed();
  }

  /** No more frames will come. */
  endInput(): void {
    this.#inputEnded = true;
    for (const rung of this.#chunks) for (const c of rung) c.closed = true;
    for (let r = 0; r < this.#rungs.length; r++) this.#maybeRungDone(r);
    this.#changed();
  }

  /** Runs every lease until all chunks are accepted; rejects on the first fatal error. */
  async run(): Promise<void> {
    const loops = this.#leases.map((lease, i) => this.#leaseLoop(lease, i % this.#rungs.length));
    const results = await Promise.allSettled(loops);
    await Promise.all(this.#muxing);
    await Promise.all(this.#measuring);
    this.#throwIfFailed();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  #allDone(): boolean {
    return this.#inputEnded && this.#rungsDone.size === this.#rungs.length;
  }

  #pick(lease: EncoderLease, home: number): Chunk | null {
    let best: Chunk | null = null;
    let bestKey: number[] = [];
    for (const rung of this.#chunks) {
      const first = rung[0];
      if (!first || this.#rungExcluded[first.rung]!.has(lease.id)) continue;
      const remaining = rung.filter((x) => x.state !== 'done').length * pixels(this.#rungs[first.rung]!.job);
      for (const c of rung) {
        if (c.state !== 'queued' || c.excluded.has(lease.id) || this.#deferred(lease, c)) continue;
        const key = [c.index, -remaining, c.rung === home ? 0 : 1, c.rung];
        if (!best || lexLess(key, bestKey)) { best = c; bestKey = key; }
      }
    }
    return best;
  }

  /** An open chunk waits for a usable lease that has taken fewer chunks of its rung. */
  #deferred(lease: EncoderLease, c: Chunk): boolean {
    if (c.closed) return false;
    const taken = this.#taken[c.rung]!;
    const mine = taken.get(lease.id) ?? 0;
    return this.#leases.some((l) => l !== lease && this.#usable(l, c) && (taken.get(l.id) ?? 0) < mine);
  }

  async #leaseLoop(lease: EncoderLease, home: number): Promise<void> {
    const time = this.#time(lease);
    const started = performance.now();
    try {
      await this.#leaseWork(lease, home);
    } finally {
      // Busy is the loop's life less its waits: starting encoders, sending frames, flushing.
      time.busyMs = performance.now() - started - time.idleMs;
    }
  }

  async #leaseWork(lease: EncoderLease, home: number): Promise<void> {
    for (;;) {
      if (this.#failure || this.#allDone() || this.#retired.has(lease.id)) return;
      const chunk = this.#pick(lease, home);
      if (!chunk) {
        this.#checkStuck();
        await this.#idle(lease);
        continue;
      }
      const helper = chunk.rung !== home;
      const tag = `${lease.id}:${chunk.rung}`;
      if (helper && !this.#helping.has(tag)) {
        this.#helping.add(tag);
        emit(this.#sink, { type: 'helper-attached', leaseId: lease.id, rung: chunk.rung, homeRung: home });
      }
      await this.#runChunk(lease, chunk, helper);
    }
  }

  #usable(lease: EncoderLease, c: Chunk): boolean {
    return !this.#retired.has(lease.id) && !c.excluded.has(lease.id) && !this.#rungExcluded[c.rung]!.has(lease.id);
  }

  /** Fails the job when a queued chunk can run on no lease that is left. */
  #checkStuck(): void {
    for (const rung of this.#chunks) {
      for (const c of rung) {
        if (c.state !== 'queued' || this.#leases.some((l) => this.#usable(l, c))) continue;
        if (this.#leases.every((l) => this.#retired.has(l.id))) {
          this.fail(new CodecFailureError(`Every encoder lease was retired after repeated failures; rung ${c.rung} chunk ${c.index} cannot be encoded`));
        } else if (this.#leases.every((l) => this.#rungExcluded[c.rung]!.has(l.id) || this.#retired.has(l.id))) {
          this.fail(c.lastError instanceof ContractMismatchError ? c.lastError
            : new ContractMismatchError(`Rung ${c.rung}: no lease produces chunks that match its contract`, 'lease', 'any', 'none'));
        } else {
          c.excluded.clear(); // every remaining lease failed it once: each gets another try
          this.#changed();
        }
      }
    }
  }

  async #runChunk(lease: EncoderLease, chunk: Chunk, helper: boolean): Promise<void> {
    const work = this.#rungs[chunk.rung]!;
    chunk.state = 'running';
    chunk.sent = 0;
    chunk.attempts++;
    chunk.helper = helper;
    const taken = this.#taken[chunk.rung]!;
    taken.set(lease.id, (taken.get(lease.id) ?? 0) + 1);
    const started = performance.now();
    let info = { hardware: false, encoder: 'unknown' };
    // Constant-quality rungs have no rate to hold.
    const plan = work.job.quantizer === null ? this.#rate.plan(chunk.rung, kindOf(lease.hardware), this.#chunkSeconds, chunk.searched) : null;
    chunk.plan = plan;
    try {
      info = await lease.begin({ ...work.job, bitrate: plan?.bitrate ?? work.job.bitrate, quantizer: plan?.quantizer ?? work.job.quantizer, preferHardware: lease.hardware });
      emit(this.#sink, { type: 'chunk-start', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, hardware: info.hardware, encoder: info.encoder, helper });
      for (;;) {
        this.#throwIfFailed();
        const frame = chunk.frames[chunk.sent];
        if (frame) {
          // The lease leaves frame.data as it is, so a requeue can send it again.
          await lease.add({ data: frame.data, timestamp: frame.timestamp, duration: frame.duration });
          chunk.sent++;
          this.#changed();
          continue;
        }
        if (chunk.closed) break;
        await this.#idle(lease); // the chunk's next frame is still being decoded and scaled
      }
      const output = await lease.end();
      this.#accept(lease, chunk, output, started);
    } catch (err) {
      if (plan && chunk.state === 'running') {
        this.#rate.learn(chunk.rung, kindOf(lease.hardware), plan, this.#chunkSeconds, { bits: 0, seconds: 0 });
        // An encoder that will not open at constant quality goes back to bitrate targets.
        if (plan.quantizer !== null) this.#rate.unsaturate(kindOf(lease.hardware), chunk.rung);
      }
      if (this.#failure) return;
      const e = err instanceof Error ? err : new Error(String(err));
      if (e instanceof TranscodeError && !(e instanceof CodecFailureError) && !(e instanceof ContractMismatchError)) {
        this.fail(e);
        return;
      }
      this.#requeue(lease, chunk, e);
    }
  }

  #accept(lease: EncoderLease, chunk: Chunk, output: ChunkOutput, started: number): void {
    const work = this.#rungs[chunk.rung]!;
    if (output.packets.length !== chunk.frames.length) {
      throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: encoder returned ${output.packets.length} packets for ${chunk.frames.length} frames`);
    }
    const first = output.packets[0];
    if (!first?.key) throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: first packet is not a key frame`);
    const checking = this.#contract.start();
    this.#contract.items++;
    try {
      this.#checkContract(chunk, first.data);
    } finally {
      this.#contract.end(checking);
    }
    let bytes = 0;
    for (const p of output.packets) bytes += p.data.byteLength;
    let us = 0;
    for (const f of chunk.frames) us += f.duration;
    let outcome = { bits: bytes * 8, seconds: us / 1e6 };
    let plan = chunk.plan;
    // Learned under the kind that actually encoded (a hardware lease may have fallen back to software).
    let again = plan !== null && this.#rate.learn(chunk.rung, kindOf(output.hardware), plan, this.#chunkSeconds, outcome);
    if (plan && plan.quantizer !== null) {
      chunk.searched.push({ q: plan.quantizer, rate: outcome.bits / outcome.seconds, output, outcome, plan });
      again ||= this.#rate.bracketed(chunk.searched, plan.aim);
    }
    if (plan && again) {
      const kbps = (x: number) => `${Math.round(x / 1000)} kbit/s`;
      const made = kbps(outcome.bits / outcome.seconds);
      const nextQ = plan.quantizer !== null ? this.#rate.quantizerFor(chunk.searched, plan.aim).quantizer : null;
      const converged = nextQ !== null && chunk.searched.some((p) => p.q === nextQ);
      const budget = plan.quantizer !== null ? chunk.searched.length < MAX_QUANTIZER_PASSES : chunk.repeats < MAX_BITRATE_REPEATS;
      if (budget && !converged) {
        chunk.repeats++;
        this.recalibrated++;
        chunk.state = 'queued';
        chunk.sent = 0;
        const reason = plan.quantizer !== null
          ? `quantizer ${plan.quantizer} made ${made} for ${kbps(plan.aim)} aimed: encoding it again at quantizer ${nextQ}`
          : plan.calibrated
            ? `encoder saturated: ${made} for ${kbps(plan.aim)} aimed at a target of ${kbps(plan.bitrate)}; encoding the rung at constant quality (quantizer)`
            : `first pass at ${made} for ${kbps(plan.aim)} aimed (target ${kbps(plan.bitrate)}): encoding it again with the learned correction`;
        emit(this.#sink, { type: 'requeue', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, reason });
        this.#changed();
        return;
      }
      if (chunk.searched.length > 0) {
        // The search ended: keep the pass closest to its aim.
        const off = (p: { rate: number; plan: RatePlan }) => Math.abs(Math.log(p.rate / p.plan.aim));
        const best = chunk.searched.reduce((m, p) => (off(p) < off(m) ? p : m));
        ({ output, outcome, plan } = best);
        bytes = outcome.bits / 8;
      }
    }
    this.#rate.accept(chunk.rung, outcome);
    chunk.output = output;
    chunk.record = {
      index: chunk.index, frames: chunk.frames.length, leaseId: lease.id, helper: chunk.helper, hardware: output.hardware, encoder: output.encoder, attempts: chunk.attempts, bytes,
      targetBitrate: plan && plan.quantizer === null ? plan.bitrate : 0, aimBitrate: plan?.aim ?? 0, seconds: outcome.seconds,
      quantizer: plan ? plan.quantizer : work.job.quantizer,
    };
    this.#failures.set(lease.id, 0);
    this.#time(lease).chunks++;
    chunk.state = 'done';
    const held = chunk.frames;
    const frames = held.length;
    let heldBytes = 0;
    for (const f of held) heldBytes += f.data.byteLength;
    chunk.frames = [];
    if (this.#onChunkAccepted) {
      const letGo = () => { this.#retained -= heldBytes; this.#changed(); };
      this.#measuring.push(Promise.resolve()
        .then(() => this.#onChunkAccepted!({ rung: chunk.rung, index: chunk.index, frames: held, packets: output.packets }))
        .then(() => { letGo(); this.#onFramesFreed?.(held); }, (err: unknown) => { letGo(); this.fail(err instanceof Error ? err : new Error(String(err))); }));
    } else {
      this.#retained -= heldBytes;
      this.#onFramesFreed?.(held);
    }
    this.#framesDone += frames;
    const total = this.#expectedFrames * this.#rungs.length;
    const elapsed = (performance.now() - this.#started) / 1000;
    const etaSeconds = total > 0 && this.#framesDone > 0 ? (elapsed * Math.max(0, total - this.#framesDone)) / this.#framesDone : null;
    emit(this.#sink, { type: 'chunk-done', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, hardware: output.hardware, encoder: output.encoder, helper: chunk.helper, frames, bytes, ms: performance.now() - started, etaSeconds });
    this.#changed();
    this.#maybeRungDone(chunk.rung);
  }

  /** Checks a chunk's sequence header against its rung's contract; the first accepted chunk fixes the contract. */
  #checkContract(chunk: Chunk, key: Uint8Array): void {
    const found = findSequenceHeader(key);
    if (!found) throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: key frame has no AV1 sequence header`);
    const contract = contractFromSequenceHeader(found.header);
    const expected = this.#contracts[chunk.rung];
    const wanted = expected?.contract ?? this.#rungs[chunk.rung]!.declared;
    const diff = wanted ? compareContract(wanted, contract) : null;
    if (diff) {
      throw new ContractMismatchError(
        `Rung ${chunk.rung} chunk ${chunk.index}: sequence header ${diff.field} is ${String(diff.actual)}, the rung's contract says ${String(diff.expected)}`,
        diff.field, diff.expected, diff.actual,
      );
    }
    if (!expected) this.#contracts[chunk.rung] = { contract, obu: found.obu };
  }

  #requeue(lease: EncoderLease, chunk: Chunk, err: Error): void {
    chunk.state = 'queued';
    chunk.sent = 0;
    chunk.lastError = err;
    this.requeued++;
    emit(this.#sink, { type: 'requeue', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, reason: err.message });
    if (err instanceof ContractMismatchError) {
      this.#rungExcluded[chunk.rung]!.add(lease.id); // the helper leaves this rung
    } else {
      chunk.excluded.add(lease.id);
      const failures = (this.#failures.get(lease.id) ?? 0) + 1;
      this.#failures.set(lease.id, failures);
      if (failures >= MAX_LEASE_FAILURES) {
        this.#retired.add(lease.id);
        emit(this.#sink, { type: 'lease-retired', leaseId: lease.id, reason: err.message });
      }
      // Passes repeated for the rate (not failures) do not count against the chunk.
      if (chunk.attempts - chunk.repeats >= MAX_ATTEMPTS) {
        this.fail(new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index} failed ${chunk.attempts - chunk.repeats} times; last error: ${err.message}`, { cause: err }));
        return;
      }
    }
    this.#checkStuck();
    this.#changed();
  }

  #maybeRungDone(rung: number): void {
    const chunks = this.#chunks[rung]!;
    if (!this.#inputEnded || this.#rungsDone.has(rung) || chunks.length === 0 || chunks.some((c) => c.state !== 'done')) return;
    this.#rungsDone.add(rung);
    const contract = this.#contracts[rung]!;
    const accepted: AcceptedRung = {
      rung,
      contract: contract.contract,
      sequenceHeaderObu: contract.obu,
      chunks: chunks.map((c) => ({ output: c.output!, record: c.record! })),
    };
    this.#mux.items++;
    this.#muxing.push(
      this.#mux.busy(() => this.#onRungDone(accepted)).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err)))),
    );
    this.#changed();
  }
}

function kindOf(hardware: boolean): string {
  return hardware ? 'hardware' : 'software';
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}

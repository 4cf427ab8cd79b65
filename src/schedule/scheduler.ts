// The chunk scheduler. Decoded, scaled frames arrive per rung and are cut into GOP-sized chunks at
// the same source timestamps in every rung. Leases pull queued chunks (oldest first, their home
// rung on ties, else the rung with the most work left) and stream frames into their encoder.
// Every chunk's AV1 sequence header is checked against its rung's contract; a chunk that breaks it,
// or whose encoder fails, is requeued on another lease. Frames stay retained until their chunk is
// accepted, so a requeue can re-encode them; decode waits when retained bytes exceed the budget,
// unless a lease is starving for frames (which would deadlock).
import { compareContract, contractFromSequenceHeader, findSequenceHeader } from '../av1/mod.ts';
import type { Av1Contract } from '../av1/mod.ts';
import { CodecFailureError, ContractMismatchError, TranscodeError, abortError } from '../errors.ts';
import type { EncoderLease } from '../encode/lease.ts';
import type { ChunkJob, ChunkOutput, RawFrame } from '../encode/messages.ts';
import { emit } from '../progress/events.ts';
import type { ProgressSink } from '../progress/events.ts';
import type { ChunkRecord } from '../types.ts';

/** Encoder failures a single chunk may suffer before the job fails. */
const MAX_ATTEMPTS = 3;

export interface RungWork {
  job: ChunkJob;
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
  output: ChunkOutput | null;
  record: ChunkRecord | null;
}

export interface AcceptedRung {
  rung: number;
  contract: Av1Contract;
  sequenceHeaderObu: Uint8Array;
  chunks: Array<{ output: ChunkOutput; record: ChunkRecord }>;
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
  #retained = 0;
  #inputEnded = false;
  #failure: Error | null = null;
  #waiters: Array<() => void> = [];
  #rungsDone = new Set<number>();
  #muxing: Array<Promise<void>> = [];
  requeued = 0;

  constructor(opts: {
    rungs: RungWork[];
    leases: EncoderLease[];
    maxBufferedBytes: number;
    sink?: ProgressSink | undefined;
    signal?: AbortSignal | undefined;
    onRungDone: (r: AcceptedRung) => Promise<void>;
  }) {
    this.#rungs = opts.rungs;
    this.#leases = opts.leases;
    this.#chunks = opts.rungs.map(() => []);
    this.#contracts = opts.rungs.map(() => null);
    this.#sink = opts.sink;
    this.#budget = opts.maxBufferedBytes;
    this.#signal = opts.signal;
    this.#onRungDone = opts.onRungDone;
    opts.signal?.addEventListener('abort', () => this.fail(abortError(opts.signal?.reason)), { once: true });
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
    // Queued chunks with idle leases will start soon; treat as starving to keep frames moving.
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
      last = { rung, index, frames: [], closed: false, state: 'queued', sent: 0, attempts: 0, excluded: new Set(), output: null, record: null };
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
      for (const c of rung) {
        if (c.state !== 'queued' || c.excluded.has(lease.id)) continue;
        const remaining = rung.filter((x) => x.state !== 'done').length;
        const key = [c.index, c.rung === home ? 0 : 1, -remaining, c.rung];
        if (!best || lexLess(key, bestKey)) { best = c; bestKey = key; }
      }
    }
    return best;
  }

  async #leaseLoop(lease: EncoderLease, home: number): Promise<void> {
    for (;;) {
      if (this.#failure || this.#allDone()) return;
      const chunk = this.#pick(lease, home);
      if (!chunk) {
        this.#checkStuck();
        await this.#wait();
        continue;
      }
      await this.#runChunk(lease, chunk, chunk.rung !== home);
    }
  }

  /** Fails the job when a queued chunk is excluded from every lease (nobody can ever encode it). */
  #checkStuck(): void {
    for (const rung of this.#chunks) {
      for (const c of rung) {
        if (c.state === 'queued' && this.#leases.every((l) => c.excluded.has(l.id))) {
          this.fail(c.record ? new ContractMismatchError(`Rung ${c.rung} chunk ${c.index}: no lease produces a compatible chunk`, 'lease', 'any', 'none')
            : new CodecFailureError(`Rung ${c.rung} chunk ${c.index}: every encoder lease failed it`));
        }
      }
    }
  }

  async #runChunk(lease: EncoderLease, chunk: Chunk, helper: boolean): Promise<void> {
    const work = this.#rungs[chunk.rung]!;
    chunk.state = 'running';
    chunk.sent = 0;
    chunk.attempts++;
    const started = performance.now();
    let info = { hardware: false, encoder: 'unknown' };
    try {
      info = await lease.begin(work.job);
      emit(this.#sink, { type: 'chunk-start', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, hardware: info.hardware, encoder: info.encoder, helper });
      for (;;) {
        this.#throwIfFailed();
        const frame = chunk.frames[chunk.sent];
        if (frame) {
          // Copy: the lease transfers the buffer, and the original stays for a requeue.
          await lease.add({ data: frame.data.slice(0), timestamp: frame.timestamp, duration: frame.duration });
          chunk.sent++;
          this.#changed();
          continue;
        }
        if (chunk.closed) break;
        await this.#wait();
      }
      const output = await lease.end();
      this.#accept(lease, chunk, output, started);
    } catch (err) {
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
    if (output.packets.length !== chunk.frames.length) {
      throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: encoder returned ${output.packets.length} packets for ${chunk.frames.length} frames`);
    }
    const first = output.packets[0];
    if (!first?.key) throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: first packet is not a key frame`);
    const found = findSequenceHeader(first.data);
    if (!found) throw new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index}: key frame has no AV1 sequence header`);
    const contract = contractFromSequenceHeader(found.header);
    const expected = this.#contracts[chunk.rung];
    if (expected) {
      const diff = compareContract(expected.contract, contract);
      if (diff) {
        throw new ContractMismatchError(
          `Rung ${chunk.rung} chunk ${chunk.index}: sequence header ${diff.field} is ${String(diff.actual)}, the rung's contract says ${String(diff.expected)}`,
          diff.field, diff.expected, diff.actual,
        );
      }
    } else {
      this.#contracts[chunk.rung] = { contract, obu: found.obu };
    }
    let bytes = 0;
    for (const p of output.packets) bytes += p.data.byteLength;
    chunk.output = output;
    chunk.record = { index: chunk.index, frames: chunk.frames.length, leaseId: lease.id, hardware: output.hardware, encoder: output.encoder, attempts: chunk.attempts, bytes };
    chunk.state = 'done';
    for (const f of chunk.frames) this.#retained -= f.data.byteLength;
    const frames = chunk.frames.length;
    chunk.frames = [];
    emit(this.#sink, { type: 'chunk-done', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, hardware: output.hardware, encoder: output.encoder, frames, bytes, ms: performance.now() - started });
    this.#changed();
    this.#maybeRungDone(chunk.rung);
  }

  #requeue(lease: EncoderLease, chunk: Chunk, err: Error): void {
    chunk.state = 'queued';
    chunk.sent = 0;
    chunk.excluded.add(lease.id);
    this.requeued++;
    emit(this.#sink, { type: 'requeue', rung: chunk.rung, chunk: chunk.index, leaseId: lease.id, reason: err.message });
    if (chunk.attempts >= MAX_ATTEMPTS && !(err instanceof ContractMismatchError)) {
      this.fail(new CodecFailureError(`Rung ${chunk.rung} chunk ${chunk.index} failed ${chunk.attempts} times; last error: ${err.message}`, { cause: err }));
      return;
    }
    if (this.#leases.every((l) => chunk.excluded.has(l.id))) {
      // Every lease has failed it once; give each one more try, unless it is a contract problem.
      if (err instanceof ContractMismatchError) {
        this.fail(err);
        return;
      }
      chunk.excluded.clear();
    }
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
    this.#muxing.push(
      this.#onRungDone(accepted).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err)))),
    );
    this.#changed();
  }
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y;
  }
  return false;
}

// A simulated encoder backend for scheduler tests: deterministic leases that spend a controlled
// cost per chunk in virtual time, and can be told to break the AV1 contract or to fail. Their key
// packets carry a real AV1 sequence header (Chromium's, 1280x720, seq_level_idx 5 = level 3.1), so the contract check
// runs on a real parser.
import { CodecFailureError } from '../../src/errors.ts';
import type { ChunkJob, EncoderLease, RawFrame } from '../../src/types/mod.ts';
import type { ChunkOutput } from '../../src/types/mod.ts';

/** Temporal delimiter + sequence header OBU from Chromium's WebCodecs AV1 encoder (720p). */
const KEY_HEADER = Uint8Array.from([
  0x12, 0x00, 0x0a, 0x0e, 0x00, 0x00, 0x00, 0x2d, 0x4c, 0xff, 0xb3, 0xc0, 0x1a, 0x20, 0x20, 0x20, 0x20, 0x80,
]);
/** Byte of KEY_HEADER whose top five bits are seq_level_idx[0]. */
const LEVEL_BYTE = 7;

/** Virtual time: sleeps resolve in time order, and time jumps to the next timer once all work is idle. */
export class VirtualClock {
  now = 0;
  #timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  #seq = 0;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#timers.push({ at: this.now + ms, seq: this.#seq++, resolve }));
  }

  /** Runs `work` to completion, advancing virtual time whenever nothing else can progress. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const p = work().finally(() => { settled = true; });
    p.catch(() => {});
    while (!settled) {
      // Let every pending microtask and callback run before moving time.
      await new Promise<void>((r) => setTimeout(r, 0));
      if (settled) break;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers.shift();
      if (!next) throw new Error('VirtualClock: work is stuck (nothing scheduled and not settled)');
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
    return p;
  }
}

export interface SimulatedLeaseOptions {
  clock: VirtualClock;
  /** Virtual milliseconds one chunk of this job costs. */
  cost: (job: ChunkJob, frames: number) => number;
  hardware?: boolean;
  /** Every chunk this lease encodes carries a different level than Chromium's (a contract mismatch). */
  mismatch?: boolean;
  /** Fails the n-th chunk (0-based) this lease begins, mid-chunk. */
  failOnChunk?: (n: number) => boolean;
  /**
   * What this encoder makes of a target bitrate: a chunk comes out at target × gain(job) (default 1),
   * the way real encoders miss (SVT-AV1 over, Chromium's software AV1 under).
   */
  rateGain?: (job: ChunkJob, chunk: number) => number;
  /** Bits per second a chunk comes out at when encoded at constant quality (job.quantizer set); default the job's bitrate. */
  quantizerRate?: (job: ChunkJob, quantizer: number) => number;
}

export function createSimulatedLease(id: number, opts: SimulatedLeaseOptions): EncoderLease {
  let job: ChunkJob | null = null;
  let frames: RawFrame[] = [];
  let begun = 0;
  let failing = false;
  return {
    id,
    hardware: opts.hardware ?? false,
    async begin(j) {
      job = j;
      frames = [];
      failing = opts.failOnChunk?.(begun) ?? false;
      begun++;
      return { hardware: opts.hardware ?? false, encoder: `simulated:${id}` };
    },
    async add(frame) {
      frames.push(frame);
    },
    async end(): Promise<ChunkOutput> {
      if (!job) throw new CodecFailureError('Simulated encoder: end() without begin()');
      await opts.clock.sleep(opts.cost(job, frames.length) / (failing ? 2 : 1));
      if (failing) throw new CodecFailureError(`Simulated encoder ${id}: forced failure`);
      const q = job.quantizer;
      const rate = q !== null ? opts.quantizerRate?.(job, q) ?? job.bitrate : job.bitrate * (opts.rateGain?.(job, begun - 1) ?? 1);
      // Every packet a temporal delimiter and padding, sized so the chunk lands at that rate.
      const size = (f: RawFrame) => Math.max(2, Math.round((rate * f.duration) / 8e6));
      const packets = frames.map((f, i) => {
        const data = new Uint8Array(i === 0 ? Math.max(size(f), KEY_HEADER.length) : size(f));
        data.set(i === 0 ? KEY_HEADER : [0x12, 0x00]);
        if (i === 0 && opts.mismatch) data[LEVEL_BYTE] = (8 << 3) | (data[LEVEL_BYTE]! & 7);
        return { data, timestamp: f.timestamp, duration: f.duration, key: i === 0 };
      });
      job = null;
      return { packets, hardware: opts.hardware ?? false, encoder: `simulated:${id}` };
    },
    dispose() {},
  };
}

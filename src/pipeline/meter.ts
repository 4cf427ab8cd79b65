// Busy and waiting time of one pipeline stage, taken with performance.now() around its awaits, so
// measuring costs a few clock reads per frame. A stage that runs several calls at once (the scaler)
// counts as busy while at least one runs, so its busy time stays comparable with the wall time, and
// a wait counts only while none runs: a scaler waiting for room with calls still running is busy,
// not held back.
import type { StageStats } from '../types/mod.ts';

export class StageMeter {
  busyMs = 0;
  waitInMs = 0;
  waitOutMs = 0;
  /** Sum of every busy call's duration; above busyMs when calls overlap. */
  callMs = 0;
  items = 0;
  #running = 0;
  #since = 0;
  /** Time with no busy call running, up to #idleSince. */
  #idleMs = 0;
  #idleSince = performance.now();

  /** Runs `work` and counts it as busy time. */
  async busy<T>(work: () => Promise<T> | T): Promise<T> {
    const t0 = this.#start();
    try {
      return await work();
    } finally {
      this.#end(t0);
    }
  }

  /** Starts a busy span by hand (for work that is not one awaited call); returns its start time. */
  start(): number {
    return this.#start();
  }

  end(t0: number): void {
    this.#end(t0);
  }

  /** Awaits `p` as time spent waiting on the stage before this one. */
  async waitIn<T>(p: Promise<T>): Promise<T> {
    const i0 = this.#idle();
    try {
      return await p;
    } finally {
      this.waitInMs += this.#idle() - i0;
    }
  }

  /** Awaits `p` as time spent waiting on the stage after this one. */
  async waitOut<T>(p: Promise<T>): Promise<T> {
    const i0 = this.#idle();
    try {
      return await p;
    } finally {
      this.waitOutMs += this.#idle() - i0;
    }
  }

  /** Adds busy time measured by the caller (work interleaved with waits it charges separately). */
  addBusy(ms: number): void {
    this.busyMs += ms;
    this.callMs += ms;
  }

  stats(parallelism = 1): StageStats {
    return { busyMs: round(this.busyMs), waitInMs: round(this.waitInMs), waitOutMs: round(this.waitOutMs), items: this.items, parallelism };
  }

  /** Total time so far with no busy call running. */
  #idle(): number {
    return this.#idleMs + (this.#running === 0 ? performance.now() - this.#idleSince : 0);
  }

  #start(): number {
    const now = performance.now();
    if (this.#running++ === 0) {
      this.#since = now;
      this.#idleMs += now - this.#idleSince;
    }
    return now;
  }

  #end(t0: number): void {
    const now = performance.now();
    this.callMs += now - t0;
    if (--this.#running === 0) {
      this.busyMs += now - this.#since;
      this.#idleSince = now;
    }
  }
}

/** Milliseconds to one decimal: the profile is for people and JSON, not for sub-µs sums. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

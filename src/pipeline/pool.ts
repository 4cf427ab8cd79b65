// Byte buffers handed from the stage that fills them to the stage that is done with them, and back.
// A fresh multi-megabyte ArrayBuffer costs far more than its copy: in Chromium's renderer here,
// allocating and first writing 3 MB took 11–14 ms against 0.3–0.6 ms into a reused one (page faults
// and external-memory GCs), once per decoded 1080p frame. The pool keeps a few buffers of the sizes
// in use; a buffer it did not hand out, or one given back twice, is ignored.

export class BufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #issued = new WeakSet<ArrayBufferLike>();
  readonly #max: number;

  /** `max`: buffers kept free at most (the stages' buffers in flight). */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`BufferPool size must be a non-negative integer, got ${String(max)}`);
    this.#max = max;
  }

  /** A buffer of exactly `size` bytes, reused when one is free. Its contents are stale. */
  take(size: number): Uint8Array {
    const i = this.#free.findIndex((b) => b.byteLength === size);
    if (i >= 0) return this.#free.splice(i, 1)[0]!;
    const b = new Uint8Array(size);
    this.#issued.add(b.buffer);
    return b;
  }

  /** Gives back a buffer from take() that nothing reads any more. */
  give(b: Uint8Array): void {
    if (!this.#issued.has(b.buffer) || b.byteLength === 0 || this.#free.includes(b)) return;
    this.#free.push(b);
    // Oldest first: after a size change the old size's buffers leave first.
    if (this.#free.length > this.#max) this.#free.shift();
  }

  /** Buffers free now (tests). */
  get free(): number {
    return this.#free.length;
  }
}

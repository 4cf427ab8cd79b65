// Byte buffers handed from the stage that fills them to the stage that is done with them, and back.
// A fresh multi-megabyte ArrayBuffer costs far more than its copy: in Chromium's renderer here,
// allocating and first writing 3 MB took 11–14 ms against 0.3–0.6 ms into a reused one (page faults
// and external-memory GCs), once per decoded 1080p frame. The pool keeps a few buffers of the sizes
// in use; a buffer it did not hand out, or one given back twice, is ignored.

export class BufferPool {
  readonly #free: Uint8Array[] = [];
  readonly #issued = new WeakSet<ArrayBufferLike>();
  readonly #max: number;
  readonly #maxBytes: number;
  #freeBytes = 0;

  /**
   * `max`: buffers kept free at most (the stages' buffers in flight); `maxBytes`: their bytes at most,
   * for a pool whose buffers come back in bursts (a chunk's pictures once it is accepted).
   */
  constructor(max: number, maxBytes = Infinity) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`BufferPool size must be a non-negative integer, got ${String(max)}`);
    if (!(maxBytes >= 0)) throw new RangeError(`BufferPool byte bound must be a non-negative number, got ${String(maxBytes)}`);
    this.#max = max;
    this.#maxBytes = maxBytes;
  }

  /** A buffer of exactly `size` bytes, reused when one is free. Its contents are stale. */
  take(size: number): Uint8Array {
    const i = this.#free.findIndex((b) => b.byteLength === size);
    if (i >= 0) {
      this.#freeBytes -= size;
      return this.#free.splice(i, 1)[0]!;
    }
    const b = new Uint8Array(size);
    this.#issued.add(b.buffer);
    return b;
  }

  /** Gives back a buffer from take() (or a whole view of one) that nothing reads any more. */
  give(b: Uint8Array): void {
    if (!this.#issued.has(b.buffer) || b.byteLength === 0 || b.byteLength !== b.buffer.byteLength) return;
    if (this.#free.some((f) => f.buffer === b.buffer)) return;
    this.#free.push(b);
    this.#freeBytes += b.byteLength;
    // Oldest first: after a size change the old size's buffers leave first.
    while (this.#free.length > this.#max || this.#freeBytes > this.#maxBytes) this.#freeBytes -= this.#free.shift()!.byteLength;
  }

  /** Buffers free now (tests). */
  get free(): number {
    return this.#free.length;
  }
}

/**
 * The scaled pictures' pool: the scale stage takes each picture's buffer from it and the scheduler
 * gives a chunk's back once the chunk is accepted. They come back a chunk at a time, so it keeps up to
 * a quarter of the retained-bytes budget (at most 128 MiB) of free pictures.
 */
export interface PicturePool {
  /** A picture buffer of `size` bytes (the scale stage's allocator). */
  alloc: (size: number) => Uint8Array;
  /** An accepted chunk's frames, whose buffers nothing reads any more (the scheduler's onFramesFreed). */
  free: (frames: ReadonlyArray<{ data: ArrayBuffer }>) => void;
}

export function picturePool(maxBufferedBytes: number): PicturePool {
  const pool = new BufferPool(1024, Math.min(128 * 1024 * 1024, maxBufferedBytes / 4));
  return {
    alloc: (size) => pool.take(size),
    free: (frames) => { for (const f of frames) pool.give(new Uint8Array(f.data)); },
  };
}

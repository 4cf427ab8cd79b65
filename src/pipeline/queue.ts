// A bounded async queue between two pipeline stages. Its capacity is the backpressure: push() waits
// while it is full, shift() while it is empty, and the waits are charged to the stages' meters (the
// producer waits on the stage after it, the consumer on the stage before it). fail() wakes both
// sides with the error and hands every buffered item to `dispose`, so an item with a lifetime (a
// VideoFrame) always has an owner that closes it.
import type { StageMeter } from './meter.ts';

export interface QueueOptions<T> {
  /** Items held before push() waits; at least 1. */
  capacity: number;
  /** The stage that pushes: its waits for room are its waitOutMs. */
  producer?: StageMeter | undefined;
  /** The stage that takes: its waits for an item are its waitInMs. */
  consumer?: StageMeter | undefined;
  /** Receives the items the queue drops on fail(), and an item pushed after it failed. */
  dispose?: ((item: T) => void) | undefined;
}

// `undefined` marks the end of the queue, so items must be something else.
export class BoundedQueue<T extends NonNullable<unknown>> implements AsyncIterable<T> {
  readonly name: string;
  readonly capacity: number;
  readonly #items: T[] = [];
  readonly #opts: QueueOptions<T>;
  #closed = false;
  #failure: Error | null = null;
  #waiters: Array<() => void> = [];

  constructor(name: string, opts: QueueOptions<T>) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1) throw new RangeError(`Cannot create queue ${name}: capacity must be a positive integer, got ${String(opts.capacity)}`);
    this.name = name;
    this.capacity = opts.capacity;
    this.#opts = opts;
  }

  get length(): number {
    return this.#items.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Adds an item, waiting while the queue is full. The queue owns the item from the call on. */
  async push(item: T): Promise<void> {
    for (;;) {
      if (this.#failure) {
        this.#opts.dispose?.(item);
        throw this.#failure;
      }
      if (this.#closed) {
        this.#opts.dispose?.(item);
        throw new Error(`Cannot push to queue ${this.name}: it is closed`);
      }
      if (this.#items.length < this.capacity) {
        this.#items.push(item);
        this.#changed();
        return;
      }
      await (this.#opts.producer ? this.#opts.producer.waitOut(this.#next()) : this.#next());
    }
  }

  /** Resolves once push() would not wait (or throws the failure): for a producer that must not start an item before there is room for it. */
  async room(): Promise<void> {
    while (!this.#failure && !this.#closed && this.#items.length >= this.capacity) {
      await (this.#opts.producer ? this.#opts.producer.waitOut(this.#next()) : this.#next());
    }
    if (this.#failure) throw this.#failure;
  }

  /** The oldest item, left in the queue (it still counts against the capacity); undefined once closed and empty. */
  async peek(): Promise<T | undefined> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const first = this.#items[0];
      if (first !== undefined || this.#closed) return first;
      await (this.#opts.consumer ? this.#opts.consumer.waitIn(this.#next()) : this.#next());
    }
  }

  /** Takes the oldest item, waiting while the queue is empty; undefined once closed and empty. */
  async shift(): Promise<T | undefined> {
    const first = await this.peek();
    if (first !== undefined) {
      this.#items.shift();
      this.#changed();
    }
    return first;
  }

  /** No more items will be pushed; takers get what is left, then undefined. */
  close(): void {
    this.#closed = true;
    this.#changed();
  }

  /** Ends the queue with an error: waiting and later calls throw it; buffered items are disposed. */
  fail(err: Error): void {
    this.#failure ??= err;
    for (const item of this.#items.splice(0)) this.#opts.dispose?.(item);
    this.#changed();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const item = await this.shift();
      if (item === undefined) return;
      yield item;
    }
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #changed(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

// The WebCodecs codec state machine the Deno decoders and encoders share: state, the work queue
// and its size with 'dequeue' events, flush promises, reset/close, and errors that close the codec.
// A subclass configures, queues its own work items and runs them in drain(); FFmpeg stays there.

/** A flush() waiting for the work queued before it. */
export interface FlushOp { kind: 'flush'; done: () => void; fail: (e: Error) => void }

function isFlush(op: { kind: string }): op is FlushOp {
  return op.kind === 'flush';
}

/** The constructor argument every codec takes: its output callback and its error callback. */
export interface CodecInit<Output> { output: Output; error: (e: DOMException) => void }

/** Throws the TypeError a WebCodecs constructor throws for a missing callback; returns `init`. */
export function checkInit<I extends CodecInit<unknown>>(init: I, name: string): I {
  if (!init || typeof init.output !== 'function' || typeof init.error !== 'function') {
    throw new TypeError(`${name}: init needs output and error callbacks`);
  }
  return init;
}

export abstract class DenoCodec<Work extends { kind: string }, Output> extends EventTarget {
  /** What messages call the codec ('decoder', 'AudioEncoder', …). */
  readonly #noun: string;
  protected readonly output: Output;
  readonly #error: (e: DOMException) => void;
  #state: CodecState = 'unconfigured';
  /** Work items and flushes in order; drain() takes them from the front. */
  protected readonly ops: Array<Work | FlushOp> = [];
  #queued = 0;
  #running = false;
  /** Bumped whenever queued work is abandoned (reset, close, reconfigure, error). */
  #epoch = 0;

  protected constructor(noun: string, init: CodecInit<Output>) {
    super();
    this.#noun = noun;
    this.output = init.output;
    this.#error = init.error;
  }

  get state(): CodecState { return this.#state; }

  /** Work items queued and not yet taken by the codec (decodeQueueSize / encodeQueueSize). */
  protected get queued(): number { return this.#queued; }

  /** Whether drain() is running: what it uses must not be freed under it. */
  protected get running(): boolean { return this.#running; }

  protected get epoch(): number { return this.#epoch; }

  /** Runs the queued work in order; a throw closes the codec with an error (see #pump). */
  protected abstract drain(epoch: number): Promise<void>;

  /** Drops what the current configuration opened (reset, close, reconfigure, error). */
  protected abstract release(): void;

  /** After drain() returned or threw, with `running` false again: free what it left behind. */
  protected settled(_epoch: number): void {}

  protected requireNotClosed(action: string): void {
    if (this.#state === 'closed') throw new DOMException(`Cannot ${action}: the ${this.#noun} is closed`, 'InvalidStateError');
  }

  protected requireConfigured(action: string): void {
    if (this.#state !== 'configured') throw new DOMException(`Cannot ${action}: the ${this.#noun} is ${this.#state}`, 'InvalidStateError');
  }

  protected setConfigured(): void {
    this.#state = 'configured';
  }

  /** Queues one work item (counted in the queue size) and starts the queue. */
  protected enqueue(work: Work): void {
    this.#queued++;
    this.ops.push(work);
    this.pump();
  }

  /** A work item left the queue for the codec. */
  protected dequeued(): void {
    this.#queued--;
    this.dispatchEvent(new Event('dequeue'));
  }

  flush(): Promise<void> {
    if (this.#state !== 'configured') return Promise.reject(new DOMException(`Cannot flush: the ${this.#noun} is ${this.#state}`, 'InvalidStateError'));
    return new Promise((done, fail) => {
      this.ops.push({ kind: 'flush', done, fail });
      this.pump();
    });
  }

  reset(): void {
    this.requireNotClosed('reset');
    this.abort(new DOMException(`The ${this.#noun} was reset`, 'AbortError'));
    this.#state = 'unconfigured';
  }

  close(): void {
    if (this.#state === 'closed') return;
    this.abort(new DOMException(`The ${this.#noun} was closed`, 'AbortError'));
    this.#state = 'closed';
  }

  /** Abandons the queued work: pending flushes reject with `reason`, then release(). */
  protected abort(reason: DOMException): void {
    this.#epoch++;
    for (const op of this.ops.splice(0)) if (isFlush(op)) op.fail(reason);
    const had = this.#queued;
    this.#queued = 0;
    // Whoever waits for room in the queue learns that it is empty now.
    if (had > 0) queueMicrotask(() => this.dispatchEvent(new Event('dequeue')));
    this.release();
  }

  /** Closes the codec with `e`; the error callback hears of it if the codec was configured. */
  protected fail(e: DOMException): void {
    const wasLive = this.#state === 'configured';
    this.abort(e);
    this.#state = 'closed';
    if (wasLive) this.#error(e);
  }

  /** fail(e) in a microtask, unless the codec was reset, closed or reconfigured by then (the spec's asynchronous NotSupportedError). */
  protected failLater(e: DOMException): void {
    const epoch = this.#epoch;
    queueMicrotask(() => {
      if (epoch === this.#epoch && this.#state === 'configured') this.fail(e);
    });
  }

  /** Starts drain() unless it runs already. */
  protected pump(): void {
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const epoch = this.#epoch;
    try {
      await this.drain(epoch);
    } catch (err) {
      // Work of an abandoned epoch, or given up on purpose, fails no one.
      if (epoch === this.#epoch && !(err instanceof DOMException && err.name === 'AbortError')) {
        this.fail(err instanceof DOMException ? err : new DOMException(err instanceof Error ? err.message : String(err), 'EncodingError'));
      }
    } finally {
      this.#running = false;
      this.settled(epoch);
      if (this.ops.length > 0 && this.#state === 'configured') this.pump();
    }
  }
}

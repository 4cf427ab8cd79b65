// WebCodecs audio stand-ins for Node unit tests: an AudioDecoder that turns each chunk into one
// AudioData a tick later, an AudioEncoder that turns each AudioData into one chunk, and the chunk
// and data classes. Both codecs queue (decodeQueueSize / encodeQueueSize), fire 'dequeue', report
// errors through their error callback, and record what they were given, so tests can check
// configurations, backpressure, closing and failure paths. fakeAudioCodecs() hands them out as a
// runtime's audio codecs (and resets the script and the log).
import type { AudioCodecs } from '../../src/types/mod.ts';

export class FakeEncodedAudioChunk {
  readonly type: 'key' | 'delta';
  readonly timestamp: number;
  readonly duration: number | null;
  readonly byteLength: number;
  readonly #data: Uint8Array;
  constructor(init: { type: 'key' | 'delta'; data: Uint8Array; timestamp: number; duration?: number }) {
    this.type = init.type;
    this.timestamp = init.timestamp;
    this.duration = init.duration ?? null;
    this.#data = init.data.slice();
    this.byteLength = this.#data.byteLength;
  }
  copyTo(dest: Uint8Array): void { dest.set(this.#data); }
}

export class FakeAudioData {
  closed = false;
  constructor(readonly sampleRate: number, readonly numberOfChannels: number, readonly timestamp: number, readonly duration: number) {}
  close(): void { this.closed = true; }
}

/** What the fakes do; tests change it before a run (reset by fakeAudioCodecs). */
export interface AudioFakeScript {
  decodeSupported: (c: AudioDecoderConfig) => boolean;
  encodeSupported: (c: AudioEncoderConfig) => boolean;
  /** The rate and channels of the n-th decoded AudioData (default: the decoder's configuration). */
  decodedFormat: (n: number, c: AudioDecoderConfig) => { sampleRate: number; numberOfChannels: number };
  /** The decoder reports an error instead of decoding the n-th chunk. */
  decodeFailsAt: number | null;
  /** The encoder's first output carries this as decoderConfig.description (null: no metadata). */
  encoderDescription: Uint8Array | null;
}

export const audioLog = {
  decoders: [] as FakeAudioDecoder[],
  encoders: [] as FakeAudioEncoder[],
  data: [] as FakeAudioData[],
  /** decodeQueueSize + encodeQueueSize when each chunk was handed to decode(). */
  queuedAtDecode: [] as number[],
};

export let script: AudioFakeScript;

type State = 'unconfigured' | 'configured' | 'closed';

/** One work item per timer tick, so queues really build up when the caller does not wait. */
class Codec extends EventTarget {
  state: State = 'unconfigured';
  protected queue: Array<() => void> = [];
  #draining = false;
  #flushes: Array<() => void> = [];

  protected enqueue(work: () => void): void {
    if (this.state !== 'configured') throw new DOMException(`${this.constructor.name} is ${this.state}`, 'InvalidStateError');
    this.queue.push(work);
    if (!this.#draining) this.#drain();
  }

  #drain(): void {
    this.#draining = true;
    setTimeout(() => {
      const work = this.queue.shift();
      if (work && this.state === 'configured') {
        work();
        this.dispatchEvent(new Event('dequeue'));
      }
      if (this.queue.length > 0 && this.state === 'configured') return this.#drain();
      this.#draining = false;
      for (const f of this.#flushes.splice(0)) f();
    }, 0);
  }

  flush(): Promise<void> {
    if (this.state !== 'configured') return Promise.reject(new DOMException('not configured', 'InvalidStateError'));
    if (this.queue.length === 0 && !this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#flushes.push(resolve));
  }

  close(): void { this.state = 'closed'; this.queue = []; }
}

export class FakeAudioDecoder extends Codec {
  static async isConfigSupported(config: AudioDecoderConfig) { return { supported: script.decodeSupported(config), config }; }
  config: AudioDecoderConfig | null = null;
  #n = 0;
  constructor(readonly init: { output: (d: FakeAudioData) => void; error: (e: DOMException) => void }) {
    super();
    audioLog.decoders.push(this);
  }
  get decodeQueueSize(): number { return this.queue.length; }
  configure(config: AudioDecoderConfig): void { this.config = config; this.state = 'configured'; }
  decode(chunk: FakeEncodedAudioChunk): void {
    const encoders = audioLog.encoders.reduce((n, e) => n + (e.state === 'configured' ? e.encodeQueueSize : 0), 0);
    audioLog.queuedAtDecode.push(this.decodeQueueSize + encoders);
    const n = this.#n++;
    this.enqueue(() => {
      if (n === script.decodeFailsAt) {
        this.state = 'closed';
        this.init.error(new DOMException(`bad packet ${n}`, 'EncodingError'));
        return;
      }
      const f = script.decodedFormat(n, this.config!);
      const data = new FakeAudioData(f.sampleRate, f.numberOfChannels, chunk.timestamp, chunk.duration ?? 0);
      audioLog.data.push(data);
      this.init.output(data);
    });
  }
}

export class FakeAudioEncoder extends Codec {
  static async isConfigSupported(config: AudioEncoderConfig) { return { supported: script.encodeSupported(config), config }; }
  config: AudioEncoderConfig | null = null;
  /** For each encode(): whether the AudioData was still open when it was handed over. */
  givenOpen: boolean[] = [];
  #outputs = 0;
  constructor(readonly init: { output: (c: FakeEncodedAudioChunk, meta?: EncodedAudioChunkMetadata) => void; error: (e: DOMException) => void }) {
    super();
    audioLog.encoders.push(this);
  }
  get encodeQueueSize(): number { return this.queue.length; }
  configure(config: AudioEncoderConfig): void { this.config = config; this.state = 'configured'; }
  encode(data: FakeAudioData): void {
    this.givenOpen.push(!data.closed);
    const { timestamp, duration } = data;
    this.enqueue(() => {
      const first = this.#outputs++ === 0;
      const chunk = new FakeEncodedAudioChunk({ type: 'key', data: Uint8Array.of(0xfc, timestamp & 0xff), timestamp, duration });
      this.init.output(chunk, first && script.encoderDescription ? { decoderConfig: { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2, description: script.encoderDescription } } : undefined);
    });
  }
}

/** Installs the fakes as AudioDecoder, AudioEncoder, EncodedAudioChunk; returns the restorer. */
export function fakeAudioCodecs(): AudioCodecs {
  script = {
    decodeSupported: () => true,
    encodeSupported: () => true,
    decodedFormat: (_n, c) => ({ sampleRate: c.sampleRate, numberOfChannels: c.numberOfChannels }),
    decodeFailsAt: null,
    encoderDescription: Uint8Array.of(0x4f, 0x70, 0x75, 0x73),
  };
  audioLog.decoders = [];
  audioLog.encoders = [];
  audioLog.data = [];
  audioLog.queuedAtDecode = [];
  return { AudioData: FakeAudioData, AudioDecoder: FakeAudioDecoder, AudioEncoder: FakeAudioEncoder, EncodedAudioChunk: FakeEncodedAudioChunk } as unknown as AudioCodecs;
}

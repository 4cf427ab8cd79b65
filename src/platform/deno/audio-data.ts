// WebCodecs' AudioData and EncodedAudioChunk for Deno: samples held in the format they came in
// (interleaved, or planes one after another), with copyTo converting between any two of the eight
// WebCodecs sample formats the way Chromium does (integers map asymmetrically onto [-1, 1]).

const FORMATS = ['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar'] as const;

export function isSampleFormat(f: unknown): f is AudioSampleFormat {
  return typeof f === 'string' && (FORMATS as readonly string[]).includes(f);
}

export function isPlanar(f: AudioSampleFormat): boolean {
  return f.endsWith('-planar');
}

export function bytesPerSample(f: AudioSampleFormat): number {
  return f.startsWith('u8') ? 1 : f.startsWith('s16') ? 2 : 4;
}

type Samples = Uint8Array | Int16Array | Int32Array | Float32Array;

function view(f: AudioSampleFormat, bytes: Uint8Array): Samples {
  const { buffer, byteOffset, byteLength } = bytes;
  const n = byteLength / bytesPerSample(f);
  if (f.startsWith('u8')) return bytes;
  if (f.startsWith('s16')) return new Int16Array(buffer, byteOffset, n);
  if (f.startsWith('s32')) return new Int32Array(buffer, byteOffset, n);
  return new Float32Array(buffer, byteOffset, n);
}

/** A sample of format `f` as a float in [-1, 1] (Chromium's FixedSampleTypeTraits). */
function toFloat(f: AudioSampleFormat, v: number): number {
  if (f.startsWith('f32')) return v;
  if (f.startsWith('u8')) return v < 128 ? (v - 128) / 128 : (v - 128) / 127;
  if (f.startsWith('s16')) return v < 0 ? v / 32768 : v / 32767;
  return v < 0 ? v / 2147483648 : v / 2147483647;
}

function fromFloat(f: AudioSampleFormat, v: number): number {
  if (f.startsWith('f32')) return v;
  const x = Number.isNaN(v) ? 0 : Math.max(-1, Math.min(1, v));
  if (f.startsWith('u8')) return 128 + Math.round(x < 0 ? x * 128 : x * 127);
  if (f.startsWith('s16')) return Math.round(x < 0 ? x * 32768 : x * 32767);
  return Math.round(x < 0 ? x * 2147483648 : x * 2147483647);
}

function bytesOf(d: AllowSharedBufferSource): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

interface Internal {
  format: AudioSampleFormat;
  sampleRate: number;
  numberOfFrames: number;
  numberOfChannels: number;
  timestamp: number;
  /** Interleaved samples, or the planes one after another; starts at offset 0 of its own buffer. */
  data: Uint8Array;
}

const ADOPT = Symbol('adopt');

export class DenoAudioData {
  #d: Internal | null;

  constructor(init: AudioDataInit | typeof ADOPT, adopted?: Internal) {
    if (init === ADOPT) {
      this.#d = adopted!;
      return;
    }
    if (!init || typeof init !== 'object') throw new TypeError('AudioData: init must be an AudioDataInit');
    if (!isSampleFormat(init.format)) throw new TypeError(`AudioData: format ${String(init.format)} is not a WebCodecs sample format`);
    const { sampleRate, numberOfFrames, numberOfChannels, timestamp } = init;
    if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) throw new TypeError(`AudioData: sampleRate must be positive (got ${sampleRate})`);
    if (!Number.isInteger(numberOfFrames) || numberOfFrames <= 0) throw new TypeError(`AudioData: numberOfFrames must be a positive integer (got ${numberOfFrames})`);
    if (!Number.isInteger(numberOfChannels) || numberOfChannels <= 0) throw new TypeError(`AudioData: numberOfChannels must be a positive integer (got ${numberOfChannels})`);
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw new TypeError('AudioData: timestamp must be a finite number');
    if (init.data === undefined || init.data === null) throw new TypeError('AudioData: data is required');
    const src = bytesOf(init.data);
    const size = numberOfFrames * numberOfChannels * bytesPerSample(init.format);
    if (src.byteLength < size) throw new TypeError(`AudioData: data is ${src.byteLength} bytes, ${numberOfFrames} frames of ${numberOfChannels}-channel ${init.format} need ${size}`);
    // The spec copies: the caller may reuse its buffer. slice() also gives aligned typed-array views.
    this.#d = { format: init.format, sampleRate, numberOfFrames, numberOfChannels, timestamp, data: src.slice(0, size) };
  }

  /** AudioData over samples the caller hands over (a decoder's output); no copy. */
  static adopt(d: Internal): DenoAudioData {
    if (d.data.byteOffset !== 0) d = { ...d, data: d.data.slice() };
    return new DenoAudioData(ADOPT, d);
  }

  get format(): AudioSampleFormat | null { return this.#d?.format ?? null; }
  get sampleRate(): number { return this.#d?.sampleRate ?? 0; }
  get numberOfFrames(): number { return this.#d?.numberOfFrames ?? 0; }
  get numberOfChannels(): number { return this.#d?.numberOfChannels ?? 0; }
  get timestamp(): number { return this.#d?.timestamp ?? 0; }
  get duration(): number {
    const d = this.#d;
    return d ? Math.trunc(d.numberOfFrames / d.sampleRate * 1e6) : 0;
  }

  #live(action: string): Internal {
    if (!this.#d) throw new DOMException(`Cannot ${action}: the AudioData is closed`, 'InvalidStateError');
    return this.#d;
  }

  /** The spec's "compute copy element count", with its RangeErrors. */
  #plan(options: AudioDataCopyToOptions, action: string): { d: Internal; format: AudioSampleFormat; plane: number; offset: number; count: number; elements: number } {
    const d = this.#live(action);
    if (!options || typeof options !== 'object') throw new TypeError(`Cannot ${action}: options with a planeIndex are required`);
    const format = options.format ?? d.format;
    if (!isSampleFormat(format)) throw new TypeError(`Cannot ${action}: format ${String(format)} is not a WebCodecs sample format`);
    const plane = options.planeIndex;
    if (!Number.isInteger(plane) || plane < 0) throw new TypeError(`Cannot ${action}: planeIndex must be a non-negative integer`);
    if (!isPlanar(format) && plane > 0) throw new RangeError(`Cannot ${action}: planeIndex ${plane} of interleaved ${format} (it has one plane)`);
    if (isPlanar(format) && plane >= d.numberOfChannels) throw new RangeError(`Cannot ${action}: planeIndex ${plane} of ${d.numberOfChannels}-channel audio`);
    const offset = options.frameOffset ?? 0;
    if (offset >= d.numberOfFrames) throw new RangeError(`Cannot ${action}: frameOffset ${offset} is not below numberOfFrames ${d.numberOfFrames}`);
    let count = d.numberOfFrames - offset;
    if (options.frameCount !== undefined) {
      if (options.frameCount > count) throw new RangeError(`Cannot ${action}: frameCount ${options.frameCount} exceeds the ${count} frames after frameOffset ${offset}`);
      count = options.frameCount;
    }
    const elements = isPlanar(format) ? count : count * d.numberOfChannels;
    return { d, format, plane, offset, count, elements };
  }

  allocationSize(options: AudioDataCopyToOptions): number {
    const p = this.#plan(options, 'size the AudioData copy');
    return p.elements * bytesPerSample(p.format);
  }

  copyTo(destination: AllowSharedBufferSource, options: AudioDataCopyToOptions): void {
    const { d, format, plane, offset, count, elements } = this.#plan(options, 'copy the AudioData');
    const size = elements * bytesPerSample(format);
    const dst = bytesOf(destination);
    if (dst.byteLength < size) throw new RangeError(`Cannot copy the AudioData: destination is ${dst.byteLength} bytes, needs ${size}`);
    const channels = d.numberOfChannels;
    const srcPlanar = isPlanar(d.format);
    const dstPlanar = isPlanar(format);
    // Same sample type and a contiguous run of bytes: a plain copy.
    const sameType = d.format.split('-')[0] === format.split('-')[0];
    const bps = bytesPerSample(format);
    if (sameType && srcPlanar === dstPlanar) {
      const start = srcPlanar ? (plane * d.numberOfFrames + offset) * bps : offset * channels * bps;
      dst.set(d.data.subarray(start, start + size));
      return;
    }
    const src = view(d.format, d.data);
    const out = view(format, new Uint8Array(size));
    const at = (c: number, f: number) => srcPlanar ? c * d.numberOfFrames + f : f * channels + c;
    if (dstPlanar) {
      for (let i = 0; i < count; i++) out[i] = sameType ? src[at(plane, offset + i)]! : fromFloat(format, toFloat(d.format, src[at(plane, offset + i)]!));
    } else {
      for (let i = 0; i < count; i++) {
        for (let c = 0; c < channels; c++) {
          const v = src[at(c, offset + i)]!;
          out[i * channels + c] = sameType ? v : fromFloat(format, toFloat(d.format, v));
        }
      }
    }
    dst.set(new Uint8Array(out.buffer, 0, size));
  }

  clone(): DenoAudioData {
    return DenoAudioData.adopt({ ...this.#live('clone the AudioData') });
  }

  close(): void {
    this.#d = null;
  }
}

export class DenoEncodedAudioChunk {
  readonly type: EncodedAudioChunkType;
  readonly timestamp: number;
  readonly duration: number | null;
  readonly #data: Uint8Array;

  constructor(init: EncodedAudioChunkInit) {
    if (!init || (init.type !== 'key' && init.type !== 'delta')) throw new TypeError(`EncodedAudioChunk: type must be 'key' or 'delta'`);
    if (typeof init.timestamp !== 'number' || !Number.isFinite(init.timestamp)) throw new TypeError('EncodedAudioChunk: timestamp must be a finite number');
    if (init.data === undefined || init.data === null) throw new TypeError('EncodedAudioChunk: data is required');
    this.type = init.type;
    this.timestamp = init.timestamp;
    this.duration = init.duration ?? null;
    this.#data = bytesOf(init.data).slice();
  }

  get byteLength(): number { return this.#data.byteLength; }

  copyTo(destination: AllowSharedBufferSource): void {
    const dst = bytesOf(destination);
    if (dst.byteLength < this.#data.byteLength) throw new TypeError(`EncodedAudioChunk.copyTo: destination is ${dst.byteLength} bytes, needs ${this.#data.byteLength}`);
    dst.set(this.#data);
  }

  /** The bytes (engine-internal: the Deno decoder reads them without a copy). */
  bytes(): Uint8Array {
    return this.#data;
  }
}

// WebCodecs' VideoFrame and EncodedVideoChunk for Deno: plain objects over tightly packed planes,
// the subset the engine uses (construct from a buffer, copyTo, allocationSize, close, clone).

export interface PlaneLayout { offset: number; stride: number }

/** Packed plane layout of an 8-bit 4:2:0 picture: I420 (Y, U, V) or NV12 (Y, UV). */
export function packedLayout(format: VideoPixelFormat, width: number, height: number): { layout: PlaneLayout[]; size: number } {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const y = width * height;
  if (format === 'I420') return { layout: [{ offset: 0, stride: width }, { offset: y, stride: cw }, { offset: y + cw * ch, stride: cw }], size: y + 2 * cw * ch };
  if (format === 'NV12') return { layout: [{ offset: 0, stride: width }, { offset: y, stride: cw * 2 }], size: y + 2 * cw * ch };
  throw new TypeError(`Cannot lay out frame: pixel format ${format} is not supported by the Deno VideoFrame (I420 and NV12 only)`);
}

function bytesOf(data: AllowSharedBufferSource): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

interface Internal {
  format: VideoPixelFormat | null;
  width: number;
  height: number;
  data: Uint8Array;
  timestamp: number;
  duration: number | null;
  colorSpace: VideoColorSpaceInit;
}

const ADOPT = Symbol('adopt');

export class DenoVideoFrame {
  #f: Internal | null;

  constructor(data: AllowSharedBufferSource | typeof ADOPT, init: VideoFrameBufferInit | Internal) {
    if (data === ADOPT) {
      this.#f = init as Internal;
      return;
    }
    const i = init as VideoFrameBufferInit;
    if (!i || typeof i.codedWidth !== 'number' || typeof i.codedHeight !== 'number' || typeof i.timestamp !== 'number') {
      throw new TypeError('VideoFrame: init needs format, codedWidth, codedHeight and timestamp');
    }
    const { size } = packedLayout(i.format, i.codedWidth, i.codedHeight);
    const src = bytesOf(data);
    if (src.byteLength < size) throw new TypeError(`VideoFrame: data is ${src.byteLength} bytes, a ${i.codedWidth}x${i.codedHeight} ${i.format} frame needs ${size}`);
    // The spec copies: the caller may reuse or transfer its buffer.
    this.#f = {
      format: i.format, width: i.codedWidth, height: i.codedHeight, data: src.slice(0, size),
      timestamp: i.timestamp, duration: i.duration ?? null, colorSpace: { ...(i.colorSpace ?? {}) },
    };
  }

  /** A frame over planes the caller hands over (the decoder's output); no copy. */
  static adopt(f: Internal): DenoVideoFrame {
    return new DenoVideoFrame(ADOPT, f);
  }

  get format(): VideoPixelFormat | null { return this.#f?.format ?? null; }
  get codedWidth(): number { return this.#f?.width ?? 0; }
  get codedHeight(): number { return this.#f?.height ?? 0; }
  get displayWidth(): number { return this.#f?.width ?? 0; }
  get displayHeight(): number { return this.#f?.height ?? 0; }
  get codedRect(): DOMRectReadOnly | null { return this.#rect(); }
  get visibleRect(): DOMRectReadOnly | null { return this.#rect(); }
  get timestamp(): number { return this.#f?.timestamp ?? 0; }
  get duration(): number | null { return this.#f?.duration ?? null; }
  get colorSpace(): VideoColorSpaceInit { return { ...(this.#f?.colorSpace ?? {}) }; }

  #rect(): DOMRectReadOnly | null {
    const f = this.#f;
    if (!f) return null;
    return { x: 0, y: 0, width: f.width, height: f.height, top: 0, left: 0, right: f.width, bottom: f.height, toJSON() { return this; } } as DOMRectReadOnly;
  }

  #live(action: string): Internal {
    if (!this.#f) throw new DOMException(`Cannot ${action}: the VideoFrame is closed`, 'InvalidStateError');
    return this.#f;
  }

  /** The packed planes (engine-internal: the Deno encoder reads them without a copy). */
  planes(): Uint8Array {
    return this.#live('read planes').data;
  }

  allocationSize(): number {
    return this.#live('size the frame').data.byteLength;
  }

  copyTo(destination: AllowSharedBufferSource, options?: VideoFrameCopyToOptions): Promise<PlaneLayout[]> {
    try {
      const f = this.#live('copy the frame');
      if (options?.rect || options?.layout || (options?.format && options.format !== f.format)) {
        throw new DOMException('VideoFrame.copyTo: rect, layout and format options are not supported by the Deno VideoFrame', 'NotSupportedError');
      }
      const dst = bytesOf(destination);
      if (dst.byteLength < f.data.byteLength) throw new TypeError(`VideoFrame.copyTo: destination is ${dst.byteLength} bytes, needs ${f.data.byteLength}`);
      dst.set(f.data);
      return Promise.resolve(packedLayout(f.format!, f.width, f.height).layout);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  clone(): DenoVideoFrame {
    return DenoVideoFrame.adopt({ ...this.#live('clone the frame') });
  }

  close(): void {
    this.#f = null;
  }
}

export class DenoEncodedVideoChunk {
  readonly type: EncodedVideoChunkType;
  readonly timestamp: number;
  readonly duration: number | null;
  readonly #data: Uint8Array;

  constructor(init: EncodedVideoChunkInit) {
    if (init.type !== 'key' && init.type !== 'delta') throw new TypeError(`EncodedVideoChunk: type must be 'key' or 'delta'`);
    this.type = init.type;
    this.timestamp = init.timestamp;
    this.duration = init.duration ?? null;
    this.#data = bytesOf(init.data).slice();
  }

  get byteLength(): number { return this.#data.byteLength; }

  copyTo(destination: AllowSharedBufferSource): void {
    const dst = bytesOf(destination);
    if (dst.byteLength < this.#data.byteLength) throw new TypeError(`EncodedVideoChunk.copyTo: destination is ${dst.byteLength} bytes, needs ${this.#data.byteLength}`);
    dst.set(this.#data);
  }

  /** The bytes (engine-internal: the Deno decoder reads them without a copy). */
  bytes(): Uint8Array {
    return this.#data;
  }
}

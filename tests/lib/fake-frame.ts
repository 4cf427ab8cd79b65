// A VideoFrame stand-in for Node unit tests (Node has no WebCodecs): planar pixels in one buffer,
// a copyTo() that writes the planes at a chosen padded stride and returns the layout, as Chromium's
// does for a decoder's frames, and close() semantics (format null, sizes 0, copyTo throws).
export interface FakeFrameInit {
  format: VideoPixelFormat | null;
  codedWidth: number;
  codedHeight: number;
  /** The visible rectangle; null gives `visibleRect: null` (a closed frame's). */
  visibleRect?: { x: number; y: number; width: number; height: number } | null;
  displayWidth?: number;
  displayHeight?: number;
  timestamp?: number;
  duration?: number | null;
  colorSpace?: VideoColorSpaceInit;
  /** Row stride of the luma plane copyTo() reports; chroma gets half (rounded up). Default: coded width. */
  stride?: number;
  /** Fills sample (x, y) of plane p. Default: (p * 64 + y * 7 + x) & 0xff. */
  sample?: (plane: number, x: number, y: number) => number;
  /** For RGBA frames: the colour of every pixel. */
  rgba?: [number, number, number, number];
}

/** Planes a format carries: [width divisor, height divisor, bytes per sample]. */
function planesOf(format: VideoPixelFormat): Array<[number, number, number]> {
  switch (format) {
    case 'I420': return [[1, 1, 1], [2, 2, 1], [2, 2, 1]];
    case 'I420A': return [[1, 1, 1], [2, 2, 1], [2, 2, 1], [1, 1, 1]];
    case 'NV12': return [[1, 1, 1], [2, 2, 2]];
    case 'RGBA': case 'RGBX': case 'BGRA': case 'BGRX': return [[1, 1, 4]];
    default: return [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
  }
}

export class FakeVideoFrame {
  format: VideoPixelFormat | null;
  codedWidth: number;
  codedHeight: number;
  visibleRect: { x: number; y: number; width: number; height: number } | null;
  displayWidth: number;
  displayHeight: number;
  timestamp: number;
  duration: number | null;
  colorSpace: VideoColorSpaceInit;
  closed = 0;
  readonly #init: FakeFrameInit;

  constructor(init: FakeFrameInit);
  // The engine's own `new VideoFrame(buffer, init)` (frame-source's RGB → I420 conversion).
  constructor(data: Uint8Array | ArrayBuffer, init: VideoFrameBufferInit);
  constructor(a: FakeFrameInit | Uint8Array | ArrayBuffer, b?: VideoFrameBufferInit) {
    const buffer = a instanceof ArrayBuffer ? new Uint8Array(a) : a instanceof Uint8Array ? a : null;
    const init: FakeFrameInit = buffer
      ? { format: b!.format, codedWidth: b!.codedWidth, codedHeight: b!.codedHeight, timestamp: b!.timestamp, duration: b!.duration ?? null, colorSpace: b!.colorSpace ?? {} }
      : a as FakeFrameInit;
    this.#init = init;
    this.data = buffer;
    this.format = init.format;
    this.codedWidth = init.codedWidth;
    this.codedHeight = init.codedHeight;
    this.visibleRect = init.visibleRect === undefined ? { x: 0, y: 0, width: init.codedWidth, height: init.codedHeight } : init.visibleRect;
    this.displayWidth = init.displayWidth ?? this.visibleRect?.width ?? init.codedWidth;
    this.displayHeight = init.displayHeight ?? this.visibleRect?.height ?? init.codedHeight;
    this.timestamp = init.timestamp ?? 0;
    this.duration = init.duration ?? null;
    this.colorSpace = init.colorSpace ?? {};
  }

  /** The buffer a frame was made from with `new VideoFrame(data, init)`, else null. */
  readonly data: Uint8Array | null;

  #layout(): Array<{ offset: number; stride: number; rows: number }> {
    const stride = this.#init.stride ?? this.codedWidth;
    let offset = 0;
    return planesOf(this.format!).map(([dx, dy, bpp]) => {
      const s = dx === 1 ? stride * bpp : Math.ceil(stride / dx) * bpp;
      const rows = Math.ceil(this.codedHeight / dy);
      const plane = { offset, stride: s, rows };
      offset += s * rows;
      return plane;
    });
  }

  allocationSize(): number {
    if (this.format === null) throw new DOMException('closed', 'InvalidStateError');
    return this.#layout().reduce((n, p) => n + p.stride * p.rows, 0);
  }

  async copyTo(dest: Uint8Array, options?: { format?: VideoPixelFormat }): Promise<PlaneLayout[]> {
    if (this.format === null) throw new DOMException('closed', 'InvalidStateError');
    if (options?.format === 'RGBA') {
      const [r, g, b, a] = this.#init.rgba ?? [0, 0, 0, 255];
      for (let i = 0; i < this.codedWidth * this.codedHeight; i++) dest.set([r, g, b, a], i * 4);
      return [{ offset: 0, stride: this.codedWidth * 4 }];
    }
    const sample = this.#init.sample ?? ((p, x, y) => (p * 64 + y * 7 + x) & 0xff);
    const layout = this.#layout();
    layout.forEach((p, i) => {
      for (let y = 0; y < p.rows; y++) for (let x = 0; x < p.stride; x++) dest[p.offset + y * p.stride + x] = sample(i, x, y);
    });
    return layout.map(({ offset, stride }) => ({ offset, stride }));
  }

  close(): void {
    this.closed++;
    this.format = null;
    this.codedWidth = 0;
    this.codedHeight = 0;
    this.visibleRect = null;
  }
}

/** Installs `value` as globalThis[name] until the returned function runs. */
export function installGlobal(name: string, value: unknown): () => void {
  const had = Object.prototype.hasOwnProperty.call(globalThis, name);
  const before = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  return () => {
    if (had && before) Object.defineProperty(globalThis, name, before);
    else delete (globalThis as Record<string, unknown>)[name];
  };
}

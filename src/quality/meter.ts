// The quality stage (TranscodeOptions.qualityReport): each accepted chunk is decoded back (the
// runtime's VideoDecoder, through the decode function the engine hands in) and every decoded frame
// is compared on the GPU with the scaled picture the encoder was given (compare.ts). Chunks are
// measured one at a time, in acceptance order, off the encode path; each picture is dropped once
// compared and each decoded frame released as soon as its planes are read. Figures are kept per
// chunk and summed per rung (figures.ts).
import { TranscodeError } from '../errors.ts';
import type { QualityFigures } from '../types/mod.ts';
import { PictureComparer } from './compare.ts';
import type { ShaderLoader } from '../platform/shaders.ts';
import { addFrame, addSums, emptySums, figures } from './figures.ts';
import type { QualitySums } from './figures.ts';

export interface EncodedPacket {
  data: Uint8Array;
  key: boolean;
  /** Microseconds. */
  timestamp: number;
  duration: number;
}

/** One accepted chunk: its packets and the pictures the encoder was given, in presentation order. */
export interface MeasuredChunk {
  rung: number;
  index: number;
  codec: string;
  width: number;
  height: number;
  /** Tightly packed limited-range I420 pictures; the meter lets go of each once compared. */
  frames: Array<{ data: ArrayBuffer }>;
  packets: readonly EncodedPacket[];
}

/** How the meter decodes. The consumer releases every frame it is given. */
export interface FrameDecoder {
  decode(config: VideoDecoderConfig, packets: AsyncIterable<EncodedPacket>): AsyncIterable<VideoFrame>;
  release(frame: VideoFrame): void;
}

/** Pairs compared before the meter waits for the GPU, so queued uploads stay bounded. */
const SUBMITS_AHEAD = 4;

export class QualityMeter {
  readonly #comparer: PictureComparer;
  readonly #decoder: FrameDecoder;
  readonly #rungs = new Map<number, QualitySums>();
  readonly #chunks = new Map<string, QualityFigures>();
  #tail: Promise<unknown> = Promise.resolve();
  #busyMs = 0;
  #closed = false;

  private constructor(comparer: PictureComparer, decoder: FrameDecoder) {
    this.#comparer = comparer;
    this.#decoder = decoder;
  }

  static async create(device: GPUDevice, decoder: FrameDecoder, load: ShaderLoader): Promise<QualityMeter> {
    return new QualityMeter(await PictureComparer.create(device, load), decoder);
  }

  /** Measures a chunk after the ones before it; resolves with its figures. */
  measure(chunk: MeasuredChunk): Promise<QualityFigures> {
    const run = this.#tail.then(() => this.#measure(chunk));
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Stops measuring (the chunk in hand at its next frame) and resolves once no frame is held. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
  }

  /** Figures of chunk `index` of `rung`, once measured. */
  chunk(rung: number, index: number): QualityFigures | null {
    return this.#chunks.get(`${rung}:${index}`) ?? null;
  }

  /** Figures of every chunk of `rung` measured so far, frame-weighted. */
  rung(rung: number): QualityFigures | null {
    const s = this.#rungs.get(rung);
    return s ? figures(s) : null;
  }

  /** Time spent measuring, decode included (ms). */
  get busyMs(): number {
    return this.#busyMs;
  }

  async #measure(chunk: MeasuredChunk): Promise<QualityFigures> {
    if (this.#closed) {
      chunk.frames.length = 0;
      throw new TranscodeError(`Cannot measure the quality of rung ${chunk.rung} chunk ${chunk.index}: the meter is closed`);
    }
    const t0 = performance.now();
    const { width, height, frames } = chunk;
    const sums = emptySums();
    const batch = this.#comparer.batch(width, height, Math.max(1, frames.length));
    try {
      const config: VideoDecoderConfig = { codec: chunk.codec, codedWidth: width, codedHeight: height };
      async function* packets(): AsyncGenerator<EncodedPacket> { yield* chunk.packets; }
      let n = 0;
      for await (const frame of this.#decoder.decode(config, packets())) {
        let back: Uint8Array;
        try {
          if (this.#closed) throw new TranscodeError('the meter was closed');
          back = await tightI420(frame, width, height);
        } finally {
          this.#decoder.release(frame);
        }
        const orig = frames[n];
        if (!orig) throw new TranscodeError(`decoding gave more than the ${frames.length} frames that were encoded`);
        batch.add(new Uint8Array(orig.data), back);
        frames[n] = { data: new ArrayBuffer(0) }; // compared: the picture may go
        n++;
        if (n % SUBMITS_AHEAD === 0) await batch.drained();
      }
      if (n !== frames.length) throw new TranscodeError(`decoding gave ${n} frames, ${frames.length} were encoded`);
      for (const f of await batch.finish()) addFrame(sums, f, width, height);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      throw new TranscodeError(`Cannot measure the quality of rung ${chunk.rung} chunk ${chunk.index}: ${e.message}`, { cause: e });
    } finally {
      batch.destroy();
      frames.length = 0;
      this.#busyMs += performance.now() - t0;
    }
    let rung = this.#rungs.get(chunk.rung);
    if (!rung) this.#rungs.set(chunk.rung, rung = emptySums());
    addSums(rung, sums);
    const result = figures(sums);
    this.#chunks.set(`${chunk.rung}:${chunk.index}`, result);
    return result;
  }
}

/** A decoded frame's planes as tightly packed I420 of width x height. */
async function tightI420(frame: VideoFrame, width: number, height: number): Promise<Uint8Array> {
  if (frame.format !== 'I420') throw new TranscodeError(`decoded frame is ${frame.format ?? 'of no known format'}, not I420`);
  const w = frame.visibleRect?.width ?? frame.displayWidth;
  const h = frame.visibleRect?.height ?? frame.displayHeight;
  if (w !== width || h !== height) throw new TranscodeError(`decoded frame is ${w}x${h}, the rung is ${width}x${height}`);
  const data = new Uint8Array(frame.allocationSize());
  const layout = await frame.copyTo(data);
  const cw = width / 2;
  const ch = height / 2;
  const planes = [[width, height], [cw, ch], [cw, ch]] as const;
  let tight = data.byteLength === width * height + 2 * cw * ch;
  let at = 0;
  planes.forEach(([pw, ph], i) => {
    const l = layout[i];
    if (!l || l.offset !== at || l.stride !== pw) tight = false;
    at += pw * ph;
  });
  if (tight) return data;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  at = 0;
  planes.forEach(([pw, ph], i) => {
    const l = layout[i];
    if (!l) throw new TranscodeError(`decoded frame has no plane ${i}`);
    for (let y = 0; y < ph; y++) out.set(data.subarray(l.offset + y * l.stride, l.offset + y * l.stride + pw), at + y * pw);
    at += pw * ph;
  });
  return out;
}

// The encoder core: encodes one chunk at a time with a fresh VideoEncoder, so every chunk starts
// with a key frame. Runs inside a worker (workers/encode.worker.ts) or inline.
import { CodecFailureError, UnsupportedCodecError } from '../errors.ts';
import type { ChunkEncoderApi, ChunkJob, ChunkOutput, EncodedPacketOut, RawFrame, VideoCodecs } from '../types/mod.ts';

/** Frames queued inside the VideoEncoder before add() waits for a 'dequeue'. */
const MAX_ENCODE_QUEUE = 4;

type Accel = 'prefer-hardware' | 'prefer-software';

/** The VideoEncoder configuration of every chunk of a rung, less the acceleration. */
export function encoderConfig(job: Pick<ChunkJob, 'codec' | 'width' | 'height' | 'bitrate' | 'quantizer' | 'frameRate'>): VideoEncoderConfig {
  const rate: Partial<VideoEncoderConfig> = job.quantizer !== null ? { bitrateMode: 'quantizer' } : { bitrate: job.bitrate, bitrateMode: 'variable' };
  return { codec: job.codec, width: job.width, height: job.height, framerate: job.frameRate, latencyMode: 'quality', ...rate };
}

/**
 * Refuses, before any decoding, a rung that no encoder here can make (AV1 encoders have minimum
 * sizes: Chromium's refuses a 2x2 picture).
 */
export async function checkEncodable(rungs: ReadonlyArray<Pick<ChunkJob, 'codec' | 'width' | 'height' | 'bitrate' | 'quantizer' | 'frameRate'>>, { VideoEncoder }: Pick<VideoCodecs, 'VideoEncoder'>): Promise<void> {
  for (const rung of rungs) {
    let ok = false;
    for (const hardwareAcceleration of ['prefer-software', 'prefer-hardware'] as const) {
      ok ||= (await VideoEncoder.isConfigSupported({ ...encoderConfig(rung), hardwareAcceleration }).catch(() => null))?.supported === true;
    }
    if (!ok) throw new UnsupportedCodecError(`Cannot encode a ${rung.width}x${rung.height} rung as ${rung.codec}${rung.quantizer !== null ? ` at constant quality (quantizer ${rung.quantizer})` : ''}: no encoder in this runtime supports that size and ${rung.quantizer !== null ? 'rate mode' : 'rate'}`);
  }
}

export class ChunkEncoderCore implements ChunkEncoderApi {
  readonly #codecs: Pick<VideoCodecs, 'VideoEncoder' | 'VideoFrame'>;
  #encoder: VideoEncoder | null = null;
  #job: ChunkJob | null = null;
  #packets: EncodedPacketOut[] = [];
  #failure: Error | null = null;
  #hardware = false;
  #frames = 0;
  #support = new Map<string, Accel>();
  /** Resolves add()'s wait for room in the encoder's queue. */
  #wake: (() => void) | null = null;

  /** `codecs`: the realm's WebCodecs (a worker's globals, or a runtime's classes). */
  constructor(codecs: Pick<VideoCodecs, 'VideoEncoder' | 'VideoFrame'>) {
    this.#codecs = codecs;
  }

  async #pickAcceleration(config: VideoEncoderConfig, preferHardware: boolean): Promise<Accel> {
    const key = `${config.codec}:${config.width}x${config.height}:${preferHardware}`;
    const cached = this.#support.get(key);
    if (cached) return cached;
    const order: Accel[] = preferHardware ? ['prefer-hardware', 'prefer-software'] : ['prefer-software'];
    for (const hardwareAcceleration of order) {
      const r = await this.#codecs.VideoEncoder.isConfigSupported({ ...config, hardwareAcceleration }).catch(() => null);
      if (r?.supported) {
        this.#support.set(key, hardwareAcceleration);
        return hardwareAcceleration;
      }
    }
    throw new UnsupportedCodecError(`Cannot encode ${config.codec} at ${config.width}x${config.height}: no hardware or software encoder supports it`);
  }

  async begin(job: ChunkJob): Promise<{ hardware: boolean; encoder: string }> {
    this.reset();
    const config = encoderConfig(job);
    const accel = await this.#pickAcceleration(config, job.preferHardware);
    this.#hardware = accel === 'prefer-hardware';
    this.#job = job;
    this.#failure = null;
    this.#packets = [];
    this.#frames = 0;
    const encoder = new this.#codecs.VideoEncoder({
      output: (chunk) => {
        const data = new Uint8Array(chunk.byteLength);
        chunk.copyTo(data);
        this.#packets.push({ data, timestamp: chunk.timestamp, duration: chunk.duration ?? 0, key: chunk.type === 'key' });
      },
      error: (e) => { this.#failure = new CodecFailureError(`Encoder failed: ${e.message}`, { cause: e }); },
    });
    encoder.configure({ ...config, hardwareAcceleration: accel });
    this.#encoder = encoder;
    return { hardware: this.#hardware, encoder: this.#identity() };
  }

  #identity(): string {
    return `webcodecs:${this.#hardware ? 'hardware' : 'software'}`;
  }

  #check(): VideoEncoder {
    if (this.#failure) throw this.#failure;
    if (!this.#encoder || !this.#job) throw new CodecFailureError('Cannot encode: begin() was not called');
    return this.#encoder;
  }

  async add(frame: RawFrame): Promise<ArrayBuffer> {
    const encoder = this.#check();
    const job = this.#job!;
    const picture = new this.#codecs.VideoFrame(frame.data, {
      format: 'I420',
      codedWidth: job.width,
      codedHeight: job.height,
      timestamp: frame.timestamp,
      duration: frame.duration,
      colorSpace: job.colorSpace,
    });
    try {
      const q = job.quantizer;
      encoder.encode(picture, q !== null ? { keyFrame: this.#frames === 0, av1: { quantizer: q } } as VideoEncoderEncodeOptions : { keyFrame: this.#frames === 0 });
    } finally {
      picture.close();
    }
    this.#frames++;
    // Waits for the encoder to drain a little; reset() (a dispose, an abort) wakes it too, since a
    // closed encoder may never fire 'dequeue' again.
    while (encoder.encodeQueueSize > MAX_ENCODE_QUEUE && !this.#failure && this.#encoder === encoder) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        encoder.addEventListener('dequeue', () => resolve(), { once: true });
      });
    }
    this.#wake = null;
    if (this.#encoder !== encoder) throw this.#failure ?? new CodecFailureError('Encoder was closed while a frame waited for room (lease disposed)');
    this.#check();
    return frame.data;
  }

  async end(): Promise<ChunkOutput> {
    const encoder = this.#check();
    try {
      await encoder.flush();
    } catch (err) {
      throw this.#failure ?? new CodecFailureError(`Encoder flush failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.#check();
    const out: ChunkOutput = { packets: this.#packets, hardware: this.#hardware, encoder: this.#identity() };
    this.reset();
    return out;
  }

  reset(): void {
    if (this.#encoder && this.#encoder.state !== 'closed') this.#encoder.close();
    this.#encoder = null;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
    this.#job = null;
    this.#packets = [];
  }
}

// The platform as one injected value: the WebCodecs classes, encoder leases, shader text, WebGPU and
// the core count that the engine uses, instead of globals it would read. `browserRuntime()`
// (src/platform/browser.ts) builds one from a page's or worker's globals; `denoRuntime()`
// (src/platform/deno/runtime.ts) from node-av. Tests hand the stages fakes.
import type { ChunkOutput } from './chunks.ts';

/** One chunk's encoder settings. */
export interface ChunkJob {
  codec: string;
  width: number;
  height: number;
  /** Target bitrate (bits per second); ignored when `quantizer` is set. */
  bitrate: number;
  /** Constant-quality mode: the AV1 quantizer (0–63) of every frame; null for bitrate mode. */
  quantizer: number | null;
  frameRate: number;
  colorSpace: VideoColorSpaceInit;
  /** Try 'prefer-hardware' first; fall back to software when unsupported. */
  preferHardware: boolean;
}

/** A raw picture: tightly packed I420 (Y, then U, then V), limited range. */
export interface RawFrame {
  data: ArrayBuffer;
  /** Microseconds from the start of the output. */
  timestamp: number;
  duration: number;
}

/** What a lease's encoder core offers; a worker lease exposes exactly this through comlink. */
export interface ChunkEncoderApi {
  begin(job: ChunkJob): Promise<{ hardware: boolean; encoder: string }>;
  /**
   * Encodes a frame; resolves, once the encoder has room for more, with the frame's buffer, which
   * the encoder no longer needs (the VideoFrame made from it holds its own copy), for reuse.
   */
  add(frame: RawFrame): Promise<ArrayBuffer>;
  end(): Promise<ChunkOutput>;
  reset(): void;
}

/** One encoder session at a time, which the scheduler hands chunks to. */
export interface EncoderLease {
  readonly id: number;
  /** A hardware lease asks its encoder for 'prefer-hardware'; a software lease never does. */
  readonly hardware: boolean;
  begin(job: ChunkJob): Promise<{ hardware: boolean; encoder: string }>;
  /** Sends a frame. The caller's buffer stays the caller's, unchanged (a requeue may send it again). */
  add(frame: RawFrame): Promise<void>;
  end(): Promise<ChunkOutput>;
  /** Ends the lease (terminates its worker, closes its encoder); pending calls reject. */
  dispose(): void;
}

/** The video half of WebCodecs: what decoding, encoding and frame sources construct. */
export interface VideoCodecs {
  VideoDecoder: typeof VideoDecoder;
  VideoEncoder: typeof VideoEncoder;
  VideoFrame: typeof VideoFrame;
  EncodedVideoChunk: typeof EncodedVideoChunk;
}

/** The audio half, which a runtime may lack (audio that must be re-encoded then fails, by name). */
export interface AudioCodecs {
  AudioData: typeof AudioData;
  AudioDecoder: typeof AudioDecoder;
  AudioEncoder: typeof AudioEncoder;
  EncodedAudioChunk: typeof EncodedAudioChunk;
}

export type WebCodecs = VideoCodecs & { audio: AudioCodecs | null };

/** The WGSL files under shaders/: the kernels and the prelude that each of them is compiled with. */
export type ShaderFile = 'prelude' | 'quality' | 'resample' | 'scale_copy';

export interface Runtime {
  /** 'browser', 'deno', or a test's name: for messages and diagnostics. */
  readonly name: string;
  /** The WebCodecs classes; null where this runtime has none (then any decode or encode is an UnsupportedCodecError). */
  readonly codecs: WebCodecs | null;
  /** WebGPU's entry point (navigator.gpu), or null without WebGPU. */
  readonly gpu: GPU | null;
  /** Logical cores (navigator.hardwareConcurrency). */
  readonly cores: number;
  /**
   * Where a lease's encoder runs: 'worker' (its own thread, so leases encode in parallel JS) or
   * 'inline' (this thread; the encoder threads itself natively). Sets the default lease count.
   */
  readonly leaseMode: 'worker' | 'inline';
  /** Starts encoder lease `id`; a hardware lease prefers a hardware encoder. */
  createLease(id: number, hardware: boolean): EncoderLease;
  /** The text of one WGSL file (the caller caches). Rejects with a TranscodeError naming the file. */
  loadShader(file: ShaderFile): Promise<string>;
}

// Message types shared by the encoder core, its worker wrapper and the main-thread lease.
import type { ChunkOutput } from '../types/mod.ts';

export type { ChunkOutput, EncodedPacketOut } from '../types/mod.ts';

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

/** What a lease's core offers; the worker exposes exactly this through comlink. */
export interface ChunkEncoderApi {
  begin(job: ChunkJob): Promise<{ hardware: boolean; encoder: string }>;
  add(frame: RawFrame): Promise<void>;
  end(): Promise<ChunkOutput>;
  reset(): void;
}

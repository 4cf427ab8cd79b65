// Encoded output as plain data: a chunk's record and quality, its packets and output, a rung's AV1
// contract, and a finished rung's accepted chunks, which the scheduler (or the distributed
// finalizer) hands to muxing.
/**
 * Picture quality of encoded output against the scaled frames it was encoded from, as ffmpeg's psnr
 * and ssim filters compute it. Every frame is compared (no sampling).
 */
export interface QualityFigures {
  /**
   * PSNR in dB over Y, U and V, weighted by plane size (4:1:1 for 4:2:0, i.e. MSE = (4·Y + U + V) / 6,
   * ffmpeg psnr's 'average'): 10·log10(255² / MSE), the MSE averaged over frames. Infinity when identical.
   */
  psnr: number;
  /** PSNR of luma alone, in dB (ffmpeg psnr's 'y'). */
  psnrY: number;
  /** Mean SSIM of luma over 8x8 windows stepping 4 pixels (ffmpeg ssim's 'Y'). */
  ssim: number;
  /** Frames compared. */
  frames: number;
}

/** Which encoder produced a chunk. */
export interface ChunkRecord {
  index: number;
  frames: number;
  leaseId: number;
  /** Encoded by a lease whose home is another rung (a helper). */
  helper: boolean;
  hardware: boolean;
  encoder: string;
  attempts: number;
  bytes: number;
  /** Bitrate the encoder was configured with (the rate loop's correction applied); 0 when encoded by quantizer. */
  targetBitrate: number;
  /**
   * The AV1 quantizer the chunk was encoded at: in constant-quality mode, or in bitrate mode when its
   * encoder saturated on the rung (it stopped spending more whatever the target, so the rate loop
   * holds the rung's rate by quantizer). Null for a chunk encoded to a target bitrate.
   */
  quantizer: number | null;
  /** Bitrate the chunk was meant to come out at (the rung's asked rate, corrected by its debt). */
  aimBitrate: number;
  /** Seconds of source the chunk covers. */
  seconds: number;
  /** With qualityReport: this chunk's figures. */
  quality?: QualityFigures;
}

export interface EncodedPacketOut {
  data: Uint8Array;
  timestamp: number;
  duration: number;
  key: boolean;
}

export interface ChunkOutput {
  packets: EncodedPacketOut[];
  hardware: boolean;
  /** Which encoder produced the chunk, e.g. "webcodecs:software". */
  encoder: string;
}

/** A rung's AV1 contract: the sequence-header fields every chunk of a rung must share (src/av1/contract.ts). */
export interface Av1Contract {
  /** seq_profile: 0 Main, 1 High, 2 Professional. */
  profile: number;
  /** seq_level_idx of operating point 0. */
  level: number;
  /** seq_tier of operating point 0: 0 Main, 1 High. */
  tier: number;
  bitDepth: number;
  monochrome: boolean;
  subsamplingX: number;
  subsamplingY: number;
  chromaSamplePosition: number;
  colorPrimaries: number;
  transferCharacteristics: number;
  matrixCoefficients: number;
  /** 0 studio range, 1 full range. */
  colorRange: number;
}

/** A finished rung: its contract, its sequence header OBU and its accepted chunks in order. */
export interface AcceptedRung {
  rung: number;
  contract: Av1Contract;
  sequenceHeaderObu: Uint8Array;
  chunks: Array<{ output: ChunkOutput; record: ChunkRecord }>;
}

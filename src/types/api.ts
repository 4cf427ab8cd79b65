// Public types of the engine: what a caller passes to transcode() and what it gets back. A leaf
// (src/types/): it imports only its siblings, never the engine.
import type { AudioMode, AudioOutcome } from './audio.ts';
import type { ChunkRecord, QualityFigures } from './chunks.ts';
import type { ProgressEvent } from './progress.ts';
import type { Runtime } from './runtime.ts';

/**
 * Random access to a source the caller reads itself (a Deno file handle, a cloud object): the
 * engine asks for byte ranges as it needs them and never holds the whole file.
 */
export interface RangeReader {
  /** Size of the whole source in bytes. */
  size: number;
  /** Bytes [start, end) of the source. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Called once the engine is done with the source. */
  close?(): void;
}

/**
 * Where the source video comes from. A string or URL is fetched with range requests, a Blob (a
 * File) and a RangeReader are read in ranges; none is loaded whole.
 */
export type InputSource = Blob | ArrayBuffer | Uint8Array | string | URL | ReadableStream<Uint8Array> | RangeReader;

/** One rung of the ladder: the short side of the output picture, optionally its bitrate. */
export interface RungSpec {
  /** Short side in pixels (1080 means 1920x1080 for a 16:9 landscape source, 1080x1920 for portrait). */
  height: number;
  /** Target bitrate in bits per second; derived from size and frame rate when left out. */
  bitrate?: number;
  /** Constant quality instead of a bitrate: an AV1 quantizer, 0 (best) … 63 (see TranscodeOptions.quality). */
  quantizer?: number;
}

/**
 * Constant-quality mode: a named level, or a quantizer per rung (0 best … 63, in ladder order).
 * Chromium encodes with bitrateMode 'quantizer' and a per-frame AV1 quantizer; Deno with
 * SVT-AV1's CRF at the same number. The rung's bitrate is then whatever the content needs (the HLS
 * master's BANDWIDTH is measured from the segments, as always).
 */
export type QualityLevel = 'high' | 'medium' | 'low';

/**
 * 'mp4': one MP4 per rung. 'hls': CMAF segments per rung, media and I-frame playlists, master.m3u8.
 * 'dash': the same CMAF segments listed by a static manifest.mpd. 'cmaf': one set of those segments
 * listed by both master.m3u8 and manifest.mpd.
 */
export type OutputFormat = 'mp4' | 'hls' | 'dash' | 'cmaf';

/** Where finished files go (src/mux/target.ts has the built-in ones). Paths are relative and use '/' ("720p/seg-1.m4s"). */
export interface OutputTarget {
  /** Receives one complete file. The engine waits for the promise before reporting the job done. */
  write(path: string, bytes: Uint8Array): Promise<void> | void;
}

/** Frames made by the caller: declared size and rate, then VideoFrames and, optionally, AudioData. */
export interface FrameSource {
  /** Width and height of every frame, in square pixels. */
  width: number;
  height: number;
  /** Frames per second (sets encoder rate control and the HLS frame rate). */
  frameRate: number;
  /** Number of video frames, when known: only for progress and ETA. */
  frameCount?: number;
  /** Colour of YUV frames that carry none. RGB frames are converted to BT.709 limited range. */
  colorSpace?: VideoColorSpaceInit;
  /** VideoFrames in presentation order, AudioData interleaved as it comes (timestamps in µs, one clock). Audio is encoded as Opus. */
  frames: AsyncIterable<VideoFrame | AudioData>;
}

/** One resolved rung of the ladder (src/plan/ladder.ts makes them). */
export interface RungPlan {
  /** The rung's short side, which names it (720 for "720p"); equals `height` for landscape. */
  label: number;
  width: number;
  height: number;
  bitrate: number;
  /** Constant-quality mode's AV1 quantizer (bitrate is then 0), or null. */
  quantizer: number | null;
  codec: string;
}

export interface TranscodeOptions {
  /** A file or stream to demux and decode, or frames the caller made (see FrameSource). */
  input: InputSource | FrameSource;
  /** Short sides, or rung specs. Defaults to 1080, 720, 480, 360. */
  ladder?: ReadonlyArray<number | RungSpec>;
  /** Constant quality instead of bitrates: 'high', 'medium', 'low', or a quantizer per ladder rung. */
  quality?: QualityLevel | ReadonlyArray<number>;
  format?: OutputFormat;
  /** Where finished files go (default: kept in memory; each rung's MP4 is also in the result). */
  target?: OutputTarget;
  /** Chunk (GOP) length in seconds; every chunk starts with a key frame. Default 2. */
  chunkSeconds?: number;
  /** Number of software encoder leases (workers). Default: max(2, min(rungs, hardwareConcurrency)); min(2, cores, rungs) where leases run inline (Deno). */
  leases?: number;
  /**
   * Which adapters may work: 'all' (default), 'software' (no hardware encoder), 'adapter:N' or
   * 'family:VENDOR'. A policy that selects no adapter throws EmptyPoolError before decoding.
   */
  policy?: string;
  /** Allow rungs larger than the source. Default false: such rungs are dropped. */
  upscale?: boolean;
  /**
   * Largest source picture accepted, in pixels (coded and display size alike); a larger declared
   * size is an InputTooLargeError before any decoding. Default 8192×4352, AV1's level-6 limit.
   */
  maxInputPixels?: number;
  /**
   * Upper bound on decoded VideoFrames open at once (queued in the decoder, waiting for readout or
   * being read out) before decoding waits. Default 8.
   */
  maxFramesInFlight?: number;
  /**
   * Frames being scaled at once (concurrent scale() calls, plus finished ones waiting for an earlier
   * frame so the scheduler gets them in frame order). Default 3.
   */
  maxScalesInFlight?: number;
  /** Upper bound on raw frame bytes buffered for chunks not yet encoded. Default 512 MiB. */
  maxBufferedBytes?: number;
  /**
   * Measure each rung's picture quality: every accepted chunk is decoded back and every frame is
   * compared on the GPU with the scaled picture the encoder was given (PSNR, SSIM; see
   * QualityFigures). The figures go to `RungResult.quality`, `ChunkRecord.quality` and
   * 'chunk-quality' progress events. Default false (nothing is decoded back, no cost).
   */
  qualityReport?: boolean;
  /** The source's audio: 'auto' (default), 'drop' or 'require' (see AudioMode). */
  audio?: AudioMode;
  /**
   * The platform the job runs on: WebCodecs classes, encoder leases, shader loading, WebGPU, cores.
   * Default: browserRuntime(), the page's or worker's globals. Under Deno, pass denoRuntime() from
   * the package's deno entry.
   */
  runtime?: Runtime;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/** Facts about the source that travel through the pipeline. */
export interface SourceInfo {
  container: string;
  codec: string;
  codedWidth: number;
  codedHeight: number;
  /** Size with the sample aspect ratio applied, before rotation. */
  squarePixelWidth: number;
  squarePixelHeight: number;
  /** Clockwise rotation to apply for display. */
  rotation: 0 | 90 | 180 | 270;
  /** Display size: square pixels, rotation applied. */
  displayWidth: number;
  displayHeight: number;
  pixelAspectRatio: { num: number; den: number };
  frameRate: number;
  durationSeconds: number;
  frameCount: number;
  /**
   * Ticks per second of the source's own timestamps (an MP4 track's timescale, 1000 for most WebM),
   * when it is no finer than 1 µs: the outputs write their video in it, so every frame keeps its
   * source time exactly. null where there is none to keep (a frame source, whose µs timestamps are
   * kept as given, or a finer time base).
   */
  timescale: number | null;
  colorSpace: VideoColorSpaceInit;
  audio: { codec: string; sampleRate: number; numberOfChannels: number } | null;
  /** Things the engine chose about the input that the user should know (e.g. which track it took). */
  notices?: string[];
}

export interface RungResult {
  /** The rung's short side, which names it (720 for "720p"). */
  label: number;
  width: number;
  height: number;
  /** The codecs string derived from the rung's real sequence header (av01.P.LLT.DD). */
  codec: string;
  /** The asked bitrate (bits per second); 0 in constant-quality mode. */
  bitrate: number;
  /** The AV1 quantizer in constant-quality mode, else null. */
  quantizer: number | null;
  /** What the rung's video came out at: its chunks' bits over their seconds. */
  achievedBitrate: number;
  frames: number;
  bytes: number;
  /** The rung's MP4 (format 'mp4'); null for formats that write several files. */
  output: Uint8Array | null;
  /** Paths written to the target for this rung. */
  files: string[];
  chunks: ChunkRecord[];
  /** With qualityReport: the rung's figures over all its frames. */
  quality?: QualityFigures;
}

export interface TranscodeStats {
  decodedFrames: number;
  /** Frames dropped because they came before the stream's first key frame. */
  skippedFrames: number;
  encodedFrames: number;
  chunks: number;
  requeued: number;
  /** Chunks encoded a second time because their first pass missed the rate (see the rate loop). */
  recalibrated: number;
  hardwareChunks: number;
  softwareChunks: number;
  wallMs: number;
  /** With qualityReport: time spent decoding chunks back and comparing them (ms), beside the encodes. */
  qualityMs?: number;
  /** Where the wall time went, stage by stage. */
  stages: StageProfile;
}

/** The pipeline's stages, in the order a frame passes them. */
export type StageName = 'demux' | 'decode' | 'readout' | 'scale' | 'handoff' | 'encode' | 'contract' | 'mux';

/**
 * One stage's time over the run, in ms. A stage is busy, waiting on the stage before it (starved,
 * `waitInMs`), waiting on the stage after it (held back by a full queue, `waitOutMs`), or not yet
 * started / already done.
 */
export interface StageStats {
  /**
   * Time the stage was working. For a stage with several calls at once (scale, mux) it is the time
   * at least one ran; for encode it is the sum over leases.
   */
  busyMs: number;
  waitInMs: number;
  waitOutMs: number;
  /** Things it handled: packets (demux), frames (decode … handoff), chunks (encode, contract), rungs (mux). */
  items: number;
  /** How many workers share `busyMs` (the leases for encode; 1 elsewhere). The bound is busyMs ÷ parallelism. */
  parallelism: number;
}

/** The scale stage: the whole scaler.scale() call, as the pipeline sees it. */
export interface ScaleStageStats extends StageStats {
  /** Sum of every call's duration (more than busyMs when calls overlap). */
  callMs: number;
  /** The bound on concurrent calls (maxScalesInFlight). */
  maxInFlight: number;
  /**
   * The scaler's own sub-stages, summed over calls (overlapping calls count more than once), when it
   * reports them: repacking planes on the CPU, queueing the upload and passes, submit until the
   * readback is mapped, unpacking the readback.
   */
  repackMs?: number;
  uploadMs?: number;
  gpuMs?: number;
  readbackMs?: number;
}

/** One encoder lease over the scheduler's run. */
export interface LeaseStageStats {
  lease: number;
  hardware: boolean;
  /** Encoding: starting encoders, sending frames, flushing, checking output. */
  busyMs: number;
  /** Waiting for a chunk to take or for the frames of the chunk it holds. */
  idleMs: number;
  chunks: number;
}

export interface EncodeStageStats extends StageStats {
  leases: LeaseStageStats[];
}

/**
 * Where a run's wall time went. `bound` names the stage that limits the wall time: the one with the
 * largest busyMs ÷ parallelism (leases work in parallel, so encode's summed busy time is shared
 * among them). `boundMs` is that figure: the wall time could not drop below it without making that
 * stage faster or wider.
 */
/** The scheduler's side of the stage profile. */
export interface SchedulerStages {
  leases: LeaseStageStats[];
  contract: StageStats;
  mux: StageStats;
}

export interface StageProfile {
  wallMs: number;
  demux: StageStats;
  decode: StageStats;
  readout: StageStats;
  scale: ScaleStageStats;
  handoff: StageStats;
  encode: EncodeStageStats;
  contract: StageStats;
  mux: StageStats;
  /** Summed idle time of every lease. */
  leaseIdleMs: number;
  /** leaseIdleMs ÷ (leases × wallMs): the share of the leases' time spent idle. */
  leaseIdleShare: number;
  bound: StageName;
  boundMs: number;
}

export interface TranscodeResult {
  source: SourceInfo;
  /** What became of the source's audio. */
  audio: AudioOutcome;
  rungs: RungResult[];
  stats: TranscodeStats;
}

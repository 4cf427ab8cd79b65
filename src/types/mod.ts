// The shared data types, one leaf: every stage imports its types from here, and nothing here imports
// the engine (tests/boundaries.test.ts holds it to that).
export type {
  RangeReader,
  InputSource,
  RungSpec,
  QualityLevel,
  OutputFormat,
  OutputTarget,
  FrameSource,
  RungPlan,
  TranscodeOptions,
  SourceInfo,
  RungResult,
  TranscodeStats,
  StageName,
  StageStats,
  ScaleStageStats,
  LeaseStageStats,
  EncodeStageStats,
  StageProfile,
  SchedulerStages,
  TranscodeResult,
} from './api.ts';
export type { AudioMode, AudioOutcome } from './audio.ts';
export type { AcceptedRung, Av1Contract, ChunkOutput, ChunkRecord, EncodedPacketOut, QualityFigures } from './chunks.ts';
export type { AudioPassthrough, DemuxedPacket, PlaneFormat, SourceAudio, SourcePlanes } from './packets.ts';
export type { AdapterInfo, AdapterLoad, EncodeSupport, HardwareReport } from './hardware.ts';
export type { ProgressEvent, ProgressSink } from './progress.ts';
export type { AudioCodecs, ChunkEncoderApi, ChunkJob, EncoderLease, RawFrame, Runtime, ShaderFile, VideoCodecs, WebCodecs } from './runtime.ts';

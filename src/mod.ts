// The public API. Everything a caller may use is re-exported here on purpose; the rest is internal.
export { transcode } from './transcode.ts';
export { planLadder, DEFAULT_LADDER } from './plan/ladder.ts';
export type { RungPlan } from './plan/ladder.ts';
export { openFrameCount } from './decode/frames.ts';
export { MemoryTarget, callbackTarget } from './mux/target.ts';
export { inspectHardware } from './schedule/inspect.ts';
export type { HardwareReport, EncodeSupport } from './schedule/inspect.ts';
export type { AdapterInfo } from './platform/gpu.ts';
export {
  TranscodeError,
  UnsupportedCodecError,
  NoVideoTrackError,
  CorruptInputError,
  InputTooLargeError,
  ContractMismatchError,
  EmptyPoolError,
  CodecFailureError,
  BitstreamError,
} from './errors.ts';
export type { ProgressEvent, ProgressSink } from './progress/events.ts';
export type {
  InputSource,
  RungSpec,
  OutputFormat,
  OutputTarget,
  TranscodeOptions,
  TranscodeResult,
  TranscodeStats,
  RungResult,
  ChunkRecord,
  SourceInfo,
} from './types.ts';

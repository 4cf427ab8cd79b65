// The public API. Everything a caller may use is re-exported here on purpose; the rest is internal.
export { transcode } from './transcode.ts';
export { createEngine } from './engine.ts';
export type { Engine, EngineOptions, EngineReport } from './engine.ts';
export { WeightedLeastLoadBalancer, DEFAULT_FACTORS, stagePixels, loadOf } from './balance/weighted.ts';
export type { StageFactors, StagePixels } from './balance/weighted.ts';
export { parseAdapterWeights } from './balance/weights.ts';
export type { LoadBalancer, BalancerConfig, BalancerJob, BalanceDecision, Candidate, EncodePreference, AdapterLoad } from './balance/balancer.ts';
export { planLadder, DEFAULT_LADDER } from './plan/ladder.ts';
export { OUTPUT_FORMATS, OPTION_SCHEMA, UsageError, optionSpec, optionRule, parseQuality } from './options.ts';
export type { OptionSpec, OptionType, CommandName } from './options.ts';
export { parseCommandLine, formatHelp } from './command-line.ts';
export type { CommandLine, CommandLineOptions } from './command-line.ts';
export { openFrameCount } from './decode/frames.ts';
export { formatStages } from './pipeline/profile.ts';
export { parseAudioMode } from './options.ts';
export { measureScaler } from './scale/measure.ts';
export type { ScaleTiming } from './scale/measure.ts';
export { liveWorkerCount } from './encode/lease.ts';
export { diagnostics } from './diagnostics.ts';
export type { Diagnostics } from './diagnostics.ts';
export { DEFAULT_SVT_PRESET, REFERENCE_SVT_PRESET } from './encode/svt-preset.ts';
export { MemoryTarget, callbackTarget } from './mux/target.ts';
export { inspectHardware } from './schedule/inspect.ts';
export { browserRuntime } from './platform/browser.ts';
export {
  TranscodeError,
  UnsupportedCodecError,
  NoVideoTrackError,
  NoAudioTrackError,
  CorruptInputError,
  InputTooLargeError,
  ContractMismatchError,
  EmptyPoolError,
  CodecFailureError,
  BitstreamError,
} from './errors.ts';
export type {
  ProgressEvent,
  ProgressSink,
  FrameSource,
  QualityLevel,
  InputSource,
  RangeReader,
  RungSpec,
  OutputFormat,
  OutputTarget,
  TranscodeOptions,
  TranscodeResult,
  TranscodeStats,
  StageProfile,
  StageStats,
  StageName,
  ScaleStageStats,
  EncodeStageStats,
  LeaseStageStats,
  RungResult,
  ChunkRecord,
  QualityFigures,
  SourceInfo,
  AudioMode,
  AudioOutcome,
  RungPlan,
  AdapterInfo,
  HardwareReport,
  EncodeSupport,
  Runtime,
  WebCodecs,
  VideoCodecs,
  AudioCodecs,
  EncoderLease,
  ChunkJob,
  RawFrame,
  ShaderFile,
} from './types/mod.ts';

// The DASH module's public pieces: the MPD writer and the manifest over the engine's CMAF tracks.
export { mpd, segmentTimeline, isoDuration, frameRateAttr, DEFAULT_PROFILES } from './mpd.ts';
export type { MpdOptions, MpdSegmentTemplate, MpdTimelineSegment, MpdVideoRepresentation, MpdAudioRepresentation } from './mpd.ts';
export { writeDashManifest, peakBandwidth, MPD_PATH } from './output.ts';
export type { DashVideoTrack, DashAudioTrack } from './output.ts';

// One CMAF track as the manifests that list it see it (the HLS playlists, the DASH MPD): its init
// segment and its media segments with exact times in the track's timescale. Written once by
// src/hls/output.ts, read by every manifest, so 'cmaf' output lists one set of segments twice.
// A leaf: imports nothing of the engine.

export interface TrackSegment {
  /** Relative to the track's folder, e.g. 'seg-1.m4s'. */
  uri: string;
  /** The segment's tfdt (baseMediaDecodeTime), in ticks of the track's timescale. */
  start: number;
  /** The sum of its sample durations, in ticks. */
  duration: number;
  byteLength: number;
}

export interface CmafTrack {
  /** Folder of the track's files under the output, e.g. '720p' or 'audio'. */
  dir: string;
  /** The init segment, relative to `dir`. */
  initUri: string;
  timescale: number;
  /** RFC 6381 codecs string, from the real sequence header (video) or the audio config. */
  codecs: string;
  /** In order, numbered from 1 (seg-1.m4s is segments[0]). */
  segments: TrackSegment[];
}

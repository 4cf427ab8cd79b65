// The HLS module's public pieces: CMAF init/media segments and the playlists that list them.
export { videoInitSegment, audioInitSegment, dOpsFromOpusHead, mediaSegment } from './cmaf.ts';
export type { VideoInitOptions, AudioInitOptions, MediaSegmentOptions, MediaSegment, SegmentSample } from './cmaf.ts';
export { mediaPlaylist, iframePlaylist, masterPlaylist, segmentBitrates, iframeBitrates } from './playlist.ts';
export type {
  PlaylistSegment, MediaPlaylistOptions, IFrameSegment, IFramePlaylistOptions, Variant, AudioRendition,
  MasterPlaylistOptions, Bitrates,
} from './playlist.ts';

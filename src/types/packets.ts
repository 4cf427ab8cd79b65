// Media as plain data on its way in: demuxed packets, the source's audio track, and one decoded
// frame's planes as VideoFrame.copyTo lays them out.

/** One demuxed packet. */
export interface DemuxedPacket {
  data: Uint8Array;
  key: boolean;
  /** Microseconds, presentation time as the container gives it, rounded to the nearest µs. */
  timestamp: number;
  duration: number;
}

/** The source's first audio track, as encoded packets. */
export interface SourceAudio {
  /** mediabunny's codec name: aac, opus, mp3, vorbis, flac, pcm-s16, … */
  codec: string;
  /** WebCodecs codec string, e.g. mp4a.40.2. */
  codecString: string;
  sampleRate: number;
  numberOfChannels: number;
  description: Uint8Array | undefined;
  packets: DemuxedPacket[];
}

/** Audio as the outputs carry it (see src/audio/audio.ts). */
export interface AudioPassthrough extends SourceAudio {
  codec: 'aac' | 'opus';
  /** RFC 6381 codecs string, e.g. mp4a.40.2. */
  codecString: string;
  sampleRate: number;
  numberOfChannels: number;
  description: Uint8Array | undefined;
  packets: DemuxedPacket[];
}

export type PlaneFormat = 'I420' | 'NV12';

/** One decoded frame's planes, as VideoFrame.copyTo lays them out. */
export interface SourcePlanes {
  format: PlaneFormat;
  /** Visible size; chroma planes are ceil(width / 2) x ceil(height / 2). */
  width: number;
  height: number;
  data: Uint8Array;
  layout: Array<{ offset: number; stride: number }>;
  fullRange: boolean;
}

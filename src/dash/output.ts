// The DASH manifest of the segmented formats ('dash', and 'cmaf' which writes HLS too): manifest.mpd
// over the CMAF tracks src/hls/output.ts already wrote (`720p/init.mp4`, `720p/seg-N.m4s`, `audio/…`).
// Nothing is segmented again; the MPD only lists each track's files and tick times.
import type { CmafTrack } from '../mux/cmaf-track.ts';
import type { OutputFile } from '../mux/rung-output.ts';
import { mpd } from './mpd.ts';
import type { MpdSegmentTemplate } from './mpd.ts';

export interface DashVideoTrack {
  track: CmafTrack;
  width: number;
  height: number;
  frameRate: number;
}

export interface DashAudioTrack {
  track: CmafTrack;
  sampleRate: number;
  channels: number;
}

export const MPD_PATH = 'manifest.mpd';

/**
 * A track's @bandwidth in bits/s: its peak segment rate (bytes × 8 over the segment's duration),
 * rounded up. With minBufferTime at least the longest segment, a link of that rate delivers every
 * segment before it is due, which is what DASH asks of @bandwidth; the average would understate it.
 */
export function peakBandwidth(track: CmafTrack): number {
  if (track.segments.length === 0) throw new RangeError(`Cannot measure ${track.dir}: it has no segments`);
  return Math.ceil(Math.max(...track.segments.map((s) => (s.byteLength * 8 * track.timescale) / s.duration)));
}

function template(t: CmafTrack): MpdSegmentTemplate {
  return {
    timescale: t.timescale,
    initialization: `${t.dir}/${t.initUri}`,
    media: `${t.dir}/seg-$Number$.m4s`,
    startNumber: 1,
    segments: t.segments.map((s, i) => {
      // The template names segments by number, so the written names must follow it.
      if (s.uri !== `seg-${i + 1}.m4s`) throw new RangeError(`Cannot list ${t.dir}/${s.uri} in a SegmentTemplate: expected seg-${i + 1}.m4s`);
      return { start: s.start, duration: s.duration };
    }),
  };
}

export function writeDashManifest(rungs: readonly DashVideoTrack[], audio: DashAudioTrack | null): OutputFile {
  const tracks = [...rungs.map((r) => r.track), ...(audio ? [audio.track] : [])];
  const longest = Math.max(...tracks.flatMap((t) => t.segments.map((s) => s.duration / t.timescale)));
  const text = mpd({
    durationSeconds: Math.max(...tracks.map((t) => (t.segments.at(-1)!.start + t.segments.at(-1)!.duration) / t.timescale)),
    minBufferSeconds: longest,
    video: rungs.map((r) => ({
      id: r.track.dir, codecs: r.track.codecs, bandwidth: peakBandwidth(r.track),
      width: r.width, height: r.height, frameRate: r.frameRate, template: template(r.track),
    })),
    ...(audio ? {
      audio: {
        representation: {
          id: audio.track.dir, codecs: audio.track.codecs, bandwidth: peakBandwidth(audio.track),
          sampleRate: audio.sampleRate, channels: audio.channels, template: template(audio.track),
        },
      },
    } : {}),
  });
  return { path: MPD_PATH, bytes: new TextEncoder().encode(text) };
}

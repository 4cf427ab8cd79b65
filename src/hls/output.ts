// The segmented output formats ('hls', 'dash', 'cmaf'): each rung's chunks become CMAF media
// segments (one per chunk, so segment boundaries fall at the same source timestamps in every rung)
// under `<label>p/` with an init segment; audio becomes its own track under `audio/`, cut at the
// same boundaries. For HLS each track also gets a media playlist (and each rung an I-frame
// playlist), and master.m3u8 ties them together once every rung is done. Each track is described
// as a CmafTrack, which the DASH MPD (src/dash/output.ts) lists without writing a segment again.
import { buildAv1C, codecString } from '../av1/mod.ts';
import { UnsupportedCodecError } from '../errors.ts';
import type { AudioTrack, OutputFile, RungContext, WrittenRung } from '../mux/rung-output.ts';
import { rungFrames } from '../mux/rung-output.ts';
import type { CmafTrack, TrackSegment } from '../mux/cmaf-track.ts';
import { usToTicks, videoTimescale } from '../timescale.ts';
import { audioInitSegment, mediaSegment, videoInitSegment } from './cmaf.ts';
import { iframeBitrates, iframePlaylist, masterPlaylist, mediaPlaylist, segmentBitrates } from './playlist.ts';
import type { IFrameSegment, PlaylistSegment } from './playlist.ts';

export interface CmafRung extends WrittenRung {
  dir: string;
  track: CmafTrack;
  segments: PlaylistSegment[];
  iframes: IFrameSegment[];
}

export interface CmafAudio {
  files: OutputFile[];
  track: CmafTrack;
  segments: PlaylistSegment[];
  codecs: string;
  channels: number;
  sampleRate: number;
}

/** Which manifests list the segments: `hls` adds each track's media (and I-frame) playlist. */
export interface SegmentedOptions {
  hls: boolean;
}

export function writeCmafRung(ctx: RungContext, opts: SegmentedOptions): CmafRung {
  const { plan, accepted } = ctx;
  const dir = `${plan.label}p`;
  const chunks = accepted.chunks.map((c) => c.output.packets);
  const all = chunks.flat();
  const last = all[all.length - 1]!;
  // The source's timescale keeps each frame's source tick (src/timescale.ts); without one (a frame
  // source), one in which every given µs time is exact.
  const timescale = ctx.timescale ?? videoTimescale(ctx.frameRate, [...all.map((p) => p.timestamp), last.timestamp + last.duration]);
  const files: OutputFile[] = [{
    path: `${dir}/init.mp4`,
    bytes: videoInitSegment({ width: plan.width, height: plan.height, timescale, av1c: buildAv1C(accepted.sequenceHeaderObu) }),
  }];
  const segments: PlaylistSegment[] = [];
  const iframes: IFrameSegment[] = [];
  const timeline: TrackSegment[] = [];
  let bytes = 0;
  chunks.forEach((packets, k) => {
    // Each instant is rounded to ticks once, so a sample lasts until the next one starts (the next
    // segment's first, across a boundary) and every tfdt is the sum of the durations before it.
    const next = chunks[k + 1]?.[0];
    const samples = packets.map((p, i) => {
      const following = packets[i + 1] ?? next;
      const duration = following ? usToTicks(following.timestamp, timescale) - usToTicks(p.timestamp, timescale) : usToTicks(p.duration, timescale);
      return { data: p.data, duration, key: p.key };
    });
    const start = usToTicks(packets[0]!.timestamp, timescale);
    const seg = mediaSegment({ sequenceNumber: k + 1, timescale, baseDecodeTime: start, samples, codec: 'av1' });
    const uri = `seg-${k + 1}.m4s`;
    files.push({ path: `${dir}/${uri}`, bytes: seg.bytes });
    timeline.push({ uri, start, duration: seg.duration, byteLength: seg.bytes.byteLength });
    const duration = seg.duration / timescale;
    segments.push({ uri, duration, byteLength: seg.bytes.byteLength });
    iframes.push({ uri, duration, keyFrameRange: seg.keyFrameRange });
    bytes += seg.bytes.byteLength;
  });
  if (opts.hls) {
    files.push({ path: `${dir}/video.m3u8`, bytes: text(mediaPlaylist({ mapUri: 'init.mp4', segments })) });
    files.push({ path: `${dir}/iframes.m3u8`, bytes: text(iframePlaylist({ mapUri: 'init.mp4', segments: iframes })) });
  }
  const codec = codecString(accepted.contract);
  const track = { dir, initUri: 'init.mp4', timescale, codecs: codec, segments: timeline };
  return { dir, track, segments, iframes, codec, frames: rungFrames(accepted), bytes, files, mp4: null };
}

/** The audio track, cut into segments at the video's chunk boundaries. */
export function writeCmafAudio(audio: AudioTrack, chunkSeconds: number, opts: SegmentedOptions): CmafAudio {
  if (!audio.description) {
    throw new UnsupportedCodecError(`Cannot write HLS audio: ${audio.codec} needs its decoder description (AudioSpecificConfig or OpusHead)`);
  }
  // AAC's 1024-sample frames are exact at its own rate; Opus always runs at 48 kHz.
  const timescale = audio.codec === 'opus' ? 48_000 : audio.sampleRate;
  const chunkUs = chunkSeconds * 1e6;
  const groups: AudioTrack['packets'][] = [];
  for (const p of audio.packets) (groups[Math.floor(p.timestamp / chunkUs)] ??= []).push(p);
  const files: OutputFile[] = [{
    path: 'audio/init.mp4',
    bytes: audioInitSegment({ codec: audio.codec, sampleRate: audio.sampleRate, numberOfChannels: audio.numberOfChannels, description: audio.description }),
  }];
  const segments: PlaylistSegment[] = [];
  const timeline: TrackSegment[] = [];
  let n = 0;
  for (const group of groups) {
    if (!group?.length) continue;
    n++;
    const samples = group.map((p) => ({ data: p.data, duration: usToTicks(p.timestamp + p.duration, timescale) - usToTicks(p.timestamp, timescale), key: true }));
    const start = usToTicks(group[0]!.timestamp, timescale);
    const seg = mediaSegment({ sequenceNumber: n, timescale, baseDecodeTime: start, samples, codec: audio.codec });
    const uri = `seg-${n}.m4s`;
    files.push({ path: `audio/${uri}`, bytes: seg.bytes });
    timeline.push({ uri, start, duration: seg.duration, byteLength: seg.bytes.byteLength });
    segments.push({ uri, duration: seg.duration / timescale, byteLength: seg.bytes.byteLength });
  }
  if (opts.hls) files.push({ path: 'audio/audio.m3u8', bytes: text(mediaPlaylist({ mapUri: 'init.mp4', segments })) });
  const track = { dir: 'audio', initUri: 'init.mp4', timescale, codecs: audio.codecString, segments: timeline };
  return { files, track, segments, codecs: audio.codecString, channels: audio.numberOfChannels, sampleRate: audio.sampleRate };
}

export function writeHlsMaster(
  rungs: ReadonlyArray<{ rung: CmafRung; width: number; height: number; frameRate: number }>,
  audio: CmafAudio | null,
): OutputFile {
  const variants = rungs.map(({ rung, width, height, frameRate }) => {
    const rates = segmentBitrates(rung.segments, audio?.segments);
    const iframeRates = iframeBitrates(rung.iframes);
    return {
      uri: `${rung.dir}/video.m3u8`,
      iframeUri: `${rung.dir}/iframes.m3u8`,
      iframeBandwidth: iframeRates.peak,
      bandwidth: rates.peak,
      averageBandwidth: rates.average,
      width,
      height,
      frameRate,
      codecs: audio ? `${rung.codec},${audio.codecs}` : rung.codec,
    };
  });
  const master = masterPlaylist({
    variants,
    ...(audio ? { audio: { groupId: 'audio', name: 'main', uri: 'audio/audio.m3u8', codecs: audio.codecs, channels: audio.channels } } : {}),
  });
  return { path: 'master.m3u8', bytes: text(master) };
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

// The HLS output format: each rung's chunks become CMAF media segments (one per chunk, so segment
// boundaries fall at the same source timestamps in every rung) under `<label>p/`, with an init
// segment, a media playlist and an I-frame playlist; audio becomes its own rendition under
// `audio/`, cut at the same boundaries; master.m3u8 ties them together once every rung is done.
import { buildAv1C, codecString } from '../av1/mod.ts';
import { UnsupportedCodecError } from '../errors.ts';
import type { AudioTrack, OutputFile, RungContext, WrittenRung } from '../mux/rung-output.ts';
import { rungFrames } from '../mux/rung-output.ts';
import { usToTicks, videoTimescale } from '../timescale.ts';
import { audioInitSegment, mediaSegment, videoInitSegment } from './cmaf.ts';
import { iframeBitrates, iframePlaylist, masterPlaylist, mediaPlaylist, segmentBitrates } from './playlist.ts';
import type { IFrameSegment, PlaylistSegment } from './playlist.ts';

export interface HlsRung extends WrittenRung {
  dir: string;
  segments: PlaylistSegment[];
  iframes: IFrameSegment[];
}

export interface HlsAudio {
  files: OutputFile[];
  segments: PlaylistSegment[];
  codecs: string;
  channels: number;
}

export function writeHlsRung(ctx: RungContext): HlsRung {
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
    const seg = mediaSegment({ sequenceNumber: k + 1, timescale, baseDecodeTime: usToTicks(packets[0]!.timestamp, timescale), samples, codec: 'av1' });
    const uri = `seg-${k + 1}.m4s`;
    files.push({ path: `${dir}/${uri}`, bytes: seg.bytes });
    const duration = seg.duration / timescale;
    segments.push({ uri, duration, byteLength: seg.bytes.byteLength });
    iframes.push({ uri, duration, keyFrameRange: seg.keyFrameRange });
    bytes += seg.bytes.byteLength;
  });
  files.push({ path: `${dir}/video.m3u8`, bytes: text(mediaPlaylist({ mapUri: 'init.mp4', segments })) });
  files.push({ path: `${dir}/iframes.m3u8`, bytes: text(iframePlaylist({ mapUri: 'init.mp4', segments: iframes })) });
  return { dir, segments, iframes, codec: codecString(accepted.contract), frames: rungFrames(accepted), bytes, files, mp4: null };
}

/** The audio rendition, cut into segments at the video's chunk boundaries. */
export function writeHlsAudio(audio: AudioTrack, chunkSeconds: number): HlsAudio {
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
  let n = 0;
  for (const group of groups) {
    if (!group?.length) continue;
    n++;
    const samples = group.map((p) => ({ data: p.data, duration: usToTicks(p.timestamp + p.duration, timescale) - usToTicks(p.timestamp, timescale), key: true }));
    const seg = mediaSegment({ sequenceNumber: n, timescale, baseDecodeTime: usToTicks(group[0]!.timestamp, timescale), samples, codec: audio.codec });
    const uri = `seg-${n}.m4s`;
    files.push({ path: `audio/${uri}`, bytes: seg.bytes });
    segments.push({ uri, duration: seg.duration / timescale, byteLength: seg.bytes.byteLength });
  }
  files.push({ path: 'audio/audio.m3u8', bytes: text(mediaPlaylist({ mapUri: 'init.mp4', segments })) });
  return { files, segments, codecs: audio.codecString, channels: audio.numberOfChannels };
}

export function writeHlsMaster(
  rungs: ReadonlyArray<{ rung: HlsRung; width: number; height: number; frameRate: number }>,
  audio: HlsAudio | null,
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

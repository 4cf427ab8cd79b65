// What a finished rung becomes, per output format: a function from the rung's accepted chunks to
// the files to write. MP4 writes one file per rung; HLS (src/hls/output.ts) writes an init segment,
// media segments and playlists, plus a master playlist once every rung is done.
import { buildAv1C, codecString } from '../av1/mod.ts';
import type { AcceptedRung, AudioPassthrough, DemuxedPacket, RungPlan } from '../types/mod.ts';
import { createMp4Writer } from './mp4.ts';

export interface OutputFile {
  path: string;
  bytes: Uint8Array;
}

/** Audio to carry, its timestamps already relative to the first video frame (none negative). */
export interface AudioTrack extends Omit<AudioPassthrough, 'packets'> {
  packets: DemuxedPacket[];
}

export interface RungContext {
  plan: RungPlan;
  accepted: AcceptedRung;
  colorSpace: VideoColorSpaceInit;
  audio: AudioTrack | null;
  frameRate: number;
  /** The source's timescale (SourceInfo.timescale): the video is written in it when there is one. */
  timescale: number | null;
  chunkSeconds: number;
}

export interface WrittenRung {
  codec: string;
  frames: number;
  /** Video bytes of the rung (the whole MP4, or the sum of its segments). */
  bytes: number;
  files: OutputFile[];
  /** The MP4 itself, for the MP4 format. */
  mp4: Uint8Array | null;
}

export function rungFrames(accepted: AcceptedRung): number {
  return accepted.chunks.reduce((n, c) => n + c.output.packets.length, 0);
}

/**
 * Moves audio to the video's time base. Packets that end before the first video frame are dropped;
 * one that straddles it starts at 0 (a WebM Opus track's first packet, which holds the codec delay,
 * starts a few milliseconds before the video).
 */
export function alignAudio(audio: AudioPassthrough | null, videoStartUs: number): AudioTrack | null {
  if (!audio) return null;
  const packets = audio.packets
    .map((p) => ({ ...p, timestamp: p.timestamp - videoStartUs }))
    .filter((p) => p.timestamp + p.duration > 0)
    .map((p) => (p.timestamp < 0 ? { ...p, timestamp: 0 } : p));
  return { ...audio, packets };
}

export function writeMp4Rung(ctx: RungContext): WrittenRung {
  const { plan, accepted, audio } = ctx;
  const writer = createMp4Writer({
    width: plan.width,
    height: plan.height,
    frameRate: ctx.frameRate,
    ...(ctx.timescale !== null ? { timescale: ctx.timescale } : {}),
    colorSpace: ctx.colorSpace,
    ...(audio ? { audio: { codec: audio.codec, sampleRate: audio.sampleRate, numberOfChannels: audio.numberOfChannels, ...(audio.description ? { description: audio.description } : {}) } } : {}),
  });
  for (const { output } of accepted.chunks) {
    for (const p of output.packets) writer.addVideo(p.data, p.timestamp, p.duration, p.key);
  }
  for (const p of audio?.packets ?? []) writer.addAudio(p.data, p.timestamp, p.duration);
  const mp4 = writer.finalize(buildAv1C(accepted.sequenceHeaderObu));
  return {
    codec: codecString(accepted.contract),
    frames: rungFrames(accepted),
    bytes: mp4.byteLength,
    files: [{ path: `${plan.label}p.mp4`, bytes: mp4 }],
    mp4,
  };
}

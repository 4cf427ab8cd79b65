// One rung's MP4: AV1 video (plus passthrough audio) through mp4-muxer, fast start, then the
// real av1C patched in. mp4-muxer is imported only here.
import { ArrayBufferTarget, Muxer } from 'mp4-muxer';
import { OBU_TEMPORAL_DELIMITER, readObus } from '../av1/obu.ts';
import { TranscodeError } from '../errors.ts';
import { replaceAv1C } from './av1c-patch.ts';

export interface Mp4WriterOptions {
  width: number;
  height: number;
  /** Written as a colr box when mp4-muxer can express every field; left out otherwise. */
  colorSpace?: VideoColorSpaceInit;
  audio?: { codec: 'aac' | 'opus'; sampleRate: number; numberOfChannels: number; description?: Uint8Array };
}

export interface Mp4Writer {
  addVideo(data: Uint8Array, timestampUs: number, durationUs: number, isKey: boolean): void;
  addAudio(data: Uint8Array, timestampUs: number, durationUs: number): void;
  /** Finalizes the file and writes `av1cPayload` (from the rung's real sequence header) as its av1C. */
  finalize(av1cPayload: Uint8Array): Uint8Array;
}

export function createMp4Writer(opts: Mp4WriterOptions): Mp4Writer {
  const target = new ArrayBufferTarget();
  const muxer = new Muxer({
    target,
    // No frameRate: mp4-muxer would use it as the timescale and round every timestamp to it;
    // its default 57600 represents 24/25/30/50/60 fps exactly and keeps variable rates intact.
    video: { codec: 'av1', width: opts.width, height: opts.height },
    ...(opts.audio ? { audio: { codec: opts.audio.codec, sampleRate: opts.audio.sampleRate, numberOfChannels: opts.audio.numberOfChannels } } : {}),
    fastStart: 'in-memory',
    // The engine already starts video at 0; audio keeps its offset against it.
    firstTimestampBehavior: 'cross-track-offset',
  });
  let audioMeta: EncodedAudioChunkMetadata | undefined;
  if (opts.audio) {
    audioMeta = {
      decoderConfig: {
        codec: opts.audio.codec === 'aac' ? 'mp4a.40.2' : 'opus',
        sampleRate: opts.audio.sampleRate,
        numberOfChannels: opts.audio.numberOfChannels,
        ...(opts.audio.description ? { description: opts.audio.description } : {}),
      },
    };
  }
  const videoMeta: EncodedVideoChunkMetadata = {
    decoderConfig: {
      codec: 'av01',
      codedWidth: opts.width,
      codedHeight: opts.height,
      ...(expressible(opts.colorSpace) ? { colorSpace: opts.colorSpace } : {}),
    },
  };
  let videoCount = 0;
  let audioCount = 0;
  return {
    addVideo(data, timestampUs, durationUs, isKey) {
      muxer.addVideoChunkRaw(withoutTemporalDelimiters(data), isKey ? 'key' : 'delta', timestampUs, durationUs, videoCount === 0 ? videoMeta : undefined);
      videoCount++;
    },
    addAudio(data, timestampUs, durationUs) {
      muxer.addAudioChunkRaw(data, 'key', timestampUs, durationUs, audioCount === 0 ? audioMeta : undefined);
      audioCount++;
    },
    finalize(av1cPayload) {
      if (videoCount === 0) throw new TranscodeError('Cannot finalize MP4: no video samples');
      muxer.finalize();
      return replaceAv1C(new Uint8Array(target.buffer), av1cPayload);
    },
  };
}

// mp4-muxer 5.2.2's colr writer knows only these names; anything else would be written as 0.
const PRIMARIES = new Set(['bt709', 'bt470bg', 'smpte170m']);
const TRANSFERS = new Set(['bt709', 'smpte170m', 'iec61966-2-1']);
const MATRICES = new Set(['rgb', 'bt709', 'bt470bg', 'smpte170m']);

function expressible(c: VideoColorSpaceInit | undefined): c is VideoColorSpaceInit {
  return !!c && PRIMARIES.has(c.primaries ?? '') && TRANSFERS.has(c.transfer ?? '') && MATRICES.has(c.matrix ?? '');
}

/** AV1-ISOBMFF 2.4: samples carry no temporal delimiter OBUs (encoders put one at the start of each). */
export function withoutTemporalDelimiters(tu: Uint8Array): Uint8Array {
  let start = 0;
  for (const obu of readObus(tu)) {
    if (obu.type !== OBU_TEMPORAL_DELIMITER) break;
    start = obu.end;
  }
  return start === 0 ? tu : tu.subarray(start);
}

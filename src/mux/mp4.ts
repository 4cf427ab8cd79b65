// One rung's MP4: AV1 video (plus passthrough AAC/Opus audio) through mp4-muxer with fast start,
// then the real av1C patched in (mp4-muxer 5.2.2 writes an empty one). mp4-muxer is imported only
// here, and only raw chunks are passed to it, so no WebCodecs objects are needed.
import { ArrayBufferTarget, Muxer } from 'mp4-muxer';
import { OBU_TEMPORAL_DELIMITER, readObus } from '../av1/obu.ts';
import { TranscodeError } from '../errors.ts';
import { isExactTimescale, videoTimescale } from '../timescale.ts';
import { replaceAv1C } from './av1c-patch.ts';

export interface Mp4AudioOptions {
  codec: 'aac' | 'opus';
  sampleRate: number;
  numberOfChannels: number;
  /** AAC: the AudioSpecificConfig (else mp4-muxer guesses AAC-LC). Opus: an OpusHead, optional. */
  description?: Uint8Array;
}

export interface Mp4WriterOptions {
  width: number;
  height: number;
  /** Nominal frames per second (29.97 and 30000/1001 both work). */
  frameRate: number;
  /**
   * The video track's timescale: the source's, so every µs time is written as the source tick it
   * was rounded from (src/timescale.ts). Left out, one is picked in which every µs time is exact.
   */
  timescale?: number;
  /** Written as a colr box when mp4-muxer can express every field; left out otherwise. */
  colorSpace?: VideoColorSpaceInit;
  audio?: Mp4AudioOptions;
}

/**
 * Timestamps are microseconds on the file's timeline, which starts at 0 with the first video
 * frame (the engine's convention); samples are added in decode order per track, and AV1 samples
 * are whole temporal units, so decode order is presentation order.
 */
export interface Mp4Writer {
  addVideo(data: Uint8Array, timestampUs: number, durationUs: number, isKey: boolean): void;
  addAudio(data: Uint8Array, timestampUs: number, durationUs: number): void;
  /** Writes the file with `av1cPayload` (the AV1CodecConfigurationRecord of the rung) as its av1C. */
  finalize(av1cPayload: Uint8Array): Uint8Array;
}

interface Sample {
  data: Uint8Array;
  ts: number;
  dur: number;
  key: boolean;
}

export function createMp4Writer(opts: Mp4WriterOptions): Mp4Writer {
  if (!(Number.isFinite(opts.frameRate) && opts.frameRate > 0)) {
    throw new TranscodeError(`Cannot create MP4 writer: frame rate ${opts.frameRate} is not a positive number`);
  }
  if (opts.timescale !== undefined && !isExactTimescale(opts.timescale)) {
    throw new TranscodeError(`Cannot create MP4 writer: timescale ${opts.timescale} is not a whole number of ticks per second up to 1000000`);
  }
  // Samples wait here until finalize: the timescale depends on every timestamp, and adding both
  // tracks in time order interleaves their chunks. 'in-memory' fast start keeps every sample
  // until the end anyway, so holding the references costs nothing extra.
  const video: Sample[] = [];
  const audio: Sample[] = [];
  let finalized = false;

  const check = (track: 'video' | 'audio', list: Sample[], ts: number, dur: number): void => {
    const action = `Cannot add ${track} sample ${list.length}`;
    if (finalized) throw new TranscodeError(`${action}: the MP4 is already finalized`);
    if (!(Number.isFinite(ts) && ts >= 0)) throw new TranscodeError(`${action}: timestamp ${ts} µs is not a non-negative number`);
    if (!(Number.isFinite(dur) && dur >= 0)) throw new TranscodeError(`${action}: duration ${dur} µs is not a non-negative number`);
    const prev = list[list.length - 1];
    if (prev && ts < prev.ts) throw new TranscodeError(`${action}: timestamp ${ts} µs is before the previous ${prev.ts} µs`);
  };

  return {
    addVideo(data, timestampUs, durationUs, isKey) {
      check('video', video, timestampUs, durationUs);
      if (video.length === 0 && !isKey) throw new TranscodeError('Cannot add video sample 0: the first sample must be a key frame');
      video.push({ data: withoutTemporalDelimiters(data), ts: timestampUs, dur: durationUs, key: isKey });
    },
    addAudio(data, timestampUs, durationUs) {
      if (!opts.audio) throw new TranscodeError('Cannot add audio sample: the MP4 writer was created without audio');
      check('audio', audio, timestampUs, durationUs);
      audio.push({ data, ts: timestampUs, dur: durationUs, key: true });
    },
    finalize(av1cPayload) {
      if (finalized) throw new TranscodeError('Cannot finalize MP4: already finalized');
      if (video.length === 0) throw new TranscodeError('Cannot finalize MP4: no video samples');
      finalized = true;
      let bytes: Uint8Array;
      try {
        bytes = mux(opts, video, audio);
      } catch (err) {
        throw new TranscodeError(`Cannot finalize MP4: mp4-muxer failed: ${(err as Error).message}`, { cause: err });
      }
      return replaceAv1C(bytes, av1cPayload);
    },
  };
}

function mux(opts: Mp4WriterOptions, video: Sample[], audio: Sample[]): Uint8Array {
  const last = video[video.length - 1]!;
  const timescale = opts.timescale ?? videoTimescale(opts.frameRate, [...video.map((s) => s.ts), last.ts + last.dur]);
  const target = new ArrayBufferTarget();
  const a = opts.audio;
  const muxer = new Muxer({
    target,
    // mp4-muxer's `frameRate` is the track timescale. It rounds each sample's time to it (and the
    // last sample's duration on its own), which maps each µs time to its source tick.
    video: { codec: 'av1', width: opts.width, height: opts.height, frameRate: timescale },
    ...(a ? { audio: { codec: a.codec, sampleRate: a.sampleRate, numberOfChannels: a.numberOfChannels } } : {}),
    fastStart: 'in-memory',
    // Timestamps are written as given when the earliest first timestamp of the two tracks is 0,
    // which the engine guarantees (video starts at 0, audio at or after it). 'strict' would refuse
    // audio that starts a little after 0, and 'offset' would move such audio to 0 and out of sync.
    // If a caller's timeline does not start at 0, both tracks move together so it does.
    // (mp4-muxer writes no edit list: a track starting after 0 shows its first sample from 0.)
    firstTimestampBehavior: 'cross-track-offset',
  });
  const videoMeta: EncodedVideoChunkMetadata = {
    decoderConfig: {
      codec: 'av01',
      codedWidth: opts.width,
      codedHeight: opts.height,
      ...(expressible(opts.colorSpace) ? { colorSpace: opts.colorSpace } : {}),
    },
  };
  const audioMeta: EncodedAudioChunkMetadata | undefined = a && {
    decoderConfig: {
      codec: a.codec === 'aac' ? 'mp4a.40.2' : 'opus',
      sampleRate: a.sampleRate,
      numberOfChannels: a.numberOfChannels,
      ...(a.description ? { description: a.description } : {}),
    },
  };
  // Video first on ties, so its first timestamp (0) is the base cross-track-offset sees.
  let v = 0;
  let s = 0;
  while (v < video.length || s < audio.length) {
    const vs = video[v];
    const as = audio[s];
    if (vs && (!as || vs.ts <= as.ts)) {
      muxer.addVideoChunkRaw(vs.data, vs.key ? 'key' : 'delta', vs.ts, vs.dur, v === 0 ? videoMeta : undefined);
      v++;
    } else if (as) {
      muxer.addAudioChunkRaw(as.data, 'key', as.ts, as.dur, s === 0 ? audioMeta : undefined);
      s++;
    }
  }
  muxer.finalize();
  return new Uint8Array(target.buffer);
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

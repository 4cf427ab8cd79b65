// The source's audio, made fit for the output. AAC (with its AudioSpecificConfig, or in ADTS
// framing, unwrapped by adts.ts) and Opus are carried as they are, in MP4 and in HLS alike.
// Anything else (MP3, Vorbis, FLAC, PCM) is decoded with WebCodecs' AudioDecoder and encoded as
// Opus with AudioEncoder: Opus because every WebCodecs implementation encodes it (Chromium on Linux
// has no AAC encoder), and hls.js, Safari and ffmpeg all read it from CMAF. Nothing is dropped silently: audio that cannot
// be carried or re-encoded is a typed error before any video is decoded, unless the caller asked
// for 'drop'.
import { toBytes } from '../demux/demux.ts';
import type { AudioCodecs, AudioMode, AudioOutcome, AudioPassthrough, DemuxedPacket, SourceAudio } from '../types/mod.ts';
import { isAdts, unwrapAdts } from './adts.ts';
import { CodecFailureError, NoAudioTrackError, UnsupportedCodecError, abortError } from '../errors.ts';

/** Bits per second per channel of re-encoded Opus: transparent for most material. */
const OPUS_BITRATE_PER_CHANNEL = 64_000;
/** Decoded buffers allowed in flight between the decoder and the encoder. */
const MAX_QUEUED = 16;

/** Audio the outputs can carry without re-encoding (AAC in ADTS framing once unwrapped, see adts.ts). */
export function isCarriable(a: SourceAudio): boolean {
  return (a.codec === 'aac' && a.description !== undefined && a.description.byteLength >= 2) || a.codec === 'opus';
}

export interface PreparedAudio {
  /** What the outputs carry; null when there is no audio or it is dropped. */
  track: AudioPassthrough | null;
  outcome: AudioOutcome;
  /** For the job-start notices: what was carried, re-encoded or dropped, and anything left out. */
  notices: string[];
}

function describe(a: { codec: string; sampleRate: number; numberOfChannels: number }, codecString?: string): string {
  return `${a.codec}${codecString && codecString !== a.codec ? ` (${codecString})` : ''}, ${a.sampleRate} Hz, ${a.numberOfChannels} ch`;
}

function outcome(action: AudioOutcome['action'], source: SourceAudio | null, track: AudioPassthrough | null): AudioOutcome {
  return {
    action,
    source: source && { codec: source.codec, sampleRate: source.sampleRate, numberOfChannels: source.numberOfChannels },
    output: track && { codec: track.codec, codecString: track.codecString, sampleRate: track.sampleRate, numberOfChannels: track.numberOfChannels },
  };
}

/** audio: 'drop': nothing of the source's audio is read; the notice says what was left out. */
export function dropAudio(source: { codec: string; sampleRate: number; numberOfChannels: number } | null): PreparedAudio {
  return {
    track: null,
    outcome: { action: source ? 'dropped' : 'none', source, output: null },
    notices: [source ? `Audio dropped (audio: 'drop'): the source's ${describe(source)} is not in the outputs` : 'The source has no audio: the outputs are video only'],
  };
}

/**
 * The source audio as the outputs carry it ('auto', 'require'): passed through, or re-encoded as
 * Opus. Audio that can be neither carried nor re-encoded is an error, never
 * quietly dropped; with 'auto' its message says how to drop it. `codecs`: the runtime's audio
 * WebCodecs that re-encoding uses, or null where it has none.
 */
export async function prepareAudio(source: SourceAudio | null, codecs: AudioCodecs | null, mode: Exclude<AudioMode, 'drop'> = 'auto', signal?: AbortSignal): Promise<PreparedAudio> {
  if (!source && mode === 'require') throw new NoAudioTrackError("Input has no audio track (audio: 'require')");
  if (!source) return { track: null, outcome: outcome('none', null, null), notices: ['The source has no audio: the outputs are video only'] };
  const notices: string[] = [];
  let input = source;
  if (source.codec === 'aac' && !source.description && source.packets[0] && isAdts(source.packets[0].data)) {
    const unwrapped = unwrapAdts(source);
    input = unwrapped.audio;
    notices.push(...unwrapped.notices);
  }
  if (isCarriable(input)) {
    // An Opus track without an OpusHead (rare) gets a plain one: no pre-skip, mapping family 0.
    const description = input.description ?? opusHead(input.numberOfChannels, 0, input.sampleRate);
    const track: AudioPassthrough = { ...input, codec: input.codec as 'aac' | 'opus', description };
    notices.push(`Audio carried without re-encoding: the source's ${describe(track, track.codecString)}${input !== source ? ', its ADTS headers stripped' : ''}`);
    return { track, outcome: outcome('carried', source, track), notices };
  }
  let track: AudioPassthrough;
  try {
    track = await reencodeAsOpus(input, codecs, signal);
  } catch (err) {
    if (mode === 'auto' && err instanceof UnsupportedCodecError) {
      throw new UnsupportedCodecError(`${err.message}. To transcode the video without it, pass audio: 'drop' (--audio drop)`, { cause: err });
    }
    throw err;
  }
  notices.push(`Audio re-encoded: the source's ${describe(source, source.codecString)} as Opus, ${track.sampleRate} Hz, ${track.numberOfChannels} ch`);
  return { track, outcome: outcome('re-encoded', source, track), notices };
}

/** Decodes `source` and encodes it as Opus, keeping its timestamps. */
export async function reencodeAsOpus(source: SourceAudio, codecs: AudioCodecs | null, signal?: AbortSignal): Promise<AudioPassthrough> {
  const what = `the source's ${source.codec} audio (${source.codecString}, ${source.sampleRate} Hz, ${source.numberOfChannels} ch)`;
  if (!codecs) {
    throw new UnsupportedCodecError(`Cannot carry ${what}: it must be re-encoded, and this runtime has no WebCodecs AudioDecoder/AudioEncoder`);
  }
  const { AudioDecoder, AudioEncoder, EncodedAudioChunk } = codecs;
  const decoderConfig: AudioDecoderConfig = {
    codec: source.codecString,
    sampleRate: source.sampleRate,
    numberOfChannels: source.numberOfChannels,
    ...(source.description ? { description: source.description } : {}),
  };
  const decodable = await AudioDecoder.isConfigSupported(decoderConfig).then((r) => r.supported === true, () => false);
  if (!decodable) throw new UnsupportedCodecError(`Cannot carry ${what}: this runtime cannot decode it to re-encode it as Opus`);
  const planned = opusEncoderConfig(source.sampleRate, source.numberOfChannels);
  const encodable = await AudioEncoder.isConfigSupported(planned).then((r) => r.supported === true, () => false);
  if (!encodable) throw new UnsupportedCodecError(`Cannot carry ${what}: this runtime cannot encode ${source.numberOfChannels}-channel ${source.sampleRate} Hz Opus`);

  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => { const w = wake; wake = null; w?.(); };
  const fail = (stage: string) => (e: DOMException) => {
    failure ??= new CodecFailureError(`Re-encoding ${what} as Opus failed in the ${stage}: ${e.message}`);
    poke();
  };
  let encoder: AudioEncoder | null = null;
  let track: OpusTrack | null = null;
  let encoderKey = '';
  const decoder = new AudioDecoder({
    output: (data) => {
      try {
        if (failure) return;
        // The encoder follows what the decoder really gives (HE-AAC, for one, doubles the rate).
        const key = `${data.sampleRate}/${data.numberOfChannels}`;
        if (!encoder) {
          encoderKey = key;
          track = new OpusTrack(data.numberOfChannels, data.sampleRate);
          encoder = new AudioEncoder({ output: track.output, error: fail('encoder') });
          encoder.addEventListener('dequeue', poke);
          encoder.configure(opusEncoderConfig(data.sampleRate, data.numberOfChannels));
        } else if (key !== encoderKey) {
          failure ??= new CodecFailureError(`Re-encoding ${what}: the decoded format changed mid-stream (${encoderKey} → ${key})`);
          return;
        }
        encoder.encode(data);
      } catch (err) {
        failure ??= new CodecFailureError(`Re-encoding ${what} as Opus failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        data.close();
        poke();
      }
    },
    error: fail('decoder'),
  });
  decoder.addEventListener('dequeue', poke);
  const onAbort = () => { failure ??= abortError(signal?.reason); poke(); };
  signal?.addEventListener('abort', onAbort, { once: true });
  const check = () => { if (signal?.aborted) failure ??= abortError(signal.reason); if (failure) throw failure; };
  // Waits for either codec to drain a little; the timer only guards against a missed event.
  const room = async () => {
    while (decoder.decodeQueueSize + ((encoder as AudioEncoder | null)?.encodeQueueSize ?? 0) > MAX_QUEUED) {
      check();
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50); });
    }
    check();
  };
  try {
    decoder.configure(decoderConfig);
    for (const p of source.packets) {
      await room();
      decoder.decode(new EncodedAudioChunk({ type: 'key', data: p.data, timestamp: p.timestamp, duration: p.duration }));
    }
    await decoder.flush();
    check();
    const enc = encoder as AudioEncoder | null;
    if (!enc || !track) throw new CodecFailureError(`Re-encoding ${what}: the decoder produced no audio from ${source.packets.length} packets`);
    await enc.flush();
    check();
  } catch (err) {
    throw failure ?? (err instanceof Error && err.name !== 'AbortError' && !(err instanceof UnsupportedCodecError) && !(err instanceof CodecFailureError)
      ? new CodecFailureError(`Re-encoding ${what} as Opus failed: ${err.message}`, { cause: err })
      : err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (decoder.state !== 'closed') decoder.close();
    const enc = encoder as AudioEncoder | null;
    if (enc && enc.state !== 'closed') enc.close();
  }
  return (track as OpusTrack).finish();
}

/** The AudioEncoder configuration of every Opus track the engine writes. */
export function opusEncoderConfig(sampleRate: number, numberOfChannels: number): AudioEncoderConfig {
  return { codec: 'opus', sampleRate, numberOfChannels, bitrate: OPUS_BITRATE_PER_CHANNEL * numberOfChannels };
}

/** Collects an Opus AudioEncoder's output (its `output` callback) into the track the outputs carry. */
export class OpusTrack {
  readonly #packets: DemuxedPacket[] = [];
  #description: Uint8Array | undefined;

  constructor(readonly numberOfChannels: number, readonly inputSampleRate: number) {}

  readonly output = (chunk: EncodedAudioChunk, meta?: EncodedAudioChunkMetadata): void => {
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    this.#description ??= toBytes(meta?.decoderConfig?.description)?.slice();
    this.#packets.push({ data, key: true, timestamp: chunk.timestamp, duration: chunk.duration ?? 20_000 });
  };

  /** The track, packets in timestamp order; call once the encoder is flushed. */
  finish(): AudioPassthrough {
    this.#packets.sort((a, b) => a.timestamp - b.timestamp);
    return {
      codec: 'opus',
      codecString: 'opus',
      // Opus always decodes at 48 kHz; its timestamps and the CMAF timescale use that rate.
      sampleRate: 48_000,
      numberOfChannels: this.numberOfChannels,
      description: this.#description ?? opusHead(this.numberOfChannels, 0, this.inputSampleRate),
      packets: this.#packets,
    };
  }
}

/** An OpusHead (RFC 7845 5.1) for mapping family 0; used when an encoder gives none. */
export function opusHead(channels: number, preSkip: number, inputSampleRate: number): Uint8Array {
  const head = new Uint8Array(19);
  head.set([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64]); // "OpusHead"
  const v = new DataView(head.buffer);
  v.setUint8(8, 1);
  v.setUint8(9, channels);
  v.setUint16(10, preSkip, true);
  v.setUint32(12, inputSampleRate, true);
  v.setInt16(16, 0, true);
  v.setUint8(18, 0);
  return head;
}

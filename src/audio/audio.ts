// The source's audio, made fit for the output. AAC (with its AudioSpecificConfig) and Opus are
// carried as they are, in MP4 and in HLS alike. Anything else (MP3, Vorbis, FLAC, PCM, AAC without
// a config) is decoded with WebCodecs' AudioDecoder and encoded as Opus with AudioEncoder: Opus
// because every WebCodecs implementation encodes it (Chromium on Linux has no AAC encoder), and
// hls.js, Safari and ffmpeg all read it from CMAF. Nothing is dropped silently: audio that cannot
// be carried or re-encoded is a typed error before any video is decoded.
import { toBytes } from '../demux/demux.ts';
import type { AudioPassthrough, DemuxedPacket, SourceAudio } from '../demux/demux.ts';
import { CodecFailureError, UnsupportedCodecError, abortError } from '../errors.ts';

/** Bits per second per channel of re-encoded Opus: transparent for most material. */
const OPUS_BITRATE_PER_CHANNEL = 64_000;
/** Decoded buffers allowed in flight between the decoder and the encoder. */
const MAX_QUEUED = 16;

/** Audio the outputs can carry without re-encoding. */
export function isCarriable(a: SourceAudio): boolean {
  return (a.codec === 'aac' && a.description !== undefined && a.description.byteLength >= 2) || a.codec === 'opus';
}

/** The source audio as the outputs carry it: passed through, or re-encoded as Opus. */
export async function prepareAudio(source: SourceAudio | null, signal?: AbortSignal): Promise<AudioPassthrough | null> {
  if (!source) return null;
  if (isCarriable(source)) {
    // An Opus track without an OpusHead (rare) gets a plain one: no pre-skip, mapping family 0.
    const description = source.description ?? opusHead(source.numberOfChannels, 0, source.sampleRate);
    return { ...source, codec: source.codec as 'aac' | 'opus', description };
  }
  return await reencodeAsOpus(source, signal);
}

/** Decodes `source` and encodes it as Opus, keeping its timestamps. */
export async function reencodeAsOpus(source: SourceAudio, signal?: AbortSignal): Promise<AudioPassthrough> {
  const what = `the source's ${source.codec} audio (${source.codecString}, ${source.sampleRate} Hz, ${source.numberOfChannels} ch)`;
  if (typeof AudioDecoder === 'undefined' || typeof AudioEncoder === 'undefined') {
    throw new UnsupportedCodecError(`Cannot carry ${what}: it must be re-encoded, and this runtime has no WebCodecs AudioDecoder/AudioEncoder`);
  }
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

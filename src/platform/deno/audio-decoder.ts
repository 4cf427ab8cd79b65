// WebCodecs' AudioDecoder for Deno over node-av: every audio decoder FFmpeg has (AAC, MP3, Opus,
// Vorbis, FLAC, ALAC, AC-3, E-AC-3, PCM, …; the codec strings are mapped in codecs.ts). Work runs
// in order on FFmpeg's threads (node-av's async calls). Outputs are f32-planar AudioData, as
// Chromium gives, with timestamps in microseconds as the chunks gave them.
import { avChannelLayoutDefault, CodecContext, Dictionary } from 'node-av/lib';
import type { Frame } from 'node-av/lib';
import { AV_SAMPLE_FMT_DBL, AV_SAMPLE_FMT_DBLP, AV_SAMPLE_FMT_S64, AV_SAMPLE_FMT_S64P } from 'node-av/constants';
import { Buffer } from 'node:buffer';
import { DenoAudioData, DenoEncodedAudioChunk, bytesPerSample, isPlanar } from './audio-data.ts';
import { checkInit } from './codec-state.ts';
import { findAudioDecoder, sampleFormatName } from './codecs.ts';
import { bytesOf, FfmpegDecoder } from './ffmpeg-decoder.ts';

const MICROSECONDS = { num: 1, den: 1_000_000 };
const NO_PTS = -(2n ** 63n);

/** The spec's "valid AudioDecoderConfig" check; a TypeError naming the field. */
export function checkAudioDecoderConfig(config: AudioDecoderConfig, action: string): void {
  if (!config || typeof config !== 'object') throw new TypeError(`${action}: config must be an AudioDecoderConfig`);
  if (typeof config.codec !== 'string' || config.codec.trim() === '') throw new TypeError(`${action}: config.codec must be a non-empty string`);
  if (!(config.sampleRate > 0) || !Number.isFinite(config.sampleRate)) throw new TypeError(`${action}: config.sampleRate must be positive (got ${config.sampleRate})`);
  if (!Number.isInteger(config.numberOfChannels) || config.numberOfChannels <= 0) throw new TypeError(`${action}: config.numberOfChannels must be a positive integer (got ${config.numberOfChannels})`);
  if (config.description !== undefined && !(config.description instanceof ArrayBuffer || ArrayBuffer.isView(config.description))) {
    throw new TypeError(`${action}: config.description must be an ArrayBuffer or a view of one`);
  }
}

export class DenoAudioDecoder extends FfmpegDecoder<DenoEncodedAudioChunk, AudioDataOutputCallback> {
  static isConfigSupported(config: AudioDecoderConfig): Promise<AudioDecoderSupport> {
    try {
      checkAudioDecoderConfig(config, 'AudioDecoder.isConfigSupported');
    } catch (err) {
      return Promise.reject(err);
    }
    const { codec, sampleRate, numberOfChannels, description } = config;
    const copy: AudioDecoderConfig = { codec, sampleRate, numberOfChannels, ...(description ? { description: bytesOf(description).slice() } : {}) };
    return Promise.resolve({ supported: findAudioDecoder(codec) !== null, config: copy });
  }

  /** Where the next output starts when a frame carries no timestamp (µs). */
  #next = 0;

  constructor(init: AudioDecoderInit) {
    super('AudioDecoder', 'audio', checkInit(init, 'AudioDecoder'));
  }

  configure(config: AudioDecoderConfig): void {
    checkAudioDecoderConfig(config, 'Cannot configure the AudioDecoder');
    this.requireNotClosed('configure');
    if (this.hasContext) this.abort(new DOMException('The AudioDecoder was reconfigured', 'AbortError'));
    this.setConfigured();
    const codec = findAudioDecoder(config.codec);
    if (!codec) {
      // The spec closes the codec asynchronously with NotSupportedError for a valid but unsupported config.
      this.failLater(new DOMException(`Cannot configure the AudioDecoder: this FFmpeg has no decoder for ${config.codec}`, 'NotSupportedError'));
      return;
    }
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    ctx.pktTimebase = MICROSECONDS as never;
    ctx.timeBase = MICROSECONDS as never;
    ctx.sampleRate = config.sampleRate;
    ctx.channelLayout = avChannelLayoutDefault(config.numberOfChannels);
    // AudioSpecificConfig, OpusHead, Xiph-laced Vorbis headers, fLaC + STREAMINFO: FFmpeg's extradata as they are.
    if (config.description) ctx.extraData = Buffer.from(bytesOf(config.description));
    this.#next = 0;
    this.openContext(ctx, ctx.open2(codec, new Dictionary()).then((ret) => {
      if (ret < 0) throw new Error(`Cannot open FFmpeg's ${codec.name} decoder for ${config.codec} (error ${ret})`);
    }));
  }

  decode(chunk: EncodedAudioChunk): void {
    this.requireConfigured('decode');
    this.decodeChunk(chunk instanceof DenoEncodedAudioChunk ? chunk : new DenoEncodedAudioChunk(chunkInit(chunk)));
  }

  protected override emit(frame: Frame, ctx: CodecContext): void {
    if (frame.nbSamples <= 0) return;
    const rate = frame.sampleRate || ctx.sampleRate;
    const ts = frame.bestEffortTimestamp !== NO_PTS ? frame.bestEffortTimestamp : frame.pts;
    const timestamp = ts !== NO_PTS ? Number(ts) : this.#next;
    const planes = toF32Planar(frame);
    this.#next = timestamp + Math.round(frame.nbSamples / rate * 1e6);
    const out = DenoAudioData.adopt({
      format: 'f32-planar', sampleRate: rate, numberOfFrames: frame.nbSamples, numberOfChannels: frame.channels,
      timestamp, data: new Uint8Array(planes.buffer),
    });
    this.output(out as unknown as AudioData);
  }
}

function chunkInit(chunk: EncodedAudioChunk): EncodedAudioChunkInit {
  if (!chunk || typeof chunk.copyTo !== 'function') throw new TypeError('Cannot decode: chunk must be an EncodedAudioChunk');
  const data = new Uint8Array(chunk.byteLength);
  chunk.copyTo(data);
  return { type: chunk.type, timestamp: chunk.timestamp, ...(chunk.duration !== null ? { duration: chunk.duration } : {}), data };
}

/** A decoded FFmpeg frame's samples as f32 planes, one after another. */
function toF32Planar(frame: Frame): Float32Array {
  const n = frame.nbSamples;
  const channels = frame.channels;
  const fmt = frame.format as number;
  const planes = (frame.extendedData ?? frame.data ?? []) as Buffer[];
  const out = new Float32Array(n * channels);
  const name = sampleFormatName(fmt);
  if (name) {
    const bps = bytesPerSample(name);
    const planar = isPlanar(name);
    const bytes = new Uint8Array(n * channels * bps);
    if (planar) for (let c = 0; c < channels; c++) bytes.set(planeBytes(planes, c, n * bps), c * n * bps);
    else bytes.set(planeBytes(planes, 0, n * channels * bps));
    const src = DenoAudioData.adopt({ format: name, sampleRate: frame.sampleRate || 1, numberOfFrames: n, numberOfChannels: channels, timestamp: 0, data: bytes });
    const dst = new Uint8Array(out.buffer);
    for (let c = 0; c < channels; c++) src.copyTo(dst.subarray(c * n * 4, (c + 1) * n * 4), { planeIndex: c, format: 'f32-planar' });
    src.close();
    return out;
  }
  // Formats WebCodecs has no name for: doubles and 64-bit integers.
  const planar = fmt === AV_SAMPLE_FMT_DBLP || fmt === AV_SAMPLE_FMT_S64P;
  const isDouble = fmt === AV_SAMPLE_FMT_DBL || fmt === AV_SAMPLE_FMT_DBLP;
  if (!isDouble && fmt !== AV_SAMPLE_FMT_S64 && fmt !== AV_SAMPLE_FMT_S64P) throw new Error(`Cannot convert decoded audio: unknown FFmpeg sample format ${fmt}`);
  for (let c = 0; c < (planar ? channels : 1); c++) {
    const raw = planeBytes(planes, c, n * 8 * (planar ? 1 : channels)).slice();
    const v = isDouble ? new Float64Array(raw.buffer) : Array.from(new BigInt64Array(raw.buffer), (x) => Number(x) / 2 ** 63);
    for (let i = 0; i < v.length; i++) {
      const ch = planar ? c : i % channels;
      const f = planar ? i : Math.floor(i / channels);
      out[ch * n + f] = v[i]!;
    }
  }
  return out;
}

function planeBytes(planes: Buffer[], index: number, size: number): Uint8Array {
  const p = planes[index];
  if (!p || p.byteLength < size) throw new Error(`Cannot read decoded audio: plane ${index} holds ${p?.byteLength ?? 0} bytes, expected ${size}`);
  return new Uint8Array(p.buffer, p.byteOffset, size);
}

// WebCodecs' AudioEncoder for Deno over node-av: 'opus' through libopus, 'mp4a.40.2' (AAC-LC)
// through FFmpeg's own AAC encoder. Input AudioData of any format and rate is resampled
// (swresample) to what the encoder takes (Opus: 48 kHz), buffered in an audio FIFO and cut into the
// encoder's frame size (960 samples of Opus, 1024 of AAC). Chunks carry the input's timeline: the
// first chunk after configure() or flush() starts at the first AudioData's timestamp. The first
// output's metadata has the decoderConfig: an OpusHead (its pre-skip is libopus's lookahead) or an
// AudioSpecificConfig, as Chromium gives.
import { AudioFifo, avChannelLayoutDefault, CodecContext, Dictionary, Frame, Packet, SoftwareResampleContext } from 'node-av/lib';
import { AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP, AVERROR_EAGAIN, AVERROR_EOF } from 'node-av/constants';
import { Buffer } from 'node:buffer';
import { DenoEncodedAudioChunk } from './audio-data.ts';
import { DenoCodec, checkInit } from './codec-state.ts';
import { findAudioEncoder } from './codecs.ts';
import type { AudioEncoderKind } from './codecs.ts';

const OPUS_RATE = 48_000;
const OPUS_FRAME_DURATIONS = [2500, 5000, 10000, 20000, 40000, 60000];
const MAX_CHANNELS = 8;

/** The spec's "valid AudioEncoderConfig" check; a TypeError naming the field. */
function checkConfig(config: AudioEncoderConfig, action: string): void {
  if (!config || typeof config !== 'object') throw new TypeError(`${action}: config must be an AudioEncoderConfig`);
  if (typeof config.codec !== 'string' || config.codec.trim() === '') throw new TypeError(`${action}: config.codec must be a non-empty string`);
  if (!(config.sampleRate > 0) || !Number.isFinite(config.sampleRate)) throw new TypeError(`${action}: config.sampleRate must be positive (got ${config.sampleRate})`);
  if (!Number.isInteger(config.numberOfChannels) || config.numberOfChannels <= 0) throw new TypeError(`${action}: config.numberOfChannels must be a positive integer (got ${config.numberOfChannels})`);
  if (config.bitrate !== undefined && !(config.bitrate > 0)) throw new TypeError(`${action}: config.bitrate must be positive (got ${config.bitrate})`);
  const fd = config.opus?.frameDuration;
  if (fd !== undefined && !OPUS_FRAME_DURATIONS.includes(fd)) throw new TypeError(`${action}: config.opus.frameDuration must be one of ${OPUS_FRAME_DURATIONS.join(', ')} µs (got ${fd})`);
}

interface Plan {
  kind: AudioEncoderKind;
  name: string;
  /** The encoder's rate and sample format. */
  rate: number;
  format: number;
  options: Record<string, string>;
  adts: boolean;
}

/** How a (valid) config is encoded, or the reason it cannot be. */
function planFor(config: AudioEncoderConfig): Plan | string {
  const found = findAudioEncoder(config.codec);
  if (!found) return `this FFmpeg has no encoder for ${config.codec} (Opus needs libopus; AAC is mp4a.40.2)`;
  if (config.numberOfChannels > MAX_CHANNELS) return `${config.numberOfChannels} channels is more than the ${MAX_CHANNELS} supported`;
  const options: Record<string, string> = {};
  if (found.kind === 'opus') {
    const o = config.opus ?? {};
    if (o.format === 'ogg') return `Opus in Ogg framing is not supported (format 'opus' is)`;
    if (o.frameDuration !== undefined) options.frame_duration = String(o.frameDuration / 1000);
    if (o.complexity !== undefined) options.compression_level = String(o.complexity);
    if (o.packetlossperc !== undefined) options.packet_loss = String(o.packetlossperc);
    if (o.useinbandfec) options.fec = '1';
    if (o.usedtx) options.dtx = '1';
    if (config.bitrateMode === 'constant') options.vbr = 'off';
    return { kind: 'opus', name: found.codec.name ?? config.codec, rate: OPUS_RATE, format: AV_SAMPLE_FMT_FLT, options, adts: false };
  }
  const rates = found.codec.supportedSamplerates ?? [];
  if (rates.length > 0 && !rates.includes(config.sampleRate)) return `AAC at ${config.sampleRate} Hz is not supported (rates: ${rates.join(', ')})`;
  return { kind: 'aac', name: found.codec.name ?? config.codec, rate: config.sampleRate, format: AV_SAMPLE_FMT_FLTP, options, adts: config.aac?.format === 'adts' };
}

/** One open FFmpeg encoder, its resampler and FIFO, from a configure() or a flush() to the next flush(). */
interface Session {
  ctx: CodecContext;
  swr: SoftwareResampleContext;
  fifo: AudioFifo;
  frameSize: number;
  /** Timestamp of the first AudioData (µs), the origin of this session's chunks. */
  base: number;
  /** Samples sent to the encoder (its pts). */
  sent: number;
  /** The encoder's delay (-first packet pts), so the first chunk starts at `base`. */
  padding: number | null;
  description: Uint8Array | undefined;
}

async function openSession(config: AudioEncoderConfig, plan: Plan, base: number): Promise<Session> {
  const codec = findAudioEncoder(config.codec)!.codec;
  const ctx = new CodecContext();
  ctx.allocContext3(codec);
  const layout = avChannelLayoutDefault(config.numberOfChannels);
  ctx.sampleRate = plan.rate;
  ctx.sampleFormat = plan.format as never;
  ctx.channelLayout = layout;
  ctx.timeBase = { num: 1, den: plan.rate } as never;
  if (config.bitrate) ctx.bitRate = BigInt(Math.round(config.bitrate));
  const opts = Dictionary.fromObject(plan.options);
  const ret = await ctx.open2(codec, opts);
  opts.free();
  if (ret < 0) {
    ctx.freeContext();
    throw new DOMException(`Cannot open FFmpeg's ${plan.name} encoder for ${config.numberOfChannels}-channel ${config.sampleRate} Hz ${config.codec} (error ${ret})`, 'NotSupportedError');
  }
  const swr = new SoftwareResampleContext();
  const r = swr.allocSetOpts2(layout, plan.format as never, plan.rate, layout, AV_SAMPLE_FMT_FLTP, config.sampleRate);
  if (r < 0 || swr.init() < 0) {
    swr.free();
    ctx.freeContext();
    throw new DOMException(`Cannot set up resampling from ${config.sampleRate} Hz to ${plan.rate} Hz`, 'NotSupportedError');
  }
  const fifo = new AudioFifo();
  fifo.alloc(plan.format as never, config.numberOfChannels, Math.max(ctx.frameSize, 1024) * 4);
  const extra = ctx.extraData ? new Uint8Array(ctx.extraData).slice() : undefined;
  let description: Uint8Array | undefined;
  if (plan.kind === 'opus' && extra && extra.byteLength >= 19) {
    // libopus writes 48 kHz as the input rate; Chromium's OpusHead names the rate it was given.
    description = extra;
    new DataView(description.buffer).setUint32(12, config.sampleRate, true);
  } else if (plan.kind === 'aac' && !plan.adts) {
    description = extra;
  }
  return { ctx, swr, fifo, frameSize: ctx.frameSize || 1024, base, sent: 0, padding: null, description };
}

function freeSession(s: Session): void {
  s.fifo.free();
  s.swr.free();
  s.ctx.freeContext();
}

/** The 7-byte ADTS header (ISO/IEC 13818-7 6.2) of one AAC-LC access unit. */
function adtsHeader(sampleRate: number, channels: number, payload: number): Uint8Array {
  const RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
  const sf = RATES.indexOf(sampleRate);
  const len = payload + 7;
  const profile = 1; // AAC LC (object type 2) - 1
  return new Uint8Array([
    0xff, 0xf1, (profile << 6) | (sf << 2) | ((channels >> 2) & 1), ((channels & 3) << 6) | (len >> 11),
    (len >> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc,
  ]);
}

interface EncodeOp { kind: 'encode'; planes: Float32Array; frames: number; timestamp: number }

export class DenoAudioEncoder extends DenoCodec<EncodeOp, EncodedAudioChunkOutputCallback> {
  static async isConfigSupported(config: AudioEncoderConfig): Promise<AudioEncoderSupport> {
    checkConfig(config, 'AudioEncoder.isConfigSupported');
    const copy: AudioEncoderConfig = { ...config };
    const plan = planFor(config);
    if (typeof plan === 'string') return { supported: false, config: copy };
    // Opening one is the only sure test (bit rates, channel layouts).
    try {
      freeSession(await openSession(config, plan, 0));
      return { supported: true, config: copy };
    } catch {
      return { supported: false, config: copy };
    }
  }

  #config: AudioEncoderConfig | null = null;
  #plan: Plan | null = null;
  #session: Session | null = null;
  #metadataSent = false;

  constructor(init: AudioEncoderInit) {
    super('AudioEncoder', checkInit(init, 'AudioEncoder'));
  }

  get encodeQueueSize(): number { return this.queued; }

  configure(config: AudioEncoderConfig): void {
    checkConfig(config, 'Cannot configure the AudioEncoder');
    this.requireNotClosed('configure');
    this.abort(new DOMException('The AudioEncoder was reconfigured', 'AbortError'));
    this.setConfigured();
    const plan = planFor(config);
    if (typeof plan === 'string') {
      this.failLater(new DOMException(`Cannot configure the AudioEncoder: ${plan}`, 'NotSupportedError'));
      return;
    }
    this.#config = { ...config };
    this.#plan = plan;
    this.#metadataSent = false;
  }

  encode(data: AudioData): void {
    this.requireConfigured('encode');
    if (!data || typeof data.copyTo !== 'function') throw new TypeError('Cannot encode: data must be an AudioData');
    if (data.format === null) throw new TypeError('Cannot encode: the AudioData is closed');
    const c = this.#config;
    if (!c) return; // an unsupported config: the error is on its way
    if (data.numberOfChannels !== c.numberOfChannels || data.sampleRate !== c.sampleRate) {
      this.failLater(new DOMException(`Cannot encode: the AudioData is ${data.numberOfChannels}-channel ${data.sampleRate} Hz, the encoder is configured for ${c.numberOfChannels}-channel ${c.sampleRate} Hz`, 'EncodingError'));
      return;
    }
    // Copied now: the caller may close the AudioData as soon as encode() returns.
    const frames = data.numberOfFrames;
    const planes = new Float32Array(frames * data.numberOfChannels);
    for (let ch = 0; ch < data.numberOfChannels; ch++) {
      data.copyTo(planes.subarray(ch * frames, (ch + 1) * frames), { planeIndex: ch, format: 'f32-planar' });
    }
    this.enqueue({ kind: 'encode', planes, frames, timestamp: data.timestamp });
  }

  protected override release(): void {
    this.#config = null;
    this.#plan = null;
    // A running drain() leaves its session to settled(), which sees the epoch change.
    if (this.#session && !this.running) freeSession(this.#session);
    if (!this.running) this.#session = null;
  }

  protected override settled(epoch: number): void {
    if (epoch !== this.epoch && this.#session) {
      freeSession(this.#session);
      this.#session = null;
    }
  }

  /** Runs the queue until it is empty or its work is abandoned (the epoch moves past `gen`). */
  protected override async drain(gen: number): Promise<void> {
    const packet = new Packet();
    packet.alloc();
    try {
      for (;;) {
        if (gen !== this.epoch) break;
        const op = this.ops.shift();
        if (!op) break;
        const config = this.#config!;
        const plan = this.#plan!;
        if (op.kind === 'encode') {
          this.#session ??= await openSession(config, plan, op.timestamp);
          if (gen !== this.epoch) break;
          const s = this.#session;
          this.#resample(s, config, plan, op.planes, op.frames);
          while (s.fifo.size >= s.frameSize && gen === this.epoch) await this.#send(s, s.frameSize, packet, gen);
          if (gen !== this.epoch) break;
          this.dequeued();
        } else {
          const s = this.#session;
          if (s) {
            this.#resample(s, config, plan, null, 0);
            while (s.fifo.size > 0 && gen === this.epoch) await this.#send(s, Math.min(s.fifo.size, s.frameSize), packet, gen);
            const ret = await s.ctx.sendFrame(null);
            if (ret < 0 && ret !== AVERROR_EOF) throw new Error(`${plan.name} could not flush (error ${ret})`);
            await this.#receive(s, packet, gen);
            if (gen !== this.epoch) break;
            // A drained FFmpeg encoder takes no more input: the next encode() opens a fresh one.
            freeSession(s);
            this.#session = null;
          }
          op.done();
        }
      }
    } finally {
      packet.free();
    }
  }

  /** Converts f32 planes (or, with null, the resampler's tail) into the FIFO in the encoder's format and rate. */
  #resample(s: Session, config: AudioEncoderConfig, plan: Plan, planes: Float32Array | null, frames: number): void {
    const channels = config.numberOfChannels;
    const input = planes
      ? Array.from({ length: channels }, (_, c) => Buffer.from(planes.buffer, planes.byteOffset + c * frames * 4, frames * 4))
      : null;
    const planar = plan.format === AV_SAMPLE_FMT_FLTP;
    for (;;) {
      const cap = s.swr.getOutSamples(frames) + 64;
      const out = planar
        ? Array.from({ length: channels }, () => Buffer.alloc(cap * 4))
        : [Buffer.alloc(cap * 4 * channels)];
      const got = s.swr.convertSync(out, cap, input, frames);
      if (got < 0) throw new Error(`Cannot resample audio from ${config.sampleRate} Hz to ${plan.rate} Hz (error ${got})`);
      if (got > 0 && s.fifo.writeSync(out, got) < got) throw new Error('Cannot buffer audio for the encoder');
      // With input, swresample converts all of it at once; draining may take several calls.
      if (input || got === 0) return;
    }
  }

  async #send(s: Session, n: number, packet: Packet, gen: number): Promise<void> {
    const frame = new Frame();
    frame.alloc();
    try {
      frame.nbSamples = n;
      frame.format = this.#plan!.format as never;
      frame.sampleRate = this.#plan!.rate;
      frame.channelLayout = avChannelLayoutDefault(this.#config!.numberOfChannels);
      if (frame.getBuffer(0) < 0) throw new Error('Cannot allocate an audio frame');
      if (s.fifo.readSync(frame.data!, n) < n) throw new Error('Cannot read audio from the FIFO');
      frame.pts = BigInt(s.sent);
      frame.timeBase = { num: 1, den: this.#plan!.rate } as never;
      s.sent += n;
      for (;;) {
        const ret = await s.ctx.sendFrame(frame);
        if (ret === AVERROR_EAGAIN) { await this.#receive(s, packet, gen); continue; }
        if (ret < 0) throw new Error(`${this.#plan!.name} could not encode (error ${ret})`);
        break;
      }
    } finally {
      frame.free();
    }
    await this.#receive(s, packet, gen);
  }

  async #receive(s: Session, packet: Packet, gen: number): Promise<void> {
    const plan = this.#plan!;
    const config = this.#config!;
    for (;;) {
      const ret = await s.ctx.receivePacket(packet);
      if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF) return;
      if (ret < 0) throw new Error(`${plan.name} could not encode (error ${ret})`);
      try {
        if (gen !== this.epoch) continue;
        const pts = Number(packet.pts);
        s.padding ??= pts < 0 ? -pts : 0;
        const timestamp = s.base + Math.round((pts + s.padding) * 1e6 / plan.rate);
        const duration = Math.round(Number(packet.duration) * 1e6 / plan.rate);
        const payload = packet.data ? new Uint8Array(packet.data) : new Uint8Array(0);
        const data = plan.adts ? concat(adtsHeader(plan.rate, config.numberOfChannels, payload.byteLength), payload) : payload;
        const chunk = new DenoEncodedAudioChunk({ type: 'key', timestamp, duration, data });
        let meta: EncodedAudioChunkMetadata | undefined;
        if (!this.#metadataSent) {
          this.#metadataSent = true;
          // Chromium names the configured rate here; an Opus decoder runs at 48 kHz whatever it is told.
          meta = { decoderConfig: { codec: config.codec, sampleRate: config.sampleRate, numberOfChannels: config.numberOfChannels, ...(s.description ? { description: s.description.slice() } : {}) } };
        }
        this.output(chunk as unknown as EncodedAudioChunk, meta);
      } finally {
        packet.unref();
      }
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

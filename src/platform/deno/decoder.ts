// WebCodecs' VideoDecoder for Deno over node-av (FFmpeg's libdav1d, h264, hevc, vp9 decoders).
// Work runs in order on FFmpeg's threads (node-av's async calls); outputs are DenoVideoFrames with
// packed planes, timestamps in microseconds as the chunks gave them.
import { CodecContext, Dictionary, Frame, Packet } from 'node-av/lib';
import { AVERROR_EAGAIN, AVERROR_EOF } from 'node-av/constants';
import { Buffer } from 'node:buffer';
import { DenoCodec } from './codec-state.ts';
import { colorSpaceFromCicp, findDecoder, familyOf, pixelFormatName } from './codecs.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame } from './frame.ts';

const MICROSECONDS = { num: 1, den: 1_000_000 };

function bytesOf(d: AllowSharedBufferSource): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

interface DecodeOp { kind: 'decode'; chunk: DenoEncodedVideoChunk }

export class DenoVideoDecoder extends DenoCodec<DecodeOp, VideoFrameOutputCallback> {
  static isConfigSupported(config: VideoDecoderConfig): Promise<VideoDecoderSupport> {
    // Only 8-bit 4:2:0 profiles reach frames the engine can use, but FFmpeg opens the others too;
    // the engine refuses their frames by pixel format, as it does in browsers.
    const supported = typeof config?.codec === 'string' && findDecoder(config.codec) !== null;
    return Promise.resolve({ supported, config });
  }

  #ctx: CodecContext | null = null;
  #fullRangeHint: boolean | null = null;

  constructor(init: VideoDecoderInit) {
    super('decoder', init);
  }

  get decodeQueueSize(): number { return this.queued; }

  configure(config: VideoDecoderConfig): void {
    this.requireNotClosed('configure');
    const codec = findDecoder(config.codec);
    if (!codec) throw new DOMException(`Cannot configure decoder: no FFmpeg decoder for ${config.codec}`, 'NotSupportedError');
    const ctx = new CodecContext();
    ctx.allocContext3(codec);
    ctx.pktTimebase = MICROSECONDS as never;
    ctx.timeBase = MICROSECONDS as never;
    if (config.codedWidth) ctx.width = config.codedWidth;
    if (config.codedHeight) ctx.height = config.codedHeight;
    // avcC / hvcC / av1C as FFmpeg's extradata; vpcC means nothing to FFmpeg's vp9 decoder.
    const family = familyOf(config.codec);
    if (config.description && family !== 'vp9' && family !== 'vp8') ctx.extraData = Buffer.from(bytesOf(config.description));
    this.#fullRangeHint = config.colorSpace?.fullRange ?? null;
    this.#ctx = ctx;
    this.setConfigured();
    this.#opening = ctx.open2(codec, new Dictionary()).then((ret) => {
      if (ret < 0) throw new Error(`Cannot open ${codec.name} for ${config.codec} (error ${ret})`);
    });
  }

  #opening: Promise<void> = Promise.resolve();

  decode(chunk: EncodedVideoChunk): void {
    this.requireConfigured('decode');
    const c = chunk instanceof DenoEncodedVideoChunk ? chunk : new DenoEncodedVideoChunk(chunk as unknown as EncodedVideoChunkInit);
    this.enqueue({ kind: 'decode', chunk: c });
  }

  protected override release(): void {
    const ctx = this.#ctx;
    this.#ctx = null;
    // A context in use by a running call is freed by settled() once that call returns.
    if (ctx && !this.running) ctx.freeContext();
    else if (ctx) this.#orphans.push(ctx);
  }

  #orphans: CodecContext[] = [];

  protected override settled(): void {
    for (const c of this.#orphans.splice(0)) c.freeContext();
  }

  protected override async drain(): Promise<void> {
    const packet = new Packet();
    packet.alloc();
    const frame = new Frame();
    frame.alloc();
    try {
      await this.#opening;
      for (;;) {
        const op = this.ops.shift();
        const ctx = this.#ctx;
        if (!op || !ctx) break;
        if (op.kind === 'decode') {
          const data = op.chunk.bytes();
          packet.data = toBuffer(data);
          packet.pts = BigInt(Math.round(op.chunk.timestamp));
          packet.dts = packet.pts;
          packet.duration = BigInt(Math.round(op.chunk.duration ?? 0));
          packet.timeBase = MICROSECONDS as never;
          packet.isKeyframe = op.chunk.type === 'key';
          for (;;) {
            const ret = await ctx.sendPacket(packet);
            if (ret === AVERROR_EAGAIN) { await this.#receive(ctx, frame); continue; }
            if (ret < 0) throw new Error(`Cannot decode chunk at ${op.chunk.timestamp} µs (error ${ret})`);
            break;
          }
          packet.unref();
          if (this.#ctx !== ctx) break;
          this.dequeued();
          await this.#receive(ctx, frame);
        } else {
          const ret = await ctx.sendPacket(null);
          if (ret < 0 && ret !== AVERROR_EOF) throw new Error(`Cannot flush decoder (error ${ret})`);
          await this.#receive(ctx, frame);
          // FFmpeg decoders stay at end of stream after a drain until their buffers are flushed.
          if (this.#ctx === ctx) ctx.flushBuffers();
          op.done();
        }
      }
    } finally {
      packet.free();
      frame.free();
    }
  }

  async #receive(ctx: CodecContext, frame: Frame): Promise<void> {
    for (;;) {
      const ret = await ctx.receiveFrame(frame);
      if (ret === AVERROR_EAGAIN || ret === AVERROR_EOF) return;
      if (ret < 0) throw new Error(`Cannot decode frame (error ${ret})`);
      try {
        if (this.#ctx !== ctx) return;
        const { format, fullRange } = pixelFormatName(frame.format as number);
        const width = frame.width;
        const height = frame.height;
        // Packed planes; a format the engine cannot scale still becomes a frame it can refuse by name.
        // A view, not a copy: toBuffer() already returns a fresh buffer of the packed planes.
        const packed = format ? frame.toBuffer() : null;
        const data = packed ? new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength) : new Uint8Array(0);
        const ts = frame.bestEffortTimestamp !== undefined && frame.bestEffortTimestamp !== null && frame.bestEffortTimestamp > -(2n ** 62n)
          ? frame.bestEffortTimestamp : frame.pts;
        const duration = Number(frame.duration ?? 0n);
        const colorSpace = colorSpaceFromCicp({
          primaries: frame.colorPrimaries as number, transfer: frame.colorTrc as number, matrix: frame.colorSpace as number, range: frame.colorRange as number,
        }, fullRange ?? this.#fullRangeHint);
        const out = DenoVideoFrame.adopt({
          format: format ?? unsupportedFormat(frame.format as number),
          width, height, data, timestamp: Number(ts), duration: duration > 0 ? duration : null, colorSpace,
        });
        this.output(out as unknown as VideoFrame);
      } finally {
        frame.unref();
      }
    }
  }
}

/** WebCodecs names for the formats a browser would report for >8-bit or non-4:2:0 output. */
function unsupportedFormat(_fmt: number): VideoPixelFormat {
  return 'I420P10' as VideoPixelFormat;
}

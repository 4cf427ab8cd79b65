// What the Deno video and audio decoders share over node-av: one FFmpeg CodecContext per
// configuration, opened in the background, and the queue runner that sends each chunk as a packet,
// drains after flush(), and hands every decoded frame to the subclass. A context still in use when
// the decoder is reset or reconfigured is freed once that call returns.
import { CodecContext, Frame, Packet } from 'node-av/lib';
import { AVERROR_EAGAIN, AVERROR_EOF } from 'node-av/constants';
import { Buffer } from 'node:buffer';
import { DenoCodec } from './codec-state.ts';
import type { CodecInit } from './codec-state.ts';

const MICROSECONDS = { num: 1, den: 1_000_000 };

export function bytesOf(d: AllowSharedBufferSource): Uint8Array {
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

/** What decoding needs of a Deno encoded chunk. */
interface Chunk {
  readonly type: EncodedVideoChunkType | EncodedAudioChunkType;
  readonly timestamp: number;
  readonly duration: number | null;
  bytes(): Uint8Array;
}

interface DecodeOp<C extends Chunk> { kind: 'decode'; chunk: C }

export abstract class FfmpegDecoder<C extends Chunk, Output> extends DenoCodec<DecodeOp<C>, Output> {
  readonly #media: 'video' | 'audio';
  #ctx: CodecContext | null = null;
  #opening: Promise<void> = Promise.resolve();
  #orphans: CodecContext[] = [];

  protected constructor(noun: string, media: 'video' | 'audio', init: CodecInit<Output>) {
    super(noun, init);
    this.#media = media;
  }

  get decodeQueueSize(): number { return this.queued; }

  /** Whether a context is open (configured with a codec FFmpeg has). */
  protected get hasContext(): boolean { return this.#ctx !== null; }

  /** Takes `ctx` (allocated and set up) as the configuration's context and opens it in the background. */
  protected openContext(ctx: CodecContext, opening: Promise<void>): void {
    this.#ctx = ctx;
    this.#opening = opening;
  }

  protected decodeChunk(chunk: C): void {
    this.requireConfigured('decode');
    this.enqueue({ kind: 'decode', chunk });
  }

  /** One decoded frame of `ctx`, still owned by the caller (unref'd after this returns). */
  protected abstract emit(frame: Frame, ctx: CodecContext): void;

  protected override release(): void {
    const ctx = this.#ctx;
    this.#ctx = null;
    // A context in use by a running call is freed by settled() once that call returns.
    if (ctx && !this.running) ctx.freeContext();
    else if (ctx) this.#orphans.push(ctx);
  }

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
          packet.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
          packet.pts = BigInt(Math.round(op.chunk.timestamp));
          packet.dts = packet.pts;
          packet.duration = BigInt(Math.round(op.chunk.duration ?? 0));
          packet.timeBase = MICROSECONDS as never;
          if (this.#media === 'video') packet.isKeyframe = op.chunk.type === 'key';
          for (;;) {
            const ret = await ctx.sendPacket(packet);
            if (ret === AVERROR_EAGAIN) { await this.#receive(ctx, frame); continue; }
            if (ret < 0) throw new Error(`Cannot decode the ${this.#media} chunk at ${op.chunk.timestamp} µs (error ${ret})`);
            break;
          }
          packet.unref();
          if (this.#ctx !== ctx) break;
          this.dequeued();
          await this.#receive(ctx, frame);
        } else {
          const ret = await ctx.sendPacket(null);
          if (ret < 0 && ret !== AVERROR_EOF) throw new Error(`Cannot flush the ${this.#media} decoder (error ${ret})`);
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
      if (ret < 0) throw new Error(`Cannot decode ${this.#media} (error ${ret})`);
      try {
        // A context dropped by reset or configure outputs nothing more.
        if (this.#ctx !== ctx) return;
        this.emit(frame, ctx);
      } finally {
        frame.unref();
      }
    }
  }
}

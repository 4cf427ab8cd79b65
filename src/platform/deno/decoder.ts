// WebCodecs' VideoDecoder for Deno over node-av (FFmpeg's libdav1d, h264, hevc, vp9 decoders).
// Work runs in order on FFmpeg's threads (node-av's async calls); outputs are DenoVideoFrames with
// packed planes, timestamps in microseconds as the chunks gave them.
import { CodecContext, Dictionary } from 'node-av/lib';
import type { Frame } from 'node-av/lib';
import { Buffer } from 'node:buffer';
import { colorSpaceFromCicp, findDecoder, familyOf, pixelFormatName } from './codecs.ts';
import { bytesOf, FfmpegDecoder } from './ffmpeg-decoder.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame } from './frame.ts';

const MICROSECONDS = { num: 1, den: 1_000_000 };

export class DenoVideoDecoder extends FfmpegDecoder<DenoEncodedVideoChunk, VideoFrameOutputCallback> {
  static isConfigSupported(config: VideoDecoderConfig): Promise<VideoDecoderSupport> {
    // Only 8-bit 4:2:0 profiles reach frames the engine can use, but FFmpeg opens the others too;
    // the engine refuses their frames by pixel format, as it does in browsers.
    const supported = typeof config?.codec === 'string' && findDecoder(config.codec) !== null;
    return Promise.resolve({ supported, config });
  }

  #fullRangeHint: boolean | null = null;

  constructor(init: VideoDecoderInit) {
    super('decoder', 'video', init);
  }

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
    this.setConfigured();
    this.openContext(ctx, ctx.open2(codec, new Dictionary()).then((ret) => {
      if (ret < 0) throw new Error(`Cannot open ${codec.name} for ${config.codec} (error ${ret})`);
    }));
  }

  decode(chunk: EncodedVideoChunk): void {
    this.requireConfigured('decode');
    this.decodeChunk(chunk instanceof DenoEncodedVideoChunk ? chunk : new DenoEncodedVideoChunk(chunk as unknown as EncodedVideoChunkInit));
  }

  protected override emit(frame: Frame): void {
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
  }
}

/** WebCodecs names for the formats a browser would report for >8-bit or non-4:2:0 output. */
function unsupportedFormat(_fmt: number): VideoPixelFormat {
  return 'I420P10' as VideoPixelFormat;
}

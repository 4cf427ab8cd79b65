// Demux stage: opens any container mediabunny reads (MP4, MOV, WebM, MKV, …) and yields the first
// video track's encoded packets, its decoder config, source facts, and the audio to carry along.
// mediabunny is imported only here.
import {
  ALL_FORMATS,
  BlobSource,
  BufferSource,
  CustomSource,
  EncodedPacketSink,
  Input,
  IsobmffInputFormat,
  ReadableStreamSource,
  UrlSource,
} from 'mediabunny';
import type { InputAudioTrack, InputVideoTrack, Source } from 'mediabunny';
import { CorruptInputError, NoVideoTrackError, TranscodeError, UnsupportedCodecError } from '../errors.ts';
import { isExactTimescale } from '../timescale.ts';
import type { AudioPassthrough, DemuxedPacket, InputSource, RangeReader, SourceAudio, SourceInfo } from '../types/mod.ts';

export type { AudioPassthrough, DemuxedPacket, SourceAudio } from '../types/mod.ts';

export interface Demuxed {
  info: SourceInfo;
  decoderConfig: VideoDecoderConfig;
  /**
   * The video packets in decode order. With `fromUs`, from the last key packet whose presentation
   * time is at or before it (a time range's decode start), to the end, without the truncation check.
   */
  packets(fromUs?: number): AsyncGenerator<DemuxedPacket, void, undefined>;
  /** Every video packet's times and key flag, in decode order, from the index alone (no data read). */
  packetIndex(): Promise<Array<Omit<DemuxedPacket, 'data'>>>;
  /** Reads the first audio track's packets; null when there is none. */
  readAudio(): Promise<SourceAudio | null>;
  close(): void;
}

function toSource(input: InputSource): Source {
  if (typeof input === 'string' || input instanceof URL) return new UrlSource(input);
  if (input instanceof Blob) return new BlobSource(input);
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) return new BufferSource(input);
  if (input instanceof ReadableStream) return new ReadableStreamSource(input);
  if (isRangeReader(input)) {
    const r = input;
    return new CustomSource({
      getSize: () => r.size,
      read: (start, end) => r.read(start, end),
      dispose: () => r.close?.(),
      prefetchProfile: 'fileSystem',
    });
  }
  throw new TypeError('options.input must be a Blob, ArrayBuffer, Uint8Array, URL string, URL, ReadableStream or RangeReader');
}

function isRangeReader(input: unknown): input is RangeReader {
  const r = input as Partial<RangeReader> | null;
  return typeof r === 'object' && r !== null && typeof r.read === 'function' && typeof r.size === 'number' && Number.isSafeInteger(r.size) && r.size >= 0;
}

/** Wraps mediabunny's failures in the engine's typed errors, keeping our own as they are. */
function wrap(action: string, err: unknown): Error {
  if (err instanceof TranscodeError || (err instanceof DOMException && err.name === 'AbortError')) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new CorruptInputError(`${action}: ${msg}`, { cause: err });
}

/** A WebCodecs description (any buffer source) as bytes, without copying. */
export function toBytes(d: AllowSharedBufferSource | undefined): Uint8Array | undefined {
  if (!d) return undefined;
  if (d instanceof Uint8Array) return d;
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(d);
}

/**
 * Finds a file cut short after its index (an MP4 whose moov lists every sample) before anything is
 * decoded: the packets of the last GOP that the index lists must all be readable. (mediabunny
 * otherwise ends the packet stream quietly where the data runs out.)
 */
async function checkLastGop(v: InputVideoTrack, listedTotal: number): Promise<void> {
  const sink = new EncodedPacketSink(v);
  const truncated = (detail: string) => new CorruptInputError(`Input is truncated: the container lists ${listedTotal} video frames but ${detail}`);
  try {
    const keyMeta = await sink.getKeyPacket(Infinity, { metadataOnly: true });
    if (!keyMeta) return;
    const key = await sink.getKeyPacket(Infinity);
    if (!key) throw truncated(`its last key frame (at ${keyMeta.timestamp.toFixed(3)} s) cannot be read`);
    let listed = 0;
    for await (const _ of sink.packets(keyMeta, undefined, { metadataOnly: true })) listed++;
    let read = 0;
    for await (const _ of sink.packets(key)) read++;
    if (read < listed) throw truncated(`only ${read} of the ${listed} in its last GOP can be read`);
  } catch (err) {
    throw wrap('Cannot read video track', err);
  }
}

/**
 * Seconds → µs, rounded to the nearest. (mediabunny's microsecondTimestamp truncates: a 30 fps
 * frame at 2/30 s becomes 66666 µs, and no timescale can recover 66666.67 from that.)
 */
function toUs(seconds: number): number {
  return Math.round(seconds * 1e6);
}

export async function openInput(input: InputSource): Promise<Demuxed> {
  const size = input instanceof Blob ? input.size
    : input instanceof ArrayBuffer || input instanceof Uint8Array ? input.byteLength
    : isRangeReader(input) ? input.size : null;
  if (size === 0) {
    if (isRangeReader(input)) input.close?.();
    throw new CorruptInputError('Cannot read input: it is empty (0 bytes)');
  }
  const mb = new Input({ source: toSource(input), formats: ALL_FORMATS });
  try {
    return await describe(mb, input);
  } catch (err) {
    mb.dispose();
    throw err;
  }
}

/** Bytes [start, end) of a source read in ranges; null for a URL or a stream (never read twice here). */
function rangeReader(input: InputSource): RangeReader | null {
  if (input instanceof Blob) return { size: input.size, read: async (a, b) => new Uint8Array(await input.slice(a, b).arrayBuffer()) };
  if (input instanceof ArrayBuffer || input instanceof Uint8Array) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    return { size: bytes.byteLength, read: (a, b) => Promise.resolve(bytes.subarray(a, b)) };
  }
  return isRangeReader(input) ? input : null;
}

/**
 * The first top-level ISOBMFF box that runs past the end of the file, described; null when every
 * box fits (or the source cannot be read in ranges). A file cut inside its moov is read by
 * mediabunny as one without tracks, which is not what the user should be told.
 */
async function cutIsobmffBox(input: InputSource): Promise<string | null> {
  const r = rangeReader(input);
  if (!r) return null;
  for (let at = 0, boxes = 0; at + 8 <= r.size && boxes < 10_000; boxes++) {
    const head = await r.read(at, Math.min(at + 16, r.size));
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = String.fromCharCode(...head.subarray(4, 8));
    let size = view.getUint32(0);
    if (size === 1) {
      if (head.byteLength < 16) return `its ${type} box at byte ${at} is cut inside its header`;
      size = Number(view.getBigUint64(8));
    } else if (size === 0) {
      return null; // runs to the end of the file by definition
    }
    if (size < 8) return null; // not a box structure we can follow; leave the verdict to the demuxer
    if (at + size > r.size) return `its ${type} box at byte ${at} is ${size} bytes, but the file ends ${r.size - at} bytes into it`;
    at += size;
  }
  return null;
}

async function describe(mb: Input, input: InputSource): Promise<Demuxed> {
  let format;
  try {
    if (!(await mb.canRead())) throw new CorruptInputError('Cannot read input: not a recognised media container (empty, truncated or not a video file)');
    format = await mb.getFormat();
  } catch (err) {
    throw wrap('Cannot read input', err);
  }
  let track: InputVideoTrack | null;
  let audioTrack: InputAudioTrack | null;
  try {
    track = await mb.getPrimaryVideoTrack();
    audioTrack = await mb.getPrimaryAudioTrack();
  } catch (err) {
    throw wrap('Cannot read tracks', err);
  }
  if (!track) {
    const cut = format instanceof IsobmffInputFormat ? await cutIsobmffBox(input).catch(() => null) : null;
    if (cut) throw new CorruptInputError(`Input is truncated: ${cut}`);
    throw new NoVideoTrackError(`Input has no video track (container: ${format.name})`);
  }
  const notices: string[] = [];
  const videoTracks = await mb.getVideoTracks().catch(() => [track]);
  if (videoTracks.length > 1) notices.push(`The input has ${videoTracks.length} video tracks; only track ${track.id} (${track.codedWidth}x${track.codedHeight}, the primary one) is transcoded`);

  const v = track;
  const decoderConfig = await v.getDecoderConfig().catch((err) => { throw wrap('Cannot read video decoder config', err); });
  if (!decoderConfig || !v.codec) {
    const id = await v.getInternalCodecId().catch(() => null);
    throw new UnsupportedCodecError(`Cannot decode video track: unknown codec${id ? ` (${String(id)})` : ''}`);
  }
  const [stats, duration, colorSpace, par, firstTs, resolution] = await Promise.all([
    v.computePacketStats(),
    v.computeDuration(),
    v.getColorSpace(),
    v.getPixelAspectRatio(),
    v.getFirstTimestamp(),
    v.getTimeResolution(),
  ]).catch((err) => { throw wrap('Cannot read video track', err); });
  if (stats.packetCount === 0) throw new CorruptInputError('Cannot read video track: it has no frames');
  await checkLastGop(v, stats.packetCount);

  const rotation = v.rotation;
  const sqW = v.squarePixelWidth;
  const sqH = v.squarePixelHeight;
  const rotated = rotation === 90 || rotation === 270;
  const frameRate = stats.averagePacketRate > 0 ? stats.averagePacketRate : 30;

  let audio: SourceInfo['audio'] = null;
  if (audioTrack?.codec) {
    audio = { codec: audioTrack.codec, sampleRate: audioTrack.sampleRate, numberOfChannels: audioTrack.numberOfChannels };
  }
  const info: SourceInfo = {
    container: format.name,
    codec: v.codec,
    codedWidth: v.codedWidth,
    codedHeight: v.codedHeight,
    squarePixelWidth: sqW,
    squarePixelHeight: sqH,
    rotation,
    displayWidth: rotated ? sqH : sqW,
    displayHeight: rotated ? sqW : sqH,
    pixelAspectRatio: v.pixelAspectRatio,
    frameRate,
    durationSeconds: duration - Math.min(firstTs, duration),
    frameCount: stats.packetCount,
    // Kept only where µs times map back to its exact ticks (src/timescale.ts).
    timescale: isExactTimescale(resolution) ? resolution : null,
    colorSpace,
    audio,
    notices,
  };

  return {
    info,
    decoderConfig,
    async *packets(fromUs?: number) {
      const sink = new EncodedPacketSink(v);
      let count = 0;
      try {
        const start = fromUs === undefined ? undefined : await sink.getKeyPacket(fromUs / 1e6) ?? undefined;
        for await (const p of sink.packets(start)) {
          if (p.isMetadataOnly) continue;
          count++;
          yield { data: p.data, key: p.type === 'key', timestamp: toUs(p.timestamp), duration: toUs(p.duration) };
        }
      } catch (err) {
        throw wrap('Cannot read video packets', err);
      }
      // mediabunny ends the packet stream quietly where a truncated file's data runs out.
      if (fromUs === undefined && count < info.frameCount) {
        throw new CorruptInputError(`Input is truncated: the container lists ${info.frameCount} video frames but only ${count} could be read`);
      }
    },
    async packetIndex() {
      const out: Array<Omit<DemuxedPacket, 'data'>> = [];
      try {
        for await (const p of new EncodedPacketSink(v).packets(undefined, undefined, { metadataOnly: true })) {
          out.push({ key: p.type === 'key', timestamp: toUs(p.timestamp), duration: toUs(p.duration) });
        }
      } catch (err) {
        throw wrap('Cannot read video packet index', err);
      }
      return out;
    },
    async readAudio() {
      if (!audioTrack) return null;
      const a = audioTrack;
      const cfg = await a.getDecoderConfig().catch((err) => { throw wrap('Cannot read audio decoder config', err); });
      if (!a.codec || !cfg) {
        const id = await a.getInternalCodecId().catch(() => null);
        throw new UnsupportedCodecError(`Cannot carry the audio track: unknown codec${id ? ` (${String(id)})` : ''}`);
      }
      const packets: DemuxedPacket[] = [];
      try {
        for await (const p of new EncodedPacketSink(a).packets()) {
          if (p.isMetadataOnly) continue;
          packets.push({ data: p.data, key: true, timestamp: toUs(p.timestamp), duration: toUs(p.duration) });
        }
      } catch (err) {
        throw wrap('Cannot read audio packets', err);
      }
      return {
        codec: a.codec,
        codecString: cfg.codec,
        sampleRate: cfg.sampleRate,
        numberOfChannels: cfg.numberOfChannels,
        description: toBytes(cfg.description),
        packets,
      };
    },
    close() {
      mb.dispose();
    },
  };
}

// CMAF (fragmented ISOBMFF) writing for HLS: one init segment per track (ftyp + moov with an
// empty sample table and mvex) and one media segment per chunk (styp + moof + mdat). Written by
// hand because mp4-muxer's fragmented mode cannot hand out the init and media parts separately.
import { TranscodeError, UnsupportedCodecError } from '../errors.ts';
import { withoutTemporalDelimiters } from '../mux/mp4.ts';
import { box, concat, cstring, fourcc, fullBox, i32, u16, u32, u64, u8, UNITY_MATRIX, zeros } from '../mux/isobmff.ts';
import type { Part } from '../mux/isobmff.ts';

export interface VideoInitOptions {
  width: number;
  height: number;
  /** Ticks per second of every duration and decode time in this track's segments. */
  timescale: number;
  /** The av1C payload (AV1CodecConfigurationRecord), e.g. from buildAv1C(). */
  av1c: Uint8Array;
  trackId?: number;
}

export interface AudioInitOptions {
  codec: 'aac' | 'opus';
  sampleRate: number;
  numberOfChannels: number;
  /** AAC: the AudioSpecificConfig. Opus: the OpusHead. (WebCodecs' decoderConfig.description.) */
  description: Uint8Array;
  trackId?: number;
  /** Defaults to the sample rate, so AAC's 1024-sample frames have exact durations. */
  timescale?: number;
}

export interface SegmentSample {
  data: Uint8Array;
  /** In the track's timescale units. */
  duration: number;
  key: boolean;
}

export interface MediaSegmentOptions {
  sequenceNumber: number;
  trackId?: number;
  timescale: number;
  /** Decode time of the first sample, in timescale units. */
  baseDecodeTime: number;
  samples: readonly SegmentSample[];
  /** 'av1' drops temporal delimiter OBUs from each sample (AV1-ISOBMFF 2.4); others are written as given. */
  codec?: 'av1' | 'aac' | 'opus';
}

export interface MediaSegment {
  bytes: Uint8Array;
  /** moof + mdat header + first sample: what an I-frame playlist's EXT-X-BYTERANGE points at. */
  keyFrameRange: { offset: number; length: number };
  /** Sum of the sample durations, in timescale units. */
  duration: number;
}

/** The CMAF brands; 'dash' too, so DASH tooling accepts the same segments. */
function ftyp(): Uint8Array {
  return box('ftyp', fourcc('iso6'), u32(0), fourcc('iso6'), fourcc('cmfc'), fourcc('av01'), fourcc('dash'));
}

function positiveInt(name: string, v: number, max = 0xffffffff): void {
  if (!Number.isInteger(v) || v <= 0 || v > max) throw new RangeError(`${name} must be a positive integer up to ${max}, got ${v}`);
}

function mvhd(timescale: number, nextTrackId: number): Uint8Array {
  return fullBox('mvhd', 0, 0,
    u32(0), u32(0), u32(timescale), u32(0), // times, duration 0: the segments carry it
    u32(0x00010000), u16(0x0100), zeros(10), UNITY_MATRIX, zeros(24), u32(nextTrackId));
}

function tkhd(trackId: number, audio: boolean, width: number, height: number): Uint8Array {
  // Flags 3: track enabled and in the movie.
  return fullBox('tkhd', 0, 3,
    u32(0), u32(0), u32(trackId), u32(0), u32(0), zeros(8),
    u16(0), u16(0), u16(audio ? 0x0100 : 0), u16(0), UNITY_MATRIX,
    u32(width * 65536), u32(height * 65536));
}

function mdhd(timescale: number): Uint8Array {
  // Language 'und' packed as three 5-bit letters.
  return fullBox('mdhd', 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(0x55c4), u16(0));
}

function hdlr(type: 'vide' | 'soun', name: string): Uint8Array {
  return fullBox('hdlr', 0, 0, u32(0), fourcc(type), zeros(12), cstring(name));
}

function dinf(): Uint8Array {
  // One 'url ' entry with flag 1: the media is in this same file.
  return box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
}

function emptyTables(): Part[] {
  return [
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0), u32(0)),
    fullBox('stco', 0, 0, u32(0)),
  ];
}

function trak(trackId: number, timescale: number, handler: 'vide' | 'soun', width: number, height: number, sampleEntry: Uint8Array): Uint8Array {
  const audio = handler === 'soun';
  const mediaHeader = audio
    ? fullBox('smhd', 0, 0, u16(0), u16(0))
    : fullBox('vmhd', 0, 1, u16(0), zeros(6));
  return box('trak',
    tkhd(trackId, audio, width, height),
    box('mdia',
      mdhd(timescale),
      hdlr(handler, audio ? 'SoundHandler' : 'VideoHandler'),
      box('minf', mediaHeader, dinf(),
        box('stbl', fullBox('stsd', 0, 0, u32(1), sampleEntry), emptyTables()))));
}

function initSegment(trackId: number, timescale: number, trakBox: Uint8Array): Uint8Array {
  const trex = fullBox('trex', 0, 0, u32(trackId), u32(1), u32(0), u32(0), u32(0));
  return concat(ftyp(), box('moov', mvhd(timescale, trackId + 1), trakBox, box('mvex', trex)));
}

export function videoInitSegment(opts: VideoInitOptions): Uint8Array {
  const trackId = opts.trackId ?? 1;
  positiveInt('width', opts.width, 0xffff);
  positiveInt('height', opts.height, 0xffff);
  positiveInt('timescale', opts.timescale);
  positiveInt('trackId', trackId);
  if (opts.av1c.length < 4 || opts.av1c[0] !== 0x81) throw new TranscodeError('Cannot write av01 sample entry: av1c is not an AV1CodecConfigurationRecord');
  // VisualSampleEntry (ISO 14496-12 12.1.3): 78 bytes of fields, then the av1C box.
  const av01 = box('av01',
    zeros(6), u16(1), // reserved, data_reference_index
    u16(0), u16(0), zeros(12), // pre_defined, reserved, pre_defined
    u16(opts.width), u16(opts.height),
    u32(0x00480000), u32(0x00480000), u32(0), // 72 dpi, reserved
    u16(1), zeros(32), u16(0x0018), u16(0xffff), // frame_count, compressorname, depth, pre_defined -1
    box('av1C', opts.av1c));
  return initSegment(trackId, opts.timescale, trak(trackId, opts.timescale, 'vide', opts.width, opts.height, av01));
}

/** An MPEG-4 descriptor (ISO 14496-1 8.3.3): tag, then its size in 7-bit groups. */
function descriptor(tag: number, ...body: Part[]): Uint8Array {
  const payload = concat(...body);
  const size: number[] = [];
  let n = payload.length;
  do {
    size.unshift(n & 0x7f);
    n >>>= 7;
  } while (n > 0);
  for (let i = 0; i < size.length - 1; i++) size[i] = size[i]! | 0x80;
  return concat(u8(tag), Uint8Array.from(size), payload);
}

/**
 * The dOps box body (Opus in ISOBMFF, 4.3.2) from an OpusHead (RFC 7845 5.1): the same fields,
 * big-endian instead of little-endian, version 0, and no magic. InputSampleRate is written as
 * 48000, the sample entry's rate: it is informational, and Chromium's MSE refuses the pair when
 * they differ.
 */
export function dOpsFromOpusHead(head: Uint8Array): Uint8Array {
  const magic = String.fromCharCode(...head.subarray(0, 8));
  if (head.length < 19 || magic !== 'OpusHead') throw new TranscodeError('Cannot write dOps: the Opus description is not an OpusHead');
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const channels = v.getUint8(9);
  const family = v.getUint8(18);
  const mapping = family === 0 ? [] : [head.subarray(19, 21 + channels)];
  if (family !== 0 && head.length < 21 + channels) throw new TranscodeError(`Cannot write dOps: the OpusHead's channel mapping table is cut short`);
  return concat(u8(0), u8(channels), u16(v.getUint16(10, true)), u32(48_000), u16(v.getUint16(16, true)), u8(family), ...mapping);
}

export function audioInitSegment(opts: AudioInitOptions): Uint8Array {
  if (opts.codec !== 'aac' && opts.codec !== 'opus') throw new UnsupportedCodecError(`Cannot write an HLS audio track for ${String(opts.codec)}: only AAC and Opus are supported`);
  if (opts.codec === 'opus') return opusInitSegment(opts);
  const trackId = opts.trackId ?? 1;
  const timescale = opts.timescale ?? opts.sampleRate;
  positiveInt('sampleRate', opts.sampleRate);
  positiveInt('numberOfChannels', opts.numberOfChannels, 0xffff);
  positiveInt('timescale', timescale);
  positiveInt('trackId', trackId);
  if (opts.description.length < 2) throw new TranscodeError('Cannot write esds: the AudioSpecificConfig needs at least 2 bytes');
  const esds = fullBox('esds', 0, 0,
    descriptor(0x03, u16(trackId), u8(0), // ES_Descriptor: ES_ID, no dependency/URL/OCR
      descriptor(0x04, u8(0x40), u8(0x15), // DecoderConfigDescriptor: MPEG-4 audio, audio stream
        u8(0), u16(0), u32(0), u32(0), // bufferSizeDB, maxBitrate, avgBitrate unknown
        descriptor(0x05, opts.description)), // DecoderSpecificInfo: the AudioSpecificConfig
      descriptor(0x06, u8(0x02)))); // SLConfigDescriptor: predefined MP4
  // AudioSampleEntry (14496-12 12.2.3): samplerate is 16.16, so rates above 65535 go as 0
  // (the AudioSpecificConfig is authoritative for AAC).
  const rateField = opts.sampleRate <= 0xffff ? opts.sampleRate * 65536 : 0;
  const mp4a = box('mp4a',
    zeros(6), u16(1), zeros(8),
    u16(opts.numberOfChannels), u16(16), u16(0), u16(0), u32(rateField),
    esds);
  return initSegment(trackId, timescale, trak(trackId, timescale, 'soun', 0, 0, mp4a));
}

function opusInitSegment(opts: AudioInitOptions): Uint8Array {
  const trackId = opts.trackId ?? 1;
  // Opus always decodes at 48 kHz: that is the sample entry's rate and the natural timescale.
  const timescale = opts.timescale ?? 48_000;
  positiveInt('numberOfChannels', opts.numberOfChannels, 0xff);
  positiveInt('timescale', timescale);
  positiveInt('trackId', trackId);
  const opus = box('Opus',
    zeros(6), u16(1), zeros(8),
    u16(opts.numberOfChannels), u16(16), u16(0), u16(0), u32(48_000 * 65536),
    box('dOps', dOpsFromOpusHead(opts.description)));
  return initSegment(trackId, timescale, trak(trackId, timescale, 'soun', 0, 0, opus));
}

// Sample flags (14496-12 8.8.3.1): a sync sample depends on nothing (sample_depends_on 2); any
// other is non-sync (sample_is_non_sync_sample) and depends on others (sample_depends_on 1).
const SYNC_FLAGS = 0x02000000;
const NON_SYNC_FLAGS = 0x01010000;

export function mediaSegment(opts: MediaSegmentOptions): MediaSegment {
  const trackId = opts.trackId ?? 1;
  positiveInt('sequenceNumber', opts.sequenceNumber);
  positiveInt('trackId', trackId);
  positiveInt('timescale', opts.timescale);
  if (!Number.isSafeInteger(opts.baseDecodeTime) || opts.baseDecodeTime < 0) throw new RangeError(`baseDecodeTime must be a non-negative integer, got ${opts.baseDecodeTime}`);
  if (opts.samples.length === 0) throw new RangeError('samples must not be empty: a media segment needs at least one sample');
  const first = opts.samples[0]!;
  if (opts.codec === 'av1' && !first.key) throw new TranscodeError('Cannot write an AV1 media segment: its first sample is not a key frame');
  const data = opts.samples.map((s) => (opts.codec === 'av1' ? withoutTemporalDelimiters(s.data) : s.data));
  let duration = 0;
  const entries = opts.samples.map((s, i) => {
    if (!Number.isInteger(s.duration) || s.duration < 0 || s.duration > 0xffffffff) throw new RangeError(`samples[${i}].duration must be a non-negative integer in timescale units, got ${s.duration}`);
    duration += s.duration;
    return [u32(s.duration), u32(data[i]!.length), u32(s.key ? SYNC_FLAGS : NON_SYNC_FLAGS)];
  });
  // trun flags: data-offset, sample-duration, sample-size and sample-flags present.
  const trunFlags = 0x000001 | 0x000100 | 0x000200 | 0x000400;
  const moofOf = (dataOffset: number) => box('moof',
    fullBox('mfhd', 0, 0, u32(opts.sequenceNumber)),
    box('traf',
      fullBox('tfhd', 0, 0x020000, u32(trackId)), // default-base-is-moof: offsets count from moof
      fullBox('tfdt', 1, 0, u64(opts.baseDecodeTime)),
      fullBox('trun', 0, trunFlags, u32(opts.samples.length), i32(dataOffset), entries)));
  // The data offset is moof's own size plus mdat's header; moof's size does not depend on it.
  const moofSize = moofOf(0).length;
  const moof = moofOf(moofSize + 8);
  const mdat = box('mdat', data);
  // Apple's segments lead with styp; 'msdh' is the ISO brand for a media segment.
  const styp = box('styp', fourcc('msdh'), u32(0), fourcc('msdh'), fourcc('cmfs'));
  return {
    bytes: concat(styp, moof, mdat),
    keyFrameRange: { offset: styp.length, length: moof.length + 8 + data[0]!.length },
    duration,
  };
}

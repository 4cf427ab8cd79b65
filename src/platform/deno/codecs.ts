// WebCodecs codec strings, colour names and sample formats ↔ FFmpeg (node-av) codecs, pixel
// formats, CICP codes and sample formats. The only place that knows which FFmpeg codec serves
// which WebCodecs request.
import { Codec, Log } from 'node-av/lib';
import type { FFDecoderCodec, FFEncoderCodec } from 'node-av/constants';
import {
  AV_LOG_ERROR, AV_PIX_FMT_NV12, AV_PIX_FMT_VAAPI, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P,
  AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P,
  AV_SAMPLE_FMT_U8, AV_SAMPLE_FMT_U8P,
} from 'node-av/constants';

// FFmpeg's and SVT-AV1's info lines would bury the CLI's progress; errors still show.
Log.setLevel(AV_LOG_ERROR);
if (!Deno.env.get('SVT_LOG')) Deno.env.set('SVT_LOG', '1');

export type CodecFamily = 'av1' | 'h264' | 'hevc' | 'vp9' | 'vp8';

/** The family a WebCodecs codec string names, or null. */
export function familyOf(codec: string): CodecFamily | null {
  const fourcc = codec.split('.')[0];
  switch (fourcc) {
    case 'av01': return 'av1';
    case 'avc1': case 'avc3': return 'h264';
    case 'hvc1': case 'hev1': return 'hevc';
    case 'vp09': return 'vp9';
    case 'vp8': return 'vp8';
    default: return null;
  }
}

const DECODERS: Record<CodecFamily, FFDecoderCodec[]> = {
  av1: ['libdav1d' as FFDecoderCodec],
  h264: ['h264' as FFDecoderCodec],
  hevc: ['hevc' as FFDecoderCodec],
  vp9: ['vp9' as FFDecoderCodec],
  vp8: ['vp8' as FFDecoderCodec],
};

/** The FFmpeg decoder for a codec string, or null when this FFmpeg has none. */
export function findDecoder(codec: string): Codec | null {
  const family = familyOf(codec);
  if (!family) return null;
  for (const name of DECODERS[family]) {
    const c = Codec.findDecoderByName(name);
    if (c) return c;
  }
  return null;
}

/** How frames reach an encoder: system-memory planes in a pixel format, or a VAAPI upload. */
export interface EncoderSpec {
  name: string;
  hardware: boolean;
  /** Pixel format the encoder is fed (converted from I420 when it is NV12). */
  pixelFormat: number;
  /** Frames are uploaded to a VAAPI surface pool first. */
  vaapi: boolean;
  /** Private options for avcodec_open2. */
  options: (preset: number) => Record<string, string>;
}

const SVT: EncoderSpec = {
  name: 'libsvtav1', hardware: false, pixelFormat: AV_PIX_FMT_YUV420P, vaapi: false,
  options: (preset) => ({ preset: String(preset) }),
};

/** AV1 hardware encoders, in the order they are tried. Only one that opens counts. */
const AV1_HARDWARE: EncoderSpec[] = [
  { name: 'av1_nvenc', hardware: true, pixelFormat: AV_PIX_FMT_YUV420P, vaapi: false, options: () => ({ preset: 'p4' }) },
  { name: 'av1_qsv', hardware: true, pixelFormat: AV_PIX_FMT_NV12, vaapi: false, options: () => ({}) },
  { name: 'av1_vaapi', hardware: true, pixelFormat: AV_PIX_FMT_VAAPI, vaapi: true, options: () => ({}) },
];

const OTHER_SOFTWARE: Partial<Record<CodecFamily, EncoderSpec>> = {
  vp9: { name: 'libvpx-vp9', hardware: false, pixelFormat: AV_PIX_FMT_YUV420P, vaapi: false, options: () => ({ deadline: 'realtime', 'cpu-used': '8' }) },
  h264: { name: 'libx264', hardware: false, pixelFormat: AV_PIX_FMT_YUV420P, vaapi: false, options: () => ({ preset: 'veryfast' }) },
};

/** Candidate encoders for a codec string and acceleration, best first; present in this FFmpeg. */
export function encoderCandidates(codec: string, hardware: boolean): EncoderSpec[] {
  const family = familyOf(codec);
  const list = family === 'av1' ? (hardware ? AV1_HARDWARE : [SVT]) : hardware ? [] : [OTHER_SOFTWARE[family ?? 'vp8']].filter((s): s is EncoderSpec => !!s);
  return list.filter((s) => Codec.findEncoderByName(s.name as FFEncoderCodec) !== null);
}

export function findEncoder(name: string): Codec | null {
  return Codec.findEncoderByName(name as FFEncoderCodec);
}

/** WebCodecs pixel format name of a decoded FFmpeg frame, and whether the format itself says full range. */
export function pixelFormatName(fmt: number): { format: VideoPixelFormat | null; fullRange: boolean | null } {
  if (fmt === AV_PIX_FMT_YUV420P) return { format: 'I420', fullRange: null };
  if (fmt === AV_PIX_FMT_YUVJ420P) return { format: 'I420', fullRange: true };
  if (fmt === AV_PIX_FMT_NV12) return { format: 'NV12', fullRange: null };
  return { format: null, fullRange: null };
}

// CICP code points (ISO/IEC 23091-4), which FFmpeg's AVCOL_* enums use as their values.
const PRIMARIES: Record<string, number> = { bt709: 1, bt470bg: 5, smpte170m: 6, bt2020: 9, smpte432: 12 };
const TRANSFER: Record<string, number> = { bt709: 1, smpte170m: 6, linear: 8, 'iec61966-2-1': 13, pq: 16, hlg: 18 };
const MATRIX: Record<string, number> = { rgb: 0, bt709: 1, bt470bg: 5, smpte170m: 6, 'bt2020-ncl': 9 };
const UNSPECIFIED = 2;
const RANGE_MPEG = 1;
const RANGE_JPEG = 2;

function nameOf(table: Record<string, number>, code: number): string | null {
  for (const [k, v] of Object.entries(table)) if (v === code) return k;
  return null;
}

/** FFmpeg colour fields → a WebCodecs VideoColorSpaceInit (null where unspecified). */
export function colorSpaceFromCicp(c: { primaries: number; transfer: number; matrix: number; range: number }, fullRangeHint: boolean | null): VideoColorSpaceInit {
  return {
    primaries: nameOf(PRIMARIES, c.primaries) as VideoColorPrimaries | null,
    transfer: nameOf(TRANSFER, c.transfer) as VideoTransferCharacteristics | null,
    matrix: nameOf(MATRIX, c.matrix) as VideoMatrixCoefficients | null,
    fullRange: c.range === RANGE_JPEG ? true : c.range === RANGE_MPEG ? false : fullRangeHint,
  };
}

/** A WebCodecs colour space → FFmpeg colour fields (unspecified where absent). */
export function cicpFromColorSpace(cs: VideoColorSpaceInit | undefined): { primaries: number; transfer: number; matrix: number; range: number } {
  return {
    primaries: (cs?.primaries && PRIMARIES[cs.primaries]) ?? UNSPECIFIED,
    transfer: (cs?.transfer && TRANSFER[cs.transfer]) ?? UNSPECIFIED,
    matrix: (cs?.matrix !== undefined && cs.matrix !== null ? MATRIX[cs.matrix] : undefined) ?? UNSPECIFIED,
    range: cs?.fullRange === true ? RANGE_JPEG : RANGE_MPEG,
  };
}

/** A frame rate as a rational FFmpeg accepts (29.97 → 30000/1001). */
export function rationalRate(fps: number): { num: number; den: number } {
  const rounded = Math.round(fps);
  if (Math.abs(fps - rounded) < 1e-3) return { num: rounded, den: 1 };
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - ntsc / 1.001) < 1e-3) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(fps * 1000), den: 1000 };
}

// ---- Audio ----

/** FFmpeg decoders for WebCodecs audio codec strings (the WebCodecs registry plus mediabunny's PCM names), best first. */
const AUDIO_DECODERS: Record<string, string[]> = {
  'mp3': ['mp3float', 'mp3'],
  'opus': ['opus', 'libopus'],
  'vorbis': ['vorbis', 'libvorbis'],
  'flac': ['flac'],
  'alac': ['alac'],
  'ac-3': ['ac3', 'ac3_fixed'],
  'ec-3': ['eac3'],
  'dtsc': ['dca'], 'dtsh': ['dca'], 'dtsl': ['dca'], 'dtse': ['dca'],
  'ulaw': ['pcm_mulaw'],
  'alaw': ['pcm_alaw'],
  'pcm-u8': ['pcm_u8'], 'pcm-s8': ['pcm_s8'],
  'pcm-s16': ['pcm_s16le'], 'pcm-s16be': ['pcm_s16be'],
  'pcm-s24': ['pcm_s24le'], 'pcm-s24be': ['pcm_s24be'],
  'pcm-s32': ['pcm_s32le'], 'pcm-s32be': ['pcm_s32be'],
  'pcm-f32': ['pcm_f32le'], 'pcm-f32be': ['pcm_f32be'],
  'pcm-f64': ['pcm_f64le'], 'pcm-f64be': ['pcm_f64be'],
};

/** FFmpeg decoder names for an audio codec string, or null when the string names no codec we map. */
function audioDecoderNames(codec: string): string[] | null {
  const exact = AUDIO_DECODERS[codec];
  if (exact) return exact;
  // MPEG-4 AAC (mp4a.40.<object type>) and MPEG-2 AAC (mp4a.66/67/68); MP3 as MPEG-1/2 audio in MP4.
  if (/^mp4a\.40\.\d+$/.test(codec) || /^mp4a\.6[678]$/.test(codec)) return ['aac', 'aac_fixed'];
  if (/^mp4a\.(69|6b|6B)$/.test(codec)) return ['mp3float', 'mp3'];
  return null;
}

/** The FFmpeg decoder for an audio codec string, or null when this FFmpeg has none. */
export function findAudioDecoder(codec: string): Codec | null {
  for (const name of audioDecoderNames(codec) ?? []) {
    const c = Codec.findDecoderByName(name as FFDecoderCodec);
    if (c) return c;
  }
  return null;
}

export type AudioEncoderKind = 'opus' | 'aac';

/** The FFmpeg encoder serving an AudioEncoder codec string: libopus for Opus, FFmpeg's own for AAC-LC. */
export function findAudioEncoder(codec: string): { kind: AudioEncoderKind; codec: Codec } | null {
  const kind: AudioEncoderKind | null = codec === 'opus' ? 'opus' : codec === 'mp4a.40.2' || codec === 'mp4a.40.02' ? 'aac' : null;
  if (!kind) return null;
  const found = Codec.findEncoderByName((kind === 'opus' ? 'libopus' : 'aac') as FFEncoderCodec);
  return found ? { kind, codec: found } : null;
}

/** FFmpeg sample formats (AV_SAMPLE_FMT_*) ↔ WebCodecs AudioSampleFormat, where one exists. */
const SAMPLE_FORMATS: [number, AudioSampleFormat][] = [
  [AV_SAMPLE_FMT_U8, 'u8'], [AV_SAMPLE_FMT_S16, 's16'], [AV_SAMPLE_FMT_S32, 's32'], [AV_SAMPLE_FMT_FLT, 'f32'],
  [AV_SAMPLE_FMT_U8P, 'u8-planar'], [AV_SAMPLE_FMT_S16P, 's16-planar'], [AV_SAMPLE_FMT_S32P, 's32-planar'], [AV_SAMPLE_FMT_FLTP, 'f32-planar'],
];

export function sampleFormatName(fmt: number): AudioSampleFormat | null {
  return SAMPLE_FORMATS.find(([f]) => f === fmt)?.[1] ?? null;
}

export function ffSampleFormat(name: AudioSampleFormat): number {
  return SAMPLE_FORMATS.find(([, n]) => n === name)![0];
}

// HLS playlist text (RFC 8216 and Apple's HLS authoring spec): VOD media playlists over CMAF
// segments, I-frame playlists pointing into those segments, the multivariant (master) playlist,
// and the segment bit rates its BANDWIDTH / AVERAGE-BANDWIDTH attributes are made from.

export interface PlaylistSegment {
  uri: string;
  /** Seconds. */
  duration: number;
  byteLength: number;
}

export interface MediaPlaylistOptions {
  /** Seconds; at least every EXTINF rounded to the nearest integer. Computed when left out. */
  targetDuration?: number;
  /** The init segment, written as EXT-X-MAP. */
  mapUri: string;
  segments: readonly PlaylistSegment[];
  /** 7 by default: EXT-X-MAP in a playlist without I-frames needs 6, CMAF fragments are fine at 7. */
  version?: number;
}

export interface IFrameSegment {
  uri: string;
  /** Seconds until the next I-frame (for one key frame per segment: the segment's duration). */
  duration: number;
  /** Where the key frame's moof + mdat header + sample lie in the segment (mediaSegment's keyFrameRange). */
  keyFrameRange: { offset: number; length: number };
}

export interface IFramePlaylistOptions {
  targetDuration?: number;
  mapUri: string;
  segments: readonly IFrameSegment[];
  version?: number;
}

export interface Variant {
  uri: string;
  /** Peak bit rate in bits/s, audio included (segmentBitrates().peak). */
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  frameRate: number;
  /** RFC 6381 codecs of everything the variant plays, e.g. 'av01.0.08M.08,mp4a.40.2'. */
  codecs: string;
  /** The variant's I-frame playlist; needs iframeBandwidth too. */
  iframeUri?: string;
  /** Peak bit rate of the I-frame playlist (iframeBitrates().peak). */
  iframeBandwidth?: number;
}

export interface AudioRendition {
  groupId: string;
  name: string;
  uri: string;
  codecs: string;
  language?: string;
  /** Channel count, written as CHANNELS. */
  channels?: number;
}

export interface MasterPlaylistOptions {
  variants: readonly Variant[];
  audio?: AudioRendition;
  version?: number;
}

export interface Bitrates {
  /** Bits/s: the largest bit rate of any segment (or any contiguous run near the target duration). */
  peak: number;
  /** Bits/s: total bits over total duration. */
  average: number;
}

/** EXTINF with at least 3 decimals, more (up to 6) where the duration needs them. */
function seconds(d: number): string {
  return d.toFixed(6).replace(/(\.\d{3}\d*?)0+$/, '$1');
}

function checkDurations(segments: readonly { duration: number }[], what: string): void {
  if (segments.length === 0) throw new RangeError(`${what} must not be empty: a playlist needs at least one segment`);
  segments.forEach((s, i) => {
    if (!Number.isFinite(s.duration) || s.duration <= 0) throw new RangeError(`${what}[${i}].duration must be a positive number of seconds, got ${s.duration}`);
  });
}

function targetFor(segments: readonly { duration: number }[], given: number | undefined): number {
  const needed = Math.max(1, ...segments.map((s) => Math.round(s.duration)));
  if (given === undefined) return needed;
  if (!Number.isInteger(given) || given < needed) throw new RangeError(`targetDuration must be an integer of at least ${needed} (the longest EXTINF rounded), got ${given}`);
  return given;
}

function header(version: number, targetDuration: number, mapUri: string, extra: string[] = []): string[] {
  return [
    '#EXTM3U',
    `#EXT-X-VERSION:${version}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...extra,
    `#EXT-X-MAP:URI=${quoted(mapUri)}`,
  ];
}

function quoted(s: string): string {
  // Quoted-string attribute values cannot hold a double quote or line breaks (RFC 8216 4.2).
  if (/["\r\n]/.test(s)) throw new RangeError(`Cannot write "${s}" as a playlist attribute: it contains a quote or line break`);
  return `"${s}"`;
}

function uriLine(s: string): string {
  if (/[\r\n]/.test(s) || s.startsWith('#') || s === '') throw new RangeError(`Cannot write "${s}" as a playlist URI`);
  return s;
}

export function mediaPlaylist(opts: MediaPlaylistOptions): string {
  checkDurations(opts.segments, 'segments');
  const lines = header(opts.version ?? 7, targetFor(opts.segments, opts.targetDuration), opts.mapUri);
  for (const s of opts.segments) lines.push(`#EXTINF:${seconds(s.duration)},`, uriLine(s.uri));
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

export function iframePlaylist(opts: IFramePlaylistOptions): string {
  checkDurations(opts.segments, 'segments');
  const lines = header(opts.version ?? 7, targetFor(opts.segments, opts.targetDuration), opts.mapUri, ['#EXT-X-I-FRAMES-ONLY']);
  for (const s of opts.segments) {
    const { offset, length } = s.keyFrameRange;
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length <= 0) throw new RangeError(`keyFrameRange of ${s.uri} must be non-negative integers with a positive length`);
    lines.push(`#EXTINF:${seconds(s.duration)},`, `#EXT-X-BYTERANGE:${length}@${offset}`, uriLine(s.uri));
  }
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

// Codec families that are audio; an I-frame rendition lists only the video codecs.
const AUDIO_CODEC = /^(mp4a|opus|ac-3|ec-3|ac-4|flac|alac|fLaC|Opus)(\.|$)/;

export function masterPlaylist(opts: MasterPlaylistOptions): string {
  if (opts.variants.length === 0) throw new RangeError('variants must not be empty');
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${opts.version ?? 7}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  const a = opts.audio;
  if (a) {
    lines.push('#EXT-X-MEDIA:' + [
      'TYPE=AUDIO', `GROUP-ID=${quoted(a.groupId)}`, `NAME=${quoted(a.name)}`,
      ...(a.language !== undefined ? [`LANGUAGE=${quoted(a.language)}`] : []),
      'DEFAULT=YES', 'AUTOSELECT=YES',
      ...(a.channels !== undefined ? [`CHANNELS=${quoted(String(a.channels))}`] : []),
      `URI=${quoted(a.uri)}`,
    ].join(','));
  }
  opts.variants.forEach((v, i) => {
    for (const [k, n] of [['bandwidth', v.bandwidth], ['averageBandwidth', v.averageBandwidth], ['width', v.width], ['height', v.height]] as const) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`variants[${i}].${k} must be a positive integer, got ${n}`);
    }
    if (v.averageBandwidth > v.bandwidth) throw new RangeError(`variants[${i}].averageBandwidth (${v.averageBandwidth}) exceeds its bandwidth (${v.bandwidth})`);
    if (!(v.frameRate > 0)) throw new RangeError(`variants[${i}].frameRate must be positive, got ${v.frameRate}`);
    // Every variant of a group lists the group's audio codec too (Apple's authoring spec 1.12).
    if (a && !v.codecs.split(',').includes(a.codecs)) throw new RangeError(`variants[${i}].codecs (${v.codecs}) must include the audio codec ${a.codecs}`);
    lines.push('#EXT-X-STREAM-INF:' + [
      `BANDWIDTH=${v.bandwidth}`, `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      `CODECS=${quoted(v.codecs)}`, `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      ...(a ? [`AUDIO=${quoted(a.groupId)}`] : []),
    ].join(','), uriLine(v.uri));
  });
  opts.variants.forEach((v, i) => {
    if (v.iframeUri === undefined) return;
    if (v.iframeBandwidth === undefined || !Number.isInteger(v.iframeBandwidth) || v.iframeBandwidth <= 0) {
      throw new RangeError(`variants[${i}].iframeBandwidth must be a positive integer when iframeUri is given`);
    }
    const video = v.codecs.split(',').filter((c) => !AUDIO_CODEC.test(c.trim()));
    lines.push('#EXT-X-I-FRAME-STREAM-INF:' + [
      `BANDWIDTH=${v.iframeBandwidth}`, `CODECS=${quoted(video.join(','))}`,
      `RESOLUTION=${v.width}x${v.height}`, `URI=${quoted(v.iframeUri)}`,
    ].join(','));
  });
  return lines.join('\n') + '\n';
}

function rates(segments: readonly { duration: number; byteLength: number }[], targetDuration: number | undefined): Bitrates {
  checkDurations(segments, 'segments');
  let peak = 0;
  let bits = 0;
  let secs = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    bits += s.byteLength * 8;
    secs += s.duration;
    peak = Math.max(peak, (s.byteLength * 8) / s.duration);
    // RFC 8216bis also counts contiguous runs lasting 0.5 to 1.5 target durations (short segments).
    if (targetDuration === undefined) continue;
    let runBits = s.byteLength * 8;
    let runSecs = s.duration;
    for (let j = i + 1; j < segments.length && runSecs < 1.5 * targetDuration; j++) {
      runBits += segments[j]!.byteLength * 8;
      runSecs += segments[j]!.duration;
      if (runSecs >= 0.5 * targetDuration && runSecs <= 1.5 * targetDuration) peak = Math.max(peak, runBits / runSecs);
    }
  }
  return { peak, average: bits / secs };
}

/**
 * A variant's BANDWIDTH (peak) and AVERAGE-BANDWIDTH in bits/s. With audio, each is the sum of
 * the video's and the audio rendition's own rate: RFC 8216 defines both as the largest sum over
 * any playable combination of renditions. Rounded up, so they never understate.
 */
export function segmentBitrates(
  segments: readonly { duration: number; byteLength: number }[],
  audioSegments?: readonly { duration: number; byteLength: number }[],
  targetDuration?: number,
): Bitrates {
  const v = rates(segments, targetDuration);
  const a = audioSegments ? rates(audioSegments, targetDuration) : { peak: 0, average: 0 };
  return { peak: Math.ceil(v.peak + a.peak), average: Math.ceil(v.average + a.average) };
}

/** The I-frame playlist's bit rates: the key-frame ranges' bytes over the durations they stand for. */
export function iframeBitrates(segments: readonly IFrameSegment[], targetDuration?: number): Bitrates {
  const r = rates(segments.map((s) => ({ duration: s.duration, byteLength: s.keyFrameRange.length })), targetDuration);
  return { peak: Math.ceil(r.peak), average: Math.ceil(r.average) };
}

// DASH MPD text (ISO/IEC 23009-1) for a static (on-demand) presentation over CMAF segments: one
// Period, one video AdaptationSet with a Representation per rung, an optional audio AdaptationSet.
// Each Representation addresses its files with a SegmentTemplate ($Number$ from startNumber) and a
// SegmentTimeline of exact tick times, so a player needs no segment index and no guessing.
// Pure text; src/dash/output.ts makes the options from the engine's tracks.

export interface MpdTimelineSegment {
  /** Ticks of the template's timescale. */
  start: number;
  duration: number;
}

export interface MpdSegmentTemplate {
  timescale: number;
  /** Init segment URL, e.g. '720p/init.mp4'. */
  initialization: string;
  /** Media segment URL with $Number$, e.g. '720p/seg-$Number$.m4s'. */
  media: string;
  /** Number of segments[0]; 1 by default. */
  startNumber?: number;
  segments: readonly MpdTimelineSegment[];
}

export interface MpdVideoRepresentation {
  id: string;
  /** RFC 6381, e.g. 'av01.0.04M.08'. */
  codecs: string;
  /** Bits/s (see DASH's @bandwidth: enough to play the segments after minBufferTime of buffering). */
  bandwidth: number;
  width: number;
  height: number;
  /** Frames per second; written as an integer or N/1001 (or N/1000) as the MPD's FrameRateType needs. */
  frameRate: number;
  template: MpdSegmentTemplate;
}

export interface MpdAudioRepresentation {
  id: string;
  codecs: string;
  bandwidth: number;
  sampleRate: number;
  channels: number;
  template: MpdSegmentTemplate;
}

export interface MpdOptions {
  /** mediaPresentationDuration, in seconds. */
  durationSeconds: number;
  /** minBufferTime, in seconds (the buffer the @bandwidth figures assume). */
  minBufferSeconds: number;
  video: readonly MpdVideoRepresentation[];
  audio?: { lang?: string; representation: MpdAudioRepresentation };
  /** Default: the ISO live profile and the CMAF profile (segments are CMAF fragments, templated). */
  profiles?: string;
}

export const DEFAULT_PROFILES = 'urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019';
const CHANNEL_SCHEME = 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011';

/** An xs:duration in seconds, e.g. 'PT5.04S' (millisecond precision, rounded up so it never cuts the end). */
export function isoDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`Cannot write a duration of ${seconds} s`);
  const ms = Math.ceil(Math.round(seconds * 1e6) / 1e3);
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

/** FrameRateType: '25', '30000/1001', or a rate in thousandths reduced ('12500/1000' → '25/2'). */
export function frameRateAttr(fps: number): string {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`frameRate must be positive, got ${fps}`);
  if (Math.abs(fps - Math.round(fps)) < 1e-6) return String(Math.round(fps));
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - ntsc / 1.001) < 1e-4) return `${ntsc * 1000}/1001`;
  let num = Math.round(fps * 1000);
  let den = 1000;
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return `${num}/${den}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function escape(v: string | number): string {
  return String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escape(v!)}"`).join('');
}

/**
 * `<S>` elements: `t` on the first one and after any gap or overlap, `r` for runs of equal
 * durations. Each segment's start must be a whole tick at or after the previous one's.
 */
export function segmentTimeline(segments: readonly MpdTimelineSegment[]): string[] {
  if (segments.length === 0) throw new RangeError('A SegmentTimeline needs at least one segment');
  const out: string[] = [];
  let run: { t: number | undefined; d: number; r: number } | null = null;
  let next = -1;
  segments.forEach((s, i) => {
    if (!Number.isInteger(s.start) || s.start < 0 || !Number.isInteger(s.duration) || s.duration <= 0) {
      throw new RangeError(`segments[${i}] must have a whole non-negative start and a positive whole duration in ticks, got t=${s.start} d=${s.duration}`);
    }
    const contiguous = s.start === next;
    if (run && contiguous && s.duration === run.d) {
      run.r++;
    } else {
      if (run) out.push(`<S${attrs({ t: run.t, d: run.d, r: run.r || undefined })}/>`);
      run = { t: contiguous ? undefined : s.start, d: s.duration, r: 0 };
    }
    next = s.start + s.duration;
  });
  const last = run!;
  out.push(`<S${attrs({ t: last.t, d: last.d, r: last.r || undefined })}/>`);
  return out;
}

function template(t: MpdSegmentTemplate, indent: string): string[] {
  if (!Number.isInteger(t.timescale) || t.timescale <= 0) throw new RangeError(`timescale must be a positive integer, got ${t.timescale}`);
  if (!t.media.includes('$Number$')) throw new RangeError(`media must contain $Number$, got ${t.media}`);
  return [
    `${indent}<SegmentTemplate${attrs({ timescale: t.timescale, initialization: t.initialization, media: t.media, startNumber: t.startNumber ?? 1 })}>`,
    `${indent}  <SegmentTimeline>`,
    ...segmentTimeline(t.segments).map((s) => `${indent}    ${s}`),
    `${indent}  </SegmentTimeline>`,
    `${indent}</SegmentTemplate>`,
  ];
}

function positiveInt(name: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${n}`);
}

export function mpd(opts: MpdOptions): string {
  if (opts.video.length === 0) throw new RangeError('video must not be empty: an MPD needs at least one Representation');
  const ids = new Set<string>();
  const reps = [...opts.video, ...(opts.audio ? [opts.audio.representation] : [])];
  reps.forEach((r) => {
    if (!/^[^\s]+$/.test(r.id) || ids.has(r.id)) throw new RangeError(`Representation ids must be unique and without whitespace, got "${r.id}"`);
    ids.add(r.id);
    positiveInt(`${r.id}: bandwidth`, r.bandwidth);
  });
  opts.video.forEach((v) => { positiveInt(`${v.id}: width`, v.width); positiveInt(`${v.id}: height`, v.height); });
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD${attrs({
      xmlns: 'urn:mpeg:dash:schema:mpd:2011',
      profiles: opts.profiles ?? DEFAULT_PROFILES,
      type: 'static',
      mediaPresentationDuration: isoDuration(opts.durationSeconds),
      minBufferTime: isoDuration(opts.minBufferSeconds),
    })}>`,
    `  <Period${attrs({ id: '0', start: 'PT0S' })}>`,
    `    <AdaptationSet${attrs({
      id: 0, contentType: 'video', mimeType: 'video/mp4', segmentAlignment: 'true', startWithSAP: 1,
      maxWidth: Math.max(...opts.video.map((v) => v.width)), maxHeight: Math.max(...opts.video.map((v) => v.height)),
    })}>`,
  ];
  for (const v of opts.video) {
    lines.push(`      <Representation${attrs({ id: v.id, codecs: v.codecs, bandwidth: v.bandwidth, width: v.width, height: v.height, frameRate: frameRateAttr(v.frameRate), sar: '1:1' })}>`);
    lines.push(...template(v.template, '        '), '      </Representation>');
  }
  lines.push('    </AdaptationSet>');
  if (opts.audio) {
    const a = opts.audio.representation;
    positiveInt(`${a.id}: channels`, a.channels);
    positiveInt(`${a.id}: sampleRate`, a.sampleRate);
    lines.push(
      `    <AdaptationSet${attrs({ id: 1, contentType: 'audio', mimeType: 'audio/mp4', lang: opts.audio.lang ?? 'und', segmentAlignment: 'true', startWithSAP: 1 })}>`,
      `      <Representation${attrs({ id: a.id, codecs: a.codecs, bandwidth: a.bandwidth, audioSamplingRate: a.sampleRate })}>`,
      `        <AudioChannelConfiguration${attrs({ schemeIdUri: CHANNEL_SCHEME, value: a.channels })}/>`,
      ...template(a.template, '        '),
      '      </Representation>',
      '    </AdaptationSet>',
    );
  }
  lines.push('  </Period>', '</MPD>');
  return lines.join('\n') + '\n';
}

// Argument checks for the public API: each failure is a TypeError or RangeError that names the
// option, thrown before any work starts.
import { InputTooLargeError } from './errors.ts';
import { DEFAULT_LADDER } from './plan/ladder.ts';
import { parsePolicy } from './schedule/pool.ts';
import type { AudioMode, OutputFormat, QualityLevel, SourceInfo, TranscodeOptions } from './types/mod.ts';

/** Every OutputFormat, in the order a CLI's usage lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['mp4', 'hls', 'dash', 'cmaf'];

/** The default `maxInputPixels`: the largest picture an AV1 level-6.x stream may carry. */
export const DEFAULT_MAX_INPUT_PIXELS = 8192 * 4352;

function positiveInt(name: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
}

/**
 * A CLI's --quality: 'high', 'medium', 'low', or comma-separated quantizers (one per rung, 0–63).
 * Throws a RangeError naming what is wrong.
 */
export function parseQuality(text: string): QualityLevel | number[] {
  if (text === 'high' || text === 'medium' || text === 'low') return text;
  const parts = text.split(',').map((s) => s.trim());
  const qs = parts.map(Number);
  if (parts.some((s, i) => s === '' || !Number.isInteger(qs[i]) || qs[i]! < 0 || qs[i]! > 63)) {
    throw new RangeError(`bad --quality ${JSON.stringify(text)}: use high, medium, low or AV1 quantizers 0–63 per rung, e.g. 28,30,32,34`);
  }
  return qs;
}

const AUDIO_MODES: readonly AudioMode[] = ['auto', 'drop', 'require'];

/** A CLI's --audio: auto, drop or require. Throws a RangeError naming what is wrong. */
export function parseAudioMode(text: string): AudioMode {
  if ((AUDIO_MODES as readonly string[]).includes(text)) return text as AudioMode;
  throw new RangeError(`bad --audio ${JSON.stringify(text)}: use auto (carry or re-encode), drop (video only) or require (fail without audio)`);
}

function quantizer(name: string, q: unknown): void {
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || q > 63) throw new RangeError(`${name} must be an AV1 quantizer, an integer 0–63, got ${String(q)}`);
}

export function checkOptions(options: TranscodeOptions): TranscodeOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('transcode() needs an options object');
  const { input, ladder, format, chunkSeconds, signal, onProgress } = options;
  if (input === undefined || input === null) throw new TypeError('options.input is required');
  if (format !== undefined && !OUTPUT_FORMATS.includes(format)) throw new TypeError(`options.format must be an OutputFormat ('mp4', 'hls', 'dash' or 'cmaf'), got ${String(format)}`);
  if (options.target !== undefined && typeof options.target?.write !== 'function') throw new TypeError('options.target must have a write(path, bytes) method');
  if (ladder !== undefined) {
    if (!Array.isArray(ladder) || ladder.length === 0) throw new TypeError('options.ladder must be a non-empty array');
    ladder.forEach((r, i) => {
      const h = typeof r === 'number' ? r : (r as { height?: unknown } | null)?.height;
      if (typeof h !== 'number' || !Number.isInteger(h) || h < 2 || h > 8192) throw new RangeError(`options.ladder[${i}] must be a height between 2 and 8192, got ${String(h)}`);
      if (typeof r === 'object' && r.bitrate !== undefined && (typeof r.bitrate !== 'number' || !(r.bitrate > 0))) throw new RangeError(`options.ladder[${i}].bitrate must be a positive number`);
      if (typeof r === 'object' && r.quantizer !== undefined) quantizer(`options.ladder[${i}].quantizer`, r.quantizer);
    });
  }
  const { quality } = options;
  if (quality !== undefined) {
    if (Array.isArray(quality)) {
      const rungs = (ladder ?? DEFAULT_LADDER).length;
      if (quality.length !== rungs) throw new RangeError(`options.quality must give one quantizer per ladder rung (${rungs}), got ${quality.length}`);
      quality.forEach((q, i) => quantizer(`options.quality[${i}]`, q));
    } else if (quality !== 'high' && quality !== 'medium' && quality !== 'low') {
      throw new TypeError(`options.quality must be 'high', 'medium', 'low' or an array of quantizers (0–63), got ${String(quality)}`);
    }
  }
  if (chunkSeconds !== undefined && (typeof chunkSeconds !== 'number' || !(chunkSeconds >= 0.1 && chunkSeconds <= 60))) {
    throw new RangeError(`options.chunkSeconds must be between 0.1 and 60, got ${String(chunkSeconds)}`);
  }
  positiveInt('options.leases', options.leases);
  if (options.policy !== undefined) {
    if (typeof options.policy !== 'string') throw new TypeError('options.policy must be a string');
    try { parsePolicy(options.policy); } catch (err) { throw new TypeError(`options.${(err as Error).message}`); }
  }
  positiveInt('options.maxInputPixels', options.maxInputPixels);
  positiveInt('options.maxFramesInFlight', options.maxFramesInFlight);
  positiveInt('options.maxScalesInFlight', options.maxScalesInFlight);
  positiveInt('options.maxBufferedBytes', options.maxBufferedBytes);
  if (options.qualityReport !== undefined && typeof options.qualityReport !== 'boolean') throw new TypeError('options.qualityReport must be a boolean');
  if (options.audio !== undefined && !AUDIO_MODES.includes(options.audio)) throw new TypeError(`options.audio must be 'auto', 'drop' or 'require', got ${String(options.audio)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('options.onProgress must be a function');
  return options;
}

/** Refuses a source whose declared picture is larger than `maxInputPixels`, before any decoding. */
export function checkInputSize(info: SourceInfo, maxInputPixels = DEFAULT_MAX_INPUT_PIXELS): void {
  for (const [what, w, h] of [['coded', info.codedWidth, info.codedHeight], ['display', info.displayWidth, info.displayHeight]] as const) {
    if (w * h > maxInputPixels) {
      throw new InputTooLargeError(`Input is too large: its ${what} size ${w}x${h} is over the ${maxInputPixels}-pixel limit (options.maxInputPixels)`);
    }
  }
}

// The option schema: one row per option of transcode() and of the command lines, with its type,
// bounds or choices, default, API field, CLI flag and help line. checkOptions() (the API),
// src/command-line.ts (both CLIs' parsers and their --help) and the distributed commands all read
// it, so a bound is written once. Each failure is a TypeError (wrong kind, unknown choice) or a
// RangeError (out of bounds) that names the option, thrown before any work starts.
import { InputTooLargeError } from './errors.ts';
import { DEFAULT_LADDER } from './plan/ladder.ts';
import { parsePolicy } from './schedule/pool.ts';
import type { AudioMode, OutputFormat, QualityLevel, Runtime, SourceInfo, TranscodeOptions } from './types/mod.ts';

/** Every OutputFormat, in the order a CLI's usage lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['mp4', 'hls', 'dash', 'cmaf'];

/** The default `maxInputPixels`: the largest picture an AV1 level-6.x stream may carry. */
export const DEFAULT_MAX_INPUT_PIXELS = 8192 * 4352;

const AUDIO_MODES: readonly AudioMode[] = ['auto', 'drop', 'require'];
const QUALITY_LEVELS: readonly QualityLevel[] = ['high', 'medium', 'low'];

/** The command lines that read the schema. */
export type CommandName = 'browser' | 'deno' | 'submit' | 'worker';

export type OptionType =
  | 'int' | 'number' | 'boolean' | 'choice' | 'string'
  | 'ladder' | 'quality' | 'policy'
  // API-only kinds with no bounds: a required value, an object with write(), an AbortSignal, a function, a Runtime.
  | 'required' | 'writer' | 'signal' | 'function' | 'runtime';

export interface OptionSpec {
  /** The TranscodeOptions field, or null for a flag only command lines have (--out, --json, …). */
  readonly api: keyof TranscodeOptions | null;
  /** The command-line flag without its dashes, or null for an option only the API takes. */
  readonly flag: string | null;
  /** A one-letter alias (-o, -h). */
  readonly short?: string;
  readonly type: OptionType;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** Narrower choices on some command lines (the distributed engine writes MP4 or HLS only). */
  readonly choicesOn?: Partial<Record<CommandName, readonly string[]>>;
  /** What the choices are called in an API message ("an OutputFormat"). */
  readonly noun?: string;
  /** The default, as --help shows it (the engine applies it where it is used). */
  readonly default?: string;
  /** The value's placeholder in --help (N, S, DIR); choices show themselves. */
  readonly arg?: string;
  /** One line of --help; an option without one is not listed (a test-only flag). */
  readonly help: string | null;
  /** Another help line on some command lines. */
  readonly helpOn?: Partial<Record<CommandName, string>>;
  /** The command lines that take this flag. */
  readonly commands: readonly CommandName[];
}

const TRANSCODE: readonly CommandName[] = ['browser', 'deno'];

/** The schema: the API's options (in checkOptions' order) and the command lines' own flags (api: null). */
export const OPTION_SCHEMA: readonly OptionSpec[] = [
  // Where the ladder goes: first in --help.
  { api: null, flag: 'out', short: 'o', type: 'string', arg: 'DIR', default: 'out', help: 'where the ladder is written', commands: ['browser'] },
  { api: null, flag: 'out', short: 'o', type: 'string', arg: 'DIR', help: 'where the ladder is written (required)', commands: ['deno', 'submit'] },
  { api: 'input', flag: null, type: 'required', help: 'a file, URL, RangeReader, stream or FrameSource', commands: [] },
  { api: 'format', flag: 'format', type: 'choice', choices: OUTPUT_FORMATS, choicesOn: { submit: ['mp4', 'hls'] }, noun: 'an OutputFormat', default: 'mp4',
    help: 'one MP4 per rung, HLS (DIR/master.m3u8), DASH (DIR/manifest.mpd), or cmaf: both over one set of CMAF segments',
    helpOn: { submit: 'one MP4 per rung, or HLS (DIR/master.m3u8)' }, commands: ['browser', 'deno', 'submit'] },
  { api: 'target', flag: null, type: 'writer', help: 'where finished files go', commands: [] },
  { api: 'ladder', flag: 'ladder', type: 'ladder', min: 2, max: 8192, default: DEFAULT_LADDER.join(','), arg: 'H,H,…',
    help: "the rungs' short sides, comma-separated", commands: ['browser', 'deno', 'submit'] },
  { api: 'quality', flag: 'quality', type: 'quality', min: 0, max: 63, arg: 'high|medium|low|Q,Q,…',
    help: 'constant quality instead of bitrates: a level, or an AV1 quantizer (0 best … 63) per rung', commands: TRANSCODE },
  { api: 'chunkSeconds', flag: 'chunk-seconds', type: 'number', min: 0.1, max: 60, default: '2', arg: 'S',
    help: 'chunk (GOP) length in seconds, also the segment length; every chunk starts with a key frame', commands: ['browser', 'deno', 'submit'] },
  { api: 'leases', flag: 'leases', type: 'int', min: 1, default: 'max(2, min(rungs, cores)); min(2, cores, rungs) under Deno; 1 on a distributed worker', arg: 'N',
    help: 'software encoder leases', commands: ['browser', 'deno', 'worker'] },
  { api: 'policy', flag: 'policy', type: 'policy', default: 'all', arg: 'all|software|adapter:N|family:VENDOR',
    help: 'which adapters may work; software: no hardware encoder', commands: ['browser', 'deno', 'worker'] },
  { api: 'upscale', flag: null, type: 'boolean', default: 'false', help: 'keep rungs larger than the source', commands: [] },
  { api: 'maxInputPixels', flag: null, type: 'int', min: 1, default: String(DEFAULT_MAX_INPUT_PIXELS), help: 'largest source picture accepted, in pixels', commands: [] },
  { api: 'maxFramesInFlight', flag: null, type: 'int', min: 1, default: '8', help: 'decoded VideoFrames open at once', commands: [] },
  { api: 'maxScalesInFlight', flag: null, type: 'int', min: 1, default: '3', help: 'frames being scaled at once', commands: [] },
  { api: 'maxBufferedBytes', flag: null, type: 'int', min: 1, default: String(512 * 1024 * 1024), help: 'raw frame bytes held for chunks not yet encoded', commands: [] },
  { api: 'qualityReport', flag: 'quality-report', type: 'boolean', default: 'false',
    help: 'decode every chunk back and compare each frame with the scaled picture it was encoded from (GPU): PSNR and SSIM per rung and chunk', commands: TRANSCODE },
  { api: 'audio', flag: 'audio', type: 'choice', choices: AUDIO_MODES, default: 'auto',
    help: "the source's audio: carry or re-encode it as Opus (auto), video only (drop), or fail before decoding without it (require)", commands: TRANSCODE },
  { api: 'signal', flag: null, type: 'signal', help: 'cancels the job', commands: [] },
  { api: 'onProgress', flag: null, type: 'function', help: 'progress events', commands: [] },
  { api: 'runtime', flag: null, type: 'runtime', help: 'the platform: WebCodecs classes, leases, shaders, WebGPU (default: the browser globals)', commands: [] },
  // The command lines' own flags.
  { api: null, flag: 'sample', type: 'boolean', help: 'transcode a synthetic 4 s 1280x720 clip made in the page (the default without INPUT)', commands: ['browser'] },
  { api: null, flag: 'balancer', type: 'string', arg: 'FILE.ts', help: 'run the job through an engine with this LoadBalancer module (bundled with Vite)', commands: ['browser'] },
  { api: null, flag: 'adapter-weights', type: 'string', arg: 'W,W,…', help: "the engine balancer's adapter weights, e.g. 100,66", commands: ['browser'] },
  { api: null, flag: 'nats', type: 'string', arg: 'nats://HOST:PORT', help: 'the NATS JetStream server (required)', commands: ['submit', 'worker'] },
  { api: null, flag: 'source', type: 'choice', choices: ['path', 'store'], default: 'path for a file',
    help: "how workers read INPUT: at the same absolute path, or from the job's object store", commands: ['submit'] },
  { api: null, flag: 'resume', type: 'boolean', help: "MP4 only: keep the rungs whose files still match DIR's manifest, encode the rest", commands: ['deno'] },
  { api: null, flag: 'resume', type: 'string', arg: 'JOB', help: 'pick up job JOB after this process died', commands: ['submit'] },
  { api: null, flag: 'json', type: 'boolean', help: 'print one JSON summary line on stdout at the end', commands: ['deno', 'submit'] },
  { api: null, flag: 'id', type: 'string', arg: 'NAME', help: "this worker's name in the job's records", commands: ['worker'] },
  // Test-only: encode with another colour description, so this worker's chunks break the rung contract.
  { api: null, flag: 'test-force-colour', type: 'boolean', help: null, commands: ['worker'] },
  { api: null, flag: 'help', short: 'h', type: 'boolean', help: 'print this help', commands: ['browser', 'deno', 'submit', 'worker'] },
];

/** The schema row of an API option. */
export function optionSpec(api: keyof TranscodeOptions): OptionSpec {
  const spec = OPTION_SCHEMA.find((s) => s.api === api);
  if (!spec) throw new Error(`no schema row for options.${api}`);
  return spec;
}

/** The rows a command line takes, with its own choices where it narrows them. */
export function commandOptions(command: CommandName): OptionSpec[] {
  return OPTION_SCHEMA.filter((s) => s.flag !== null && s.commands.includes(command))
    .map((s) => ({ ...s, ...(s.choicesOn?.[command] ? { choices: s.choicesOn[command] } : {}), ...(s.helpOn?.[command] ? { help: s.helpOn[command] } : {}) }));
}

function quoted(choices: readonly string[]): string {
  const q = choices.map((c) => `'${c}'`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

function intRule(min: number | undefined, max: number | undefined): string {
  if (min === 1 && max === undefined) return 'a positive integer';
  return `an integer between ${min} and ${max}`;
}

/** A quantizer's rule, shared by `quality` and a rung spec's `quantizer`. */
const QUANTIZER_RULE = `an AV1 quantizer, ${intRule(optionSpec('quality').min, optionSpec('quality').max)}`;

/**
 * What a valid value is, as it ends "… must be RULE": the text both the API's and the command
 * lines' messages carry. For a ladder, the rule of one rung.
 */
export function optionRule(spec: OptionSpec): string {
  switch (spec.type) {
    case 'int': return intRule(spec.min, spec.max);
    case 'number': return `a number between ${spec.min} and ${spec.max}`;
    case 'boolean': return 'a boolean';
    case 'choice': return spec.noun ? `${spec.noun} (${quoted(spec.choices ?? [])})` : quoted(spec.choices ?? []);
    case 'string': return 'a string';
    case 'ladder': return `a short side, ${intRule(spec.min, spec.max)}`;
    case 'quality': return `${QUALITY_LEVELS.map((l) => `'${l}'`).join(', ')} or one quantizer per ladder rung (${QUANTIZER_RULE})`;
    case 'policy': return quoted(['all', 'software', 'adapter:N', 'family:VENDOR']);
    case 'required': return 'given';
    case 'writer': return 'an object with a write(path, bytes) method';
    case 'signal': return 'an AbortSignal';
    case 'function': return 'a function';
    case 'runtime': return 'a Runtime (browserRuntime(), denoRuntime())';
  }
}

/** One thing wrong with one option's value. */
export interface OptionProblem {
  readonly spec: OptionSpec;
  /** Where inside the value: '' for the value itself, '[1]' or '[1].bitrate' inside a ladder. */
  readonly at: string;
  /** Index of the list item at fault (a ladder rung or a quantizer), if any. */
  readonly item?: number;
  readonly rule: string;
  /** The value at fault, as the API's message shows it. */
  readonly got: string;
  readonly error: 'TypeError' | 'RangeError';
}

function isRuntime(v: unknown): boolean {
  const r = v as Partial<Record<keyof Runtime, unknown>> | null;
  return typeof r === 'object' && r !== null && typeof r.createLease === 'function' && typeof r.loadShader === 'function'
    && typeof r.cores === 'number' && (r.leaseMode === 'worker' || r.leaseMode === 'inline') && typeof r.name === 'string';
}

function show(v: unknown): string {
  if (typeof v === 'string' || Array.isArray(v)) { try { return JSON.stringify(v); } catch { /* a cycle */ } }
  return String(v);
}

function isInt(v: unknown, min: number | undefined, max: number | undefined): boolean {
  return typeof v === 'number' && Number.isInteger(v) && (min === undefined || v >= min) && (max === undefined || v <= max);
}

/**
 * Checks one option's value against its row: null when it is fine. `options` gives what the check
 * of one option depends on in the others (a quantizer list must match the ladder's length).
 */
export function checkOption(spec: OptionSpec, value: unknown, options: Partial<TranscodeOptions> = {}): OptionProblem | null {
  const problem = (error: OptionProblem['error'], rule = optionRule(spec), at = '', item?: number, got: unknown = value): OptionProblem =>
    ({ spec, at, rule, got: show(got), error, ...(item === undefined ? {} : { item }) });
  if (spec.type === 'required') return value === undefined || value === null ? problem('TypeError') : null;
  if (value === undefined) return null;
  switch (spec.type) {
    case 'int': return isInt(value, spec.min, spec.max) ? null : problem('RangeError');
    case 'number': return typeof value === 'number' && value >= spec.min! && value <= spec.max! ? null : problem('RangeError');
    case 'boolean': return typeof value === 'boolean' ? null : problem('TypeError');
    case 'choice': return typeof value === 'string' && spec.choices!.includes(value) ? null : problem('TypeError');
    case 'string': return typeof value === 'string' ? null : problem('TypeError');
    case 'writer': return typeof (value as { write?: unknown } | null)?.write === 'function' ? null : problem('TypeError');
    case 'signal': return value instanceof AbortSignal ? null : problem('TypeError');
    case 'function': return typeof value === 'function' ? null : problem('TypeError');
    case 'runtime': return isRuntime(value) ? null : problem('TypeError');
    case 'policy':
      if (typeof value !== 'string') return problem('TypeError', 'a string');
      try { parsePolicy(value); return null; } catch { return problem('TypeError'); }
    case 'ladder': {
      if (!Array.isArray(value) || value.length === 0) return problem('TypeError', 'a non-empty array of short sides or rung specs');
      for (let i = 0; i < value.length; i++) {
        const r: unknown = value[i];
        const h = typeof r === 'number' ? r : (r as { height?: unknown } | null)?.height;
        if (!isInt(h, spec.min, spec.max)) return problem('RangeError', optionRule(spec), `[${i}]`, i, h);
        if (typeof r !== 'object' || r === null) continue;
        const { bitrate, quantizer } = r as { bitrate?: unknown; quantizer?: unknown };
        if (bitrate !== undefined && (typeof bitrate !== 'number' || !(bitrate > 0))) return problem('RangeError', 'a positive number', `[${i}].bitrate`, i, bitrate);
        if (quantizer !== undefined && !isInt(quantizer, 0, 63)) return problem('RangeError', QUANTIZER_RULE, `[${i}].quantizer`, i, quantizer);
      }
      return null;
    }
    case 'quality': {
      if (!Array.isArray(value)) return (QUALITY_LEVELS as readonly unknown[]).includes(value) ? null : problem('TypeError');
      const rungs = (options.ladder ?? DEFAULT_LADDER).length;
      if (value.length !== rungs) return { spec, at: '', rule: `one quantizer per ladder rung (${rungs} rungs)`, got: `${value.length} quantizers`, error: 'RangeError' };
      const i = value.findIndex((q) => !isInt(q, spec.min, spec.max));
      return i < 0 ? null : problem('RangeError', QUANTIZER_RULE, `[${i}]`, i, value[i]);
    }
  }
  return null;
}

/** The API's error for a problem: "options.ladder[0] must be a short side, …, got 1". */
export function apiError(p: OptionProblem): TypeError | RangeError {
  const name = `options.${String(p.spec.api)}${p.at}`;
  const message = p.spec.type === 'required' ? `${name} is required` : `${name} must be ${p.rule}, got ${p.got}`;
  return p.error === 'TypeError' ? new TypeError(message) : new RangeError(message);
}

/**
 * A bad command-line value (or a malformed command line). A RangeError, so a caller that only
 * knows the API's errors still reads it as a bad argument; the CLIs print its message alone.
 */
export class UsageError extends RangeError {}

/** The command lines' error for a problem: 'bad --ladder "720,1": "1" must be a short side, …'. */
export function usageError(p: OptionProblem, text: string): UsageError {
  const items = p.spec.type === 'ladder' || p.spec.type === 'quality' ? text.split(',').map((s) => s.trim()) : [];
  const subject = p.item !== undefined && items.length > 1 ? `${JSON.stringify(items[p.item] ?? '')} ` : '';
  return new UsageError(`bad --${p.spec.flag} ${JSON.stringify(text)}: ${subject}must be ${p.rule}`);
}

/**
 * Turns a flag's text into the API value it stands for, unchecked: comma-separated numbers for a
 * ladder, a level or quantizers for quality, a number for a count. An empty item becomes NaN.
 */
export function optionFromText(spec: OptionSpec, text: string): unknown {
  const numbers = (t: string) => t.split(',').map((s) => s.trim()).map((s) => (s === '' ? NaN : Number(s)));
  switch (spec.type) {
    case 'int': case 'number': return text.trim() === '' ? NaN : Number(text);
    case 'ladder': return numbers(text);
    case 'quality': return (QUALITY_LEVELS as readonly string[]).includes(text) || !/\d/.test(text) ? text : numbers(text);
    default: return text;
  }
}

/** A flag's text as a checked API value; throws a UsageError naming the flag. */
export function optionFromFlag(spec: OptionSpec, text: string, options: Partial<TranscodeOptions> = {}): unknown {
  const value = optionFromText(spec, text);
  const p = checkOption(spec, value, options);
  if (p) throw usageError(p, text);
  return value;
}

/**
 * A CLI's --quality: 'high', 'medium', 'low', or comma-separated quantizers (one per rung, 0–63).
 * Throws a RangeError (a UsageError) naming what is wrong. The count is checked against the
 * ladder only when `ladder` is given.
 */
export function parseQuality(text: string, ladder?: ReadonlyArray<number>): QualityLevel | number[] {
  const spec = optionSpec('quality');
  const value = optionFromText(spec, text);
  const p = checkOption(spec, value, { ladder: ladder ?? (Array.isArray(value) ? value : []) });
  if (p) throw usageError(p, text);
  return value as QualityLevel | number[];
}

/** A CLI's --audio: auto, drop or require. Throws a RangeError (a UsageError) naming what is wrong. */
export function parseAudioMode(text: string): AudioMode {
  return optionFromFlag(optionSpec('audio'), text) as AudioMode;
}

export function checkOptions(options: TranscodeOptions): TranscodeOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('transcode() needs an options object');
  for (const spec of OPTION_SCHEMA) {
    if (spec.api === null) continue;
    const p = checkOption(spec, options[spec.api], options);
    if (p) throw apiError(p);
  }
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

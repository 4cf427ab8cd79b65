// Command lines from the option schema (src/options.ts): one parser that turns a command's argv
// into checked API options plus the command's own flags, and its --help text. The browser CLI, the
// Deno CLI and the distributed commands (submit, worker) all use it, so a flag is checked and
// described once. Plain TypeScript without node:util, so it runs under Node, Deno and in a bundle.
import { UsageError, checkOption, commandOptions, optionFromText, optionRule, usageError } from './options.ts';
import type { CommandName, OptionSpec } from './options.ts';
import type { AudioMode, OutputFormat, QualityLevel } from './types/mod.ts';

/** The API options a command line gave, checked as transcode() checks them. */
export interface CommandLineOptions {
  ladder?: number[];
  format?: OutputFormat;
  chunkSeconds?: number;
  leases?: number;
  policy?: string;
  quality?: QualityLevel | number[];
  qualityReport?: boolean;
  audio?: AudioMode;
}

export interface CommandLine {
  /** --help (or -h) was given: print formatHelp() and stop; nothing else was checked. */
  help: boolean;
  positionals: string[];
  options: CommandLineOptions;
  /** The command's own flags that were given (--out, --json, --resume, …), checked for kind and choices. */
  flags: Record<string, string | boolean>;
  /** Each value flag's text as given (the Deno CLI keeps --quality's in its manifest). */
  texts: Record<string, string>;
}

/** How each command is started, for its usage line. `required` flags are shown unbracketed. */
const COMMANDS: Record<CommandName, { usage: string; operands: string; required: readonly string[] }> = {
  browser: { usage: 'npm run transcode:browser --', operands: '[INPUT]', required: [] },
  deno: { usage: 'deno task transcode', operands: 'INPUT', required: ['out'] },
  submit: { usage: 'deno task submit', operands: 'INPUT', required: ['out', 'nats'] },
  worker: { usage: 'deno task worker', operands: '', required: ['nats'] },
};

/**
 * Parses a command's argv: `--flag value`, `--flag=value`, `-o value`, booleans as bare flags,
 * `--` ending the flags. Throws a UsageError for an unknown flag, a missing value or a bad value,
 * with the schema's message ('bad --ladder "1": must be a short side, an integer between 2 and 8192').
 */
export function parseCommandLine(command: CommandName, argv: readonly string[]): CommandLine {
  const specs = commandOptions(command);
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(`--${s.flag}`, s);
    if (s.short) byName.set(`-${s.short}`, s);
  }
  const positionals: string[] = [];
  const given = new Map<OptionSpec, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positionals.push(a); continue; }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq < 0 ? a : a.slice(0, eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option ${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${spec.flag} takes no value`);
      given.set(spec, true);
      continue;
    }
    const text = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (text === undefined) throw new UsageError(`missing value for --${spec.flag} ${argSample(spec)}`);
    given.set(spec, text);
  }
  const result: CommandLine = { help: given.has(byName.get('--help')!), positionals, options: {}, flags: {}, texts: {} };
  if (result.help) return result;
  // In schema order, so a quantizer list is checked against the ladder given before it.
  const options = result.options as Record<string, unknown>;
  for (const spec of specs) {
    const raw = given.get(spec);
    if (raw === undefined) continue;
    const value = raw === true ? true : optionFromText(spec, raw);
    const problem = checkOption(spec, value, result.options);
    if (problem) throw usageError(problem, raw === true ? '' : raw);
    if (raw !== true) result.texts[spec.flag!] = raw;
    if (spec.api !== null) options[spec.api] = value;
    else result.flags[spec.flag!] = value as string | boolean;
  }
  return result;
}

function argSample(spec: OptionSpec): string {
  if (spec.type === 'boolean') return '';
  return spec.arg ?? (spec.choices ? spec.choices.join('|') : 'VALUE');
}

/** The bounds --help states for a numeric option (the same text as its error messages). */
function helpBounds(spec: OptionSpec): string {
  if (spec.type === 'int' || spec.type === 'number') return optionRule(spec);
  if (spec.type === 'ladder') return `each ${optionRule(spec)}`;
  if (spec.type === 'quality') return `${spec.min}–${spec.max}`;
  return '';
}

function wrap(words: string[], first: string, width = 100): string {
  const indent = ' '.repeat(first.length);
  const lines: string[] = [];
  let line = first.trimEnd();
  for (const w of words) {
    if (line.length + 1 + w.length > width && line.trim().length > 0 && line !== first.trimEnd()) { lines.push(line); line = indent + w; }
    else line += ` ${w}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * A command's --help: its usage line, one line per flag the schema gives it (with bounds and
 * default), then `notes` (what the command does, in its own words). `more` adds usage lines.
 */
export function formatHelp(command: CommandName, notes = '', more: readonly string[] = []): string {
  const c = COMMANDS[command];
  const specs = commandOptions(command).filter((s) => s.help !== null);
  const words = [
    ...(c.operands ? [c.operands] : []),
    ...specs.filter((s) => c.required.includes(s.flag!)).map((s) => `--${s.flag} ${argSample(s)}`.trim()),
    ...specs.filter((s) => !c.required.includes(s.flag!) && s.flag !== 'help').map((s) => `[--${s.flag}${argSample(s) ? ` ${argSample(s)}` : ''}]`),
  ];
  const usage = [wrap(words, `usage: ${c.usage} `), ...more.map((m) => `       ${c.usage} ${m}`)];
  const left = (s: OptionSpec) => `${s.short ? `-${s.short}, ` : '    '}--${s.flag}${argSample(s) ? ` ${argSample(s)}` : ''}`;
  const width = Math.max(...specs.map((s) => left(s).length));
  const lines = specs.map((s) => {
    const extra = [helpBounds(s), s.default !== undefined && s.type !== 'boolean' ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    return `  ${left(s).padEnd(width)}  ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return [...usage, '', 'Options:', ...lines, ...(notes ? ['', notes] : [])].join('\n');
}

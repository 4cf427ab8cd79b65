// The option schema (src/options.ts) is the one validator: the browser CLI's and the Deno CLI's
// parsers (src/command-line.ts) reject the same bad values with the same message, transcode()'s
// checkOptions rejects them with a typed error carrying the same rule, and every --help lists every
// flag the schema gives its command, with the same bounds. Also: each command's source really uses
// the schema's parser and help (no hand-written parseArgs or usage left).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OPTION_SCHEMA, formatHelp, optionRule, optionSpec, parseCommandLine } from '../src/mod.ts';
import type { CommandName, TranscodeOptions } from '../src/mod.ts';
import { checkOptions, commandOptions } from '../src/options.ts';

const ROOT = join(import.meta.dirname, '..');
const INPUT = new Uint8Array(1);

/** What the parser throws for argv, or null when it accepts it. */
function cliError(command: CommandName, argv: string[]): Error | null {
  try { parseCommandLine(command, argv); return null; } catch (err) { return err as Error; }
}

function apiError(options: Partial<TranscodeOptions>): Error | null {
  try { checkOptions({ input: INPUT, ...options }); return null; } catch (err) { return err as Error; }
}

// Bad values: the flags, the API options they stand for, the API's error class, and the rule text
// (from the schema) both messages must carry.
const quantizerRule = 'an AV1 quantizer, an integer between 0 and 63';
const BAD: Array<{ argv: string[]; api: Partial<TranscodeOptions>; error: 'TypeError' | 'RangeError'; rule: string }> = [
  { argv: ['--ladder', '1'], api: { ladder: [1] }, error: 'RangeError', rule: optionRule(optionSpec('ladder')) },
  { argv: ['--ladder', '9000'], api: { ladder: [9000] }, error: 'RangeError', rule: optionRule(optionSpec('ladder')) },
  { argv: ['--ladder', '720,9000'], api: { ladder: [720, 9000] }, error: 'RangeError', rule: optionRule(optionSpec('ladder')) },
  { argv: ['--ladder', '720,1.5'], api: { ladder: [720, 1.5] }, error: 'RangeError', rule: optionRule(optionSpec('ladder')) },
  { argv: ['--chunk-seconds', '0'], api: { chunkSeconds: 0 }, error: 'RangeError', rule: optionRule(optionSpec('chunkSeconds')) },
  { argv: ['--chunk-seconds', '61'], api: { chunkSeconds: 61 }, error: 'RangeError', rule: optionRule(optionSpec('chunkSeconds')) },
  { argv: ['--chunk-seconds', '0.05'], api: { chunkSeconds: 0.05 }, error: 'RangeError', rule: optionRule(optionSpec('chunkSeconds')) },
  { argv: ['--leases', '0'], api: { leases: 0 }, error: 'RangeError', rule: optionRule(optionSpec('leases')) },
  { argv: ['--leases', '1.5'], api: { leases: 1.5 }, error: 'RangeError', rule: optionRule(optionSpec('leases')) },
  { argv: ['--format', 'avi'], api: { format: 'avi' as never }, error: 'TypeError', rule: optionRule(optionSpec('format')) },
  { argv: ['--audio', 'mute'], api: { audio: 'mute' as never }, error: 'TypeError', rule: optionRule(optionSpec('audio')) },
  { argv: ['--policy', 'gpu'], api: { policy: 'gpu' }, error: 'TypeError', rule: optionRule(optionSpec('policy')) },
  { argv: ['--quality', 'best'], api: { quality: 'best' as never }, error: 'TypeError', rule: optionRule(optionSpec('quality')) },
  { argv: ['--ladder', '480,360', '--quality', '30,99'], api: { ladder: [480, 360], quality: [30, 99] }, error: 'RangeError', rule: quantizerRule },
  { argv: ['--ladder', '480,360', '--quality', '30,-1'], api: { ladder: [480, 360], quality: [30, -1] }, error: 'RangeError', rule: quantizerRule },
  { argv: ['--ladder', '480,360', '--quality', '30'], api: { ladder: [480, 360], quality: [30] }, error: 'RangeError', rule: 'one quantizer per ladder rung (2 rungs)' },
  { argv: ['--quality', '30,30'], api: { quality: [30, 30] }, error: 'RangeError', rule: 'one quantizer per ladder rung (4 rungs)' },
];

describe('one option schema for the API and both CLIs', () => {
  for (const bad of BAD) {
    it(`rejects ${bad.argv.join(' ')} alike in both CLIs and the API`, () => {
      const browser = cliError('browser', ['in.mp4', ...bad.argv]);
      const deno = cliError('deno', ['in.mp4', '--out', 'o', ...bad.argv]);
      assert.ok(browser, 'the browser CLI accepts it');
      assert.ok(deno, 'the Deno CLI accepts it');
      assert.equal(browser.message, deno.message, 'the same message in both CLIs');
      const flag = bad.argv[bad.argv.length - 2]!;
      assert.ok(browser.message.startsWith(`bad ${flag} ${JSON.stringify(bad.argv[bad.argv.length - 1])}: `), browser.message);
      assert.ok(browser.message.includes(`must be ${bad.rule}`), `${browser.message} states the rule "${bad.rule}"`);
      const api = apiError(bad.api);
      assert.ok(api, `transcode() accepts ${JSON.stringify(bad.api)}`);
      assert.equal(api.name, bad.error, api.message);
      assert.match(api.message, /^options\.\w+/, 'the API names the option');
      assert.ok(api.message.includes(`must be ${bad.rule}`), `${api.message} states the rule "${bad.rule}"`);
    });
  }

  it('the rules carry the bounds: ladder 2..8192, chunk seconds 0.1..60, quantizers 0..63', () => {
    assert.match(optionRule(optionSpec('ladder')), /between 2 and 8192/);
    assert.match(optionRule(optionSpec('chunkSeconds')), /between 0\.1 and 60/);
    assert.match(optionRule(optionSpec('quality')), /between 0 and 63/);
  });

  it('accepts the bounds themselves and good values, in both CLIs and the API', () => {
    const argv = ['--ladder', '8192,2', '--chunk-seconds', '60', '--leases', '1', '--format', 'cmaf', '--policy', 'adapter:0', '--quality', '0,63', '--audio', 'drop', '--quality-report'];
    const expected = { ladder: [8192, 2], chunkSeconds: 60, leases: 1, format: 'cmaf', policy: 'adapter:0', quality: [0, 63], audio: 'drop', qualityReport: true };
    for (const [command, extra] of [['browser', []], ['deno', ['--out', 'o']]] as const) {
      const r = parseCommandLine(command, ['in.mp4', ...extra, ...argv]);
      assert.deepEqual(r.options, expected, command);
      assert.deepEqual(r.positionals, ['in.mp4']);
    }
    assert.doesNotThrow(() => checkOptions({ input: INPUT, ...expected } as TranscodeOptions));
    assert.doesNotThrow(() => checkOptions({ input: INPUT, chunkSeconds: 0.1, quality: 'low', ladder: [{ height: 720, bitrate: 1e6, quantizer: 30 }, 360] }));
    assert.deepEqual(parseCommandLine('deno', ['x', '--out=o', '--quality', 'high']).options, { quality: 'high' });
  });

  it('command-line errors: unknown flag, missing value, a flag of another command', () => {
    assert.match(cliError('deno', ['x', '--bogus'])!.message, /^unknown option --bogus$/);
    assert.match(cliError('browser', ['x', '--ladder'])!.message, /^missing value for --ladder/);
    assert.match(cliError('browser', ['x', '--json'])!.message, /^unknown option --json$/, '--json is the Deno CLI\'s');
    assert.match(cliError('deno', ['x', '--balancer', 'b.ts'])!.message, /^unknown option --balancer$/, '--balancer is the browser CLI\'s');
    assert.match(cliError('deno', ['x', '--json=1'])!.message, /takes no value/);
    assert.equal(parseCommandLine('deno', ['--help', '--ladder', '1']).help, true, '--help wins over a bad value');
  });

  it('the distributed commands: submit writes mp4 or hls only; worker checks --leases and --policy', () => {
    assert.match(cliError('submit', ['x', '--format', 'dash'])!.message, /^bad --format "dash": must be an OutputFormat \('mp4' or 'hls'\)$/);
    assert.equal(cliError('submit', ['x', '--ladder', '9000'])!.message, cliError('deno', ['x', '--ladder', '9000'])!.message);
    assert.equal(cliError('worker', ['--leases', '0'])!.message, cliError('deno', ['x', '--leases', '0'])!.message);
    assert.equal(cliError('worker', ['--policy', 'gpu'])!.message, cliError('browser', ['--policy', 'gpu'])!.message);
    assert.equal(parseCommandLine('submit', ['--resume', 'J1']).flags.resume, 'J1');
    assert.match(cliError('submit', ['x', '--source', 'disk'])!.message, /^bad --source "disk": must be 'path' or 'store'$/);
  });

  for (const command of ['browser', 'deno', 'submit', 'worker'] as const) {
    it(`${command} --help lists every flag the schema gives it, with its bounds and default`, () => {
      const help = formatHelp(command);
      const specs = commandOptions(command).filter((s) => s.help !== null);
      assert.ok(specs.length >= 4);
      for (const s of specs) {
        const line = help.split('\n').find((l) => new RegExp(`^ {2}(-\\w, | {4})--${s.flag}\\b`).test(l));
        assert.ok(line, `--${s.flag} has a line in ${command}'s --help:\n${help}`);
        assert.ok(line.includes(s.help!), `--${s.flag}'s help line`);
        if (s.type === 'int' || s.type === 'number' || s.type === 'ladder') assert.ok(line.includes(optionRule(s)), `--${s.flag} states its bounds: ${line}`);
        if (s.default !== undefined && s.type !== 'boolean') assert.ok(line.includes(`default ${s.default}`), `--${s.flag} states its default: ${line}`);
        if (s.choices) assert.ok(line.includes(s.choices.join('|')), `--${s.flag} lists its choices: ${line}`);
        if (s.flag !== 'help') assert.ok(help.split('\n\n')[0]!.includes(`--${s.flag}`), `--${s.flag} is in the usage line`);
      }
    });
  }

  it('both CLIs list the same API options with the same lines', () => {
    const apiLines = (command: CommandName) => formatHelp(command).split('\n\nOptions:\n')[1]!.split('\n')
      .filter((l) => OPTION_SCHEMA.some((s) => s.api !== null && s.flag !== null && new RegExp(`^ +--${s.flag}\\b`).test(l)))
      .map((l) => l.trim().replace(/\s+/g, ' '));
    assert.deepEqual(apiLines('browser'), apiLines('deno'));
    assert.equal(apiLines('browser').length, OPTION_SCHEMA.filter((s) => s.api !== null && s.flag !== null && s.commands.includes('browser')).length);
  });

  it('every command parses and prints help through the schema, with no hand-written parser or usage', () => {
    // The Deno commands may live in cli/deno/ (issue 17 moves them out of src/platform/deno/).
    const find = (...paths: string[]) => paths.find((p) => existsSync(join(ROOT, p))) ?? paths[0]!;
    const files: Record<CommandName, string> = {
      browser: 'tools/browser-cli.ts',
      deno: find('cli/deno/cli.ts', 'src/platform/deno/cli.ts'),
      submit: find('cli/deno/submit.ts', 'src/platform/deno/submit.ts'),
      worker: find('cli/deno/worker.ts', 'src/platform/deno/worker.ts'),
    };
    for (const [command, file] of Object.entries(files)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(text.includes(`parseCommandLine('${command}'`), `${file} parses with parseCommandLine('${command}', …)`);
      assert.ok(text.includes(`formatHelp('${command}'`), `${file} prints formatHelp('${command}', …)`);
      assert.ok(!/\bparseArgs\b/.test(text), `${file} has no parseArgs of its own`);
      assert.ok(!/`usage: /.test(text), `${file} has no hand-written usage`);
      if (command === 'browser' || command === 'deno') assert.ok(!/from '\.\.\/(\.\.\/)?(src\/)?options\.ts'/.test(text), `${file} reaches the schema through src/mod.ts`);
    }
  });
});

// The bad-input corpus (tests/corpus/make.ts) through the Deno CLI (`deno task transcode`), under
// the same rule as in Chromium (tests/browser-corpus.test.ts): every run ends in a complete output
// that libdav1d decodes with the frame count the CLI reports, every rung agreeing, or exits 1 with a
// one-line typed error naming the problem within 10 s, leaving no file behind. Prints the table.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROOT } from '../tools/harness.ts';
import { TYPED_ERRORS, expectedOutcome, makeCorpus, selected } from './corpus/make.ts';
import { tempDir } from './lib/cli.ts';
import { dav1dFrameCount } from './lib/media.ts';

const TYPED = new RegExp(`^error: (${TYPED_ERRORS.join('|')}): .{15,}$`);
const ERROR_DEADLINE_MS = 10_000;
const RUN_GUARD_MS = 180_000;

interface Run { code: number; stdout: string; stderr: string; ms: number }

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('npx', ['deno', 'task', '--quiet', 'transcode', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`deno task transcode ${args[0]}: no verdict within ${RUN_GUARD_MS} ms (hang)`)); }, RUN_GUARD_MS);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - t0 }); });
  });
}

describe('bad-input corpus through the Deno CLI', () => {
  it('every corpus file ends in a verified complete output or a typed one-line error in time', async () => {
    const corpus = selected(makeCorpus(tempDir('deno-corpus')));
    const table: string[] = [];
    const failures: string[] = [];
    for (const entry of corpus) {
      const out = tempDir('deno-corpus-out');
      const problem = (m: string) => failures.push(`${entry.name}: ${m}`);
      let run: Run;
      try {
        run = await cli([entry.file, '--out', out, '--ladder', '240,144', '--leases', '2', '--chunk-seconds', '1', '--json']);
      } catch (err) {
        table.push(`${entry.name.padEnd(24)} HANG`);
        problem(err instanceof Error ? err.message : String(err));
        continue;
      }
      const errLine = run.stderr.trim().split('\n').filter((l) => l.startsWith('error: ')).at(-1) ?? '';
      const outcome = run.code === 0 ? 'ok' : (/^error: (\w+):/.exec(errLine)?.[1] ?? 'untyped');
      table.push(`${entry.name.padEnd(24)} ${outcome.padEnd(22)} ${(run.ms / 1000).toFixed(2)} s  ${run.code === 0 ? '' : errLine.slice(7, 100)}`);
      const expected = expectedOutcome(entry.name, 'deno');
      if (!expected.test(outcome)) problem(`expected ${expected}, got ${outcome} ${errLine}`);
      if (run.code === 0) {
        const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { rungs: Array<{ label: number; frames: number; file: string }>; decodedFrames: number; openFrames: number };
        if (summary.openFrames !== 0) problem(`${summary.openFrames} VideoFrames open`);
        if (new Set(summary.rungs.map((r) => r.frames)).size !== 1) problem('rungs disagree on the frame count');
        for (const r of summary.rungs) {
          if (r.frames !== summary.decodedFrames) problem(`${r.label}p: ${r.frames} frames written, ${summary.decodedFrames} decoded`);
          try {
            const n = dav1dFrameCount(r.file);
            if (n !== r.frames) problem(`${r.label}p: libdav1d decodes ${n} frames, the CLI reports ${r.frames}`);
          } catch (err) {
            problem(`${r.label}p: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      } else {
        if (run.code !== 1) problem(`exit code ${run.code}`);
        if (!TYPED.test(errLine)) problem(`not a typed one-line error: ${JSON.stringify(run.stderr.slice(-300))}`);
        if (run.ms > ERROR_DEADLINE_MS) problem(`the error came after ${run.ms.toFixed(0)} ms`);
        const left = existsSync(out) ? readdirSync(out, { recursive: true }) : [];
        if (left.length) problem(`a failed run left files: ${left.slice(0, 5).join(', ')}`);
      }
    }
    console.log(`\n${'input'.padEnd(24)} ${'outcome'.padEnd(22)} settle\n${table.join('\n')}`);
    assert.deepEqual(failures, []);
  });
});

// The test command: runs every tests/**/*.test.ts under Node's test runner (browser tests drive
// Chromium through Playwright), then tests/deno/*.test.ts under Deno, and ends with one line
// "N passed, N failed" summed over both.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function collect(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

function matches(file: string): boolean {
  return filter.length === 0 || filter.some((f) => file.includes(f));
}

function run(cmd: string, args: string[]): Promise<{ code: number; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    // NO_COLOR: the summaries below are parsed from plain text.
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d: Buffer) => { out += d; process.stderr.write(d); });
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, out }));
  });
}

const all = collect(join(root, 'tests'));
const nodeFiles = all.filter((f) => !f.startsWith('tests/deno/') && matches(f));
const denoFiles = all.filter((f) => f.startsWith('tests/deno/') && matches(f));
let passed = 0;
let failed = 0;
/** Tests that ran and skipped themselves (or are marked todo/ignored): neither passed nor failed. */
let skipped = 0;

if (nodeFiles.length > 0) {
  const r = await run(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...nodeFiles,
  ]);
  const pass = /ℹ pass (\d+)/.exec(r.out);
  const fail = /ℹ fail (\d+)/.exec(r.out);
  passed += Number(pass?.[1] ?? 0);
  failed += Number(fail?.[1] ?? 0);
  skipped += Number(/ℹ skipped (\d+)/.exec(r.out)?.[1] ?? 0) + Number(/ℹ todo (\d+)/.exec(r.out)?.[1] ?? 0);
  if (!pass || (r.code !== 0 && Number(fail?.[1] ?? 0) === 0)) { // runner itself broke
    failed += 1;
    console.log(`node --test ended with ${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`}${pass ? ' though no test failed' : ' before its summary'}: counted as one failure`);
  }
}

if (denoFiles.length > 0) {
  const deno = join(root, 'node_modules', '.bin', 'deno');
  const r = await run(deno, ['test', '-A', '--no-check', ...denoFiles]);
  const m = /(\d+) passed.*?(\d+) failed/.exec(r.out);
  passed += Number(m?.[1] ?? 0);
  failed += Number(m?.[2] ?? 0);
  skipped += Number(/\| (\d+) ignored/.exec(r.out)?.[1] ?? 0);
  if (!m || (r.code !== 0 && Number(m[2]) === 0)) {
    failed += 1;
    console.log(`deno test ended with ${r.signal ? `signal ${r.signal}` : `exit code ${r.code}`}${m ? ' though no test failed' : ' before its summary'}: counted as one failure`);
  }
}

console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

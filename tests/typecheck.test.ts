// Every TypeScript file of the product type-checks: `tsc` over tsconfig.json (browser code, Node
// tools, tests, benches) and `deno check` over every Deno entry point (the Deno platform, its CLIs,
// the Deno tests and benches), which tsconfig.json leaves out because they use the Deno namespace
// and node-av. Either one failing prints the compiler's errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Deno entry points, as paths from the repository root; a `*` stands for any characters in the
 * file name only. Everything they import is checked with them. Every pattern must match a file, so
 * a moved entry fails here until this list names its new place. Not listed:
 * tests/fixtures/deno-script/main.ts imports the packed package (tests/package.test.ts runs it).
 */
const DENO_ENTRIES = [
  'src/mod.ts',
  'src/platform/deno/*.ts',
  'cli/deno/*.ts',
  'tests/deno/*.test.ts',
  'bench/deno-ffmpeg-baseline.ts',
  'bench/scale-deno.ts',
];

/** The files a pattern of DENO_ENTRIES names, sorted. */
function expand(pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash);
  const name = pattern.slice(slash + 1);
  if (!name.includes('*')) return [pattern];
  const re = new RegExp(`^${name.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return readdirSync(join(ROOT, dir)).filter((f) => re.test(f)).sort().map((f) => `${dir}/${f}`);
}

const exec = promisify(execFile);

/** Runs a compiler to completion; its exit code and everything it printed. */
async function compile(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const r = await exec(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? String(err)}` };
  }
}

describe('type check', { concurrency: true }, () => {
  it('tsc -p tsconfig.json --noEmit reports no error', async () => {
    const r = await compile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
    assert.equal(r.code, 0, `tsc failed:\n${r.output}`);
  });

  it('deno check reports no error over every Deno entry point', async () => {
    const files = DENO_ENTRIES.flatMap((p) => {
      const found = expand(p);
      assert.ok(found.length > 0, `DENO_ENTRIES: ${p} matches no file`);
      return found;
    });
    const r = await compile(join(ROOT, 'node_modules/.bin/deno'), ['check', '--quiet', ...files]);
    assert.equal(r.code, 0, `deno check ${files.join(' ')} failed:\n${r.output}`);
  });
});

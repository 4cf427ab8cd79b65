// The Deno CLI under interruption: SIGINT at 20 seeded moments exits 130 within 1 s of the signal
// and leaves nothing behind; SIGKILL mid-run never leaves an incomplete file at a final path, and
// --resume then finishes the job, keeping rungs whose files match the checksum manifest (ffmpeg
// verifies every result). Runs the real CLI binary (not through npx, so signals reach it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../tools/harness.ts';
import { prng } from './corpus/make.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount } from './lib/media.ts';

const SOURCE = join(MEDIA, 'frames.webm');
const FRAMES = 100;
const ARGS = ['--ladder', '360,240', '--chunk-seconds', '1', '--json'];
const DENO = join(ROOT, 'node_modules/deno/deno');
const SETTLE_MS = 1000;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number; settleMs: number | null }

/** Runs the CLI; `kill` may send a signal when it decides to (given elapsed ms and the output folder). */
function cli(args: string[], kill?: { at: (elapsedMs: number) => boolean; signal: NodeJS.Signals }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(DENO, ['run', '-A', 'cli/deno/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sentAt: number | null = null;
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const poll = kill ? setInterval(() => {
      if (sentAt === null && kill.at(performance.now() - t0)) { sentAt = performance.now(); child.kill(kill.signal); }
    }, 10) : null;
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CLI hung: ${stderr.slice(-1000)}`)); }, 180_000);
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      clearTimeout(guard);
      const end = performance.now();
      resolve({ code, signal, stdout, stderr, ms: end - t0, settleMs: sentAt === null ? null : end - sentAt });
    });
  });
}

function finalFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')) : [];
}

describe('Deno CLI: SIGINT, SIGKILL and --resume', () => {
  let fullMs = 0;

  it('an uninterrupted run (the time base), then SIGINT at 20 seeded moments: exit 130 within 1 s, nothing left', async () => {
    const base = await cli([SOURCE, '--out', tempDir('deno-int-full'), ...ARGS]);
    assert.equal(base.code, 0, base.stderr.slice(-1000));
    fullMs = base.ms;
    const rand = prng(7);
    const table: string[] = [];
    const problems: string[] = [];
    let interrupted = 0;
    for (let seed = 0; seed < 20; seed++) {
      // Within the first 80% of the uninterrupted run's time: later runs are warm and may finish sooner.
      const at = Math.round(rand() * 0.8 * fullMs);
      const out = tempDir('deno-int');
      const r = await cli([SOURCE, '--out', out, ...ARGS], { at: (ms) => ms >= at, signal: 'SIGINT' });
      const how = r.code === 0 ? 'completed' : r.code !== null ? `exit ${r.code}` : `killed by ${r.signal}`;
      table.push(`${String(seed).padEnd(4)} ${String(at).padStart(6)} ms  ${how.padEnd(18)} settle ${r.settleMs === null ? '-' : r.settleMs.toFixed(0)} ms`);
      const p = (m: string) => problems.push(`seed ${seed} (SIGINT at ${at} ms): ${m}`);
      if (r.code === 0) {
        for (const f of ['360p.mp4', '240p.mp4']) if (dav1dFrameCount(join(out, f)) !== FRAMES) p(`${f} incomplete`);
        continue;
      }
      interrupted++;
      // Before Deno has installed the handler the default action ends it (a shell reports 130 too).
      if (!(r.code === 130 || r.signal === 'SIGINT')) p(`${how}: ${r.stderr.slice(-300)}`);
      if (r.code === 130 && !/error: AbortError: .*SIGINT/.test(r.stderr)) p(`no one-line AbortError message: ${r.stderr.slice(-300)}`);
      if (r.settleMs === null || r.settleMs > SETTLE_MS) p(`settled ${r.settleMs?.toFixed(0)} ms after the signal`);
      if (finalFiles(out).length) p(`left ${finalFiles(out).join(', ')}`);
      if (existsSync(join(out, '.ladder-manifest.json'))) p('left a manifest');
    }
    console.log(`uninterrupted: ${fullMs.toFixed(0)} ms\nseed  SIGINT at  outcome            settle\n${table.join('\n')}`);
    assert.deepEqual(problems, []);
    // The test's subject is interrupting a running job: most signals must land inside one.
    assert.ok(interrupted >= 15, `only ${interrupted} of 20 signals interrupted a running job`);
  });

  it('SIGKILL mid-run leaves no incomplete file at a final path; --resume finishes and ffmpeg verifies it', async () => {
    const out = tempDir('deno-kill');
    // Killed half-way through (later runs are faster than the first, cold one: not near its end),
    // or as soon as a rung's file is renamed into place, whichever comes first.
    const killed = await cli([SOURCE, '--out', out, ...ARGS], { at: (ms) => finalFiles(out).length > 0 || ms > 0.5 * fullMs, signal: 'SIGKILL' });
    assert.equal(killed.signal, 'SIGKILL', `the run finished before it could be killed: ${killed.stderr.slice(-300)}`);
    const left = finalFiles(out);
    console.log(`after SIGKILL at ${killed.ms.toFixed(0)} ms: ${left.join(', ') || 'no final files'}`);
    for (const f of left) assert.equal(dav1dFrameCount(join(out, f)), FRAMES, `${f} is at its final path, so it must be complete`);
    const resumed = await cli([SOURCE, '--out', out, ...ARGS, '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr.slice(-1000));
    const summary = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { rungs: Array<{ label: number; file: string; frames: number }>; resumed: number[] };
    console.log(`--resume kept ${summary.resumed.map((l) => `${l}p`).join(', ') || 'nothing'}, redid the rest`);
    assert.deepEqual(summary.rungs.map((r) => r.label).sort(), [240, 360]);
    for (const r of summary.rungs) assert.equal(dav1dFrameCount(r.file), FRAMES, `${r.file} after --resume`);
  });

  it('--resume keeps a rung whose files match the manifest and redoes one whose file was damaged', async () => {
    const out = tempDir('deno-resume');
    const first = await cli([SOURCE, '--out', out, ...ARGS]);
    assert.equal(first.code, 0, first.stderr.slice(-1000));
    const intact = readFileSync(join(out, '360p.mp4'));
    truncateSync(join(out, '240p.mp4'), 1000);
    const again = await cli([SOURCE, '--out', out, ...ARGS, '--resume']);
    assert.equal(again.code, 0, again.stderr.slice(-1000));
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { resumed: number[]; stats: { encodedFrames: number } };
    assert.deepEqual(summary.resumed, [360], 'the intact rung is kept');
    assert.equal(summary.stats.encodedFrames, FRAMES, 'only the damaged rung is encoded again');
    assert.ok(readFileSync(join(out, '360p.mp4')).equals(intact), 'the kept file is untouched');
    assert.equal(dav1dFrameCount(join(out, '240p.mp4')), FRAMES);
    // A changed input invalidates the manifest: everything is redone.
    const copy = join(tempDir('deno-resume-src'), 'frames.webm');
    writeFileSync(copy, readFileSync(SOURCE));
    const other = await cli([copy, '--out', out, ...ARGS, '--resume']);
    assert.equal(other.code, 0, other.stderr.slice(-1000));
    assert.deepEqual((JSON.parse(other.stdout.trim().split('\n').at(-1)!) as { resumed: number[] }).resumed, []);
  });
});

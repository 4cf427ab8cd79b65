// Issue 16, signals: both CLIs started exactly as the README says (`npm run transcode:deno -- …`,
// `npm run transcode:browser -- …`) on a 25 s source, cancelled while encoding by (a) SIGTERM to
// the started process alone (what a supervisor sends) and (b) SIGINT to its process group (a
// terminal's Ctrl-C). Each time: exit status 143 / 130, no process of the job alive 4 s after the
// signal (the whole tree seen before signalling, plus anything carrying the run's environment
// mark, which finds a process that was orphaned or started later), and no file left in the
// output folder, so nothing incomplete is at a final path.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA } from './lib/media.ts';

/** Each run's processes carry MARK=<token> in their environment (Deno and Chromium inherit it). */
const MARK = 'LADDER_SIGNALS_TEST_RUN';
/** The acceptance: nothing of the job is running this long after the signal. */
const GONE_WITHIN_MS = 4000;
/** How long the job encodes after its first progress line before it is signalled. */
const ENCODE_MS = 2000;
const READY_GUARD_MS = 180_000;

interface Proc { pid: number; ppid: number; start: string; state: string; exe: string }

/** Every process now, from /proc (start time to tell a reused pid apart). */
function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): state ppid … starttime (22nd).
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      let exe = '';
      try { exe = readlinkSync(`/proc/${name}/exe`); } catch { /* kernel thread or gone */ }
      out.set(Number(name), { pid: Number(name), state: rest[0]!, ppid: Number(rest[1]), start: rest[19]!, exe });
    } catch { /* exited while listing */ }
  }
  return out;
}

function marked(token: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`${MARK}=${token}`)) found.push(Number(name));
    } catch { /* gone, or not ours to read */ }
  }
  return found;
}

/** The process and all its descendants. */
function tree(root: number): Proc[] {
  const all = processes();
  const result: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const p = all.get(pid);
    if (!p) continue;
    result.push(p);
    for (const c of all.values()) if (c.ppid === pid) queue.push(c.pid);
  }
  return result;
}

/** Those of `seen` still running (same pid and start time, not a zombie), and marked newcomers. */
function survivors(seen: Proc[], token: string): Proc[] {
  const now = processes();
  const alive = seen.filter((p) => { const q = now.get(p.pid); return q !== undefined && q.start === p.start && q.state !== 'Z'; });
  for (const pid of marked(token)) {
    const q = now.get(pid);
    if (q && q.state !== 'Z' && !alive.some((p) => p.pid === pid)) alive.push(q);
  }
  return alive;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

interface Outcome { code: number | null; signal: NodeJS.Signals | null; stderr: string; before: Proc[]; left: Proc[]; files: string[] }

/**
 * Starts `npm run SCRIPT -- ARGS` in its own process group, waits for `ready` on stderr plus
 * ENCODE_MS, sends `signal` (to the group when `group`), and reports what is left.
 */
async function cancel(script: string, args: string[], ready: RegExp, signal: 'SIGTERM' | 'SIGINT', group: boolean): Promise<Outcome> {
  const out = tempDir(`signals-${script.replace(':', '-')}`);
  const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const child = spawn('npm', ['run', script, '--', ...args, '--out', out], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', [MARK]: token },
  });
  let stderr = '';
  child.stdout.on('data', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
  let seen: Proc[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`${script}: no progress line ${ready} within ${READY_GUARD_MS} ms: ${stderr.slice(-1500)}`)), READY_GUARD_MS);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (ready.test(stderr)) { clearTimeout(guard); resolve(); }
      });
      void exited.then(({ code }) => { clearTimeout(guard); reject(new Error(`${script} ended (exit ${code}) before it was signalled: ${stderr.slice(-1500)}`)); });
    });
    await new Promise((r) => setTimeout(r, ENCODE_MS));
    seen = tree(child.pid!);
    const sentAt = performance.now();
    if (group) process.kill(-child.pid!, signal);
    else process.kill(child.pid!, signal);
    const guard = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 60_000);
    const { code, signal: endSignal } = await exited;
    clearTimeout(guard);
    let left = survivors(seen, token);
    while (left.length > 0 && performance.now() - sentAt < GONE_WITHIN_MS) {
      await new Promise((r) => setTimeout(r, 100));
      left = survivors(seen, token);
    }
    return { code, signal: endSignal, stderr, before: seen, left, files: filesUnder(out) };
  } finally {
    for (const p of survivors(seen, token)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
    if (child.exitCode === null && child.signalCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(out, { recursive: true, force: true });
  }
}

function describeLeft(o: Outcome): string {
  return `${o.left.length} left: ${o.left.map((p) => `${p.pid} ${p.exe}`).join(', ')}\n${o.stderr.slice(-1500)}`;
}

let source = '';

before(() => {
  // 25 s of 1080p: video.mp4 (5 s) played five times, copied without re-encoding.
  source = join(tempDir('signals-src'), 'loop25.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '4', '-i', join(MEDIA, 'video.mp4'), '-c', 'copy', source], { timeout: 60_000 });
  const seconds = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', source], { encoding: 'utf8' }));
  assert.ok(seconds >= 20, `the looped source is ${seconds} s, not 20 s or more`);
});

after(() => { if (source) rmSync(join(source, '..'), { recursive: true, force: true }); });

describe('npm run transcode:deno (tools/deno-cli.mjs → deno) cancelled while encoding', () => {
  // The Deno CLI's progress line at job start: "1 rungs, 1 leases (0 hardware), GPU: …".
  const READY = /^\d+ rungs, \d+ leases/m;
  const hasDeno = (o: Outcome) => o.before.some((p) => p.exe.endsWith('/deno'));

  it('(a) SIGTERM to the npm process alone: exit 143, nothing running after 4 s, no files', async () => {
    const o = await cancel('transcode:deno', [source, '--ladder', '360', '--format', 'hls'], READY, 'SIGTERM', false);
    assert.ok(hasDeno(o), `no deno process in the tree before signalling: ${o.before.map((p) => p.exe).join(', ')}`);
    assert.equal(o.code, 143, `exit ${o.code} / ${o.signal}: ${o.stderr.slice(-1500)}`);
    assert.match(o.stderr, /Terminated \(SIGTERM\)/);
    assert.deepEqual(o.left, [], describeLeft(o));
    assert.deepEqual(o.files, []);
  });

  it('(b) SIGINT to the process group: exit 130, nothing running after 4 s, no files', async () => {
    const o = await cancel('transcode:deno', [source, '--ladder', '360', '--format', 'mp4'], READY, 'SIGINT', true);
    assert.ok(hasDeno(o), `no deno process in the tree before signalling: ${o.before.map((p) => p.exe).join(', ')}`);
    assert.equal(o.code, 130, `exit ${o.code} / ${o.signal}: ${o.stderr.slice(-1500)}`);
    assert.match(o.stderr, /Interrupted \(SIGINT\)/);
    assert.deepEqual(o.left, [], describeLeft(o));
    assert.deepEqual(o.files, []);
  });
});

describe('npm run transcode:browser (Node, Playwright, Chromium) cancelled while encoding', () => {
  // The browser CLI's decode progress: "decoded N/M frames, …" with N > 0.
  const READY = /^decoded [1-9]\d*\/\d+ frames/m;
  const hasChromium = (o: Outcome) => o.before.filter((p) => /chrom/.test(p.exe)).length;

  it('(a) SIGTERM to the npm process alone: exit 143, Chromium and all gone after 4 s, no files', async () => {
    const o = await cancel('transcode:browser', [source, '--ladder', '360', '--format', 'hls'], READY, 'SIGTERM', false);
    assert.ok(hasChromium(o) > 0, `no Chromium process in the tree before signalling: ${o.before.map((p) => p.exe).join(', ')}`);
    assert.equal(o.code, 143, `exit ${o.code} / ${o.signal}: ${o.stderr.slice(-1500)}`);
    assert.match(o.stderr, /cancelled by SIGTERM/);
    assert.deepEqual(o.left, [], describeLeft(o));
    assert.deepEqual(o.files, []);
  });

  it('(b) SIGINT to the process group: exit 130, Chromium and all gone after 4 s, no files', async () => {
    const o = await cancel('transcode:browser', [source, '--ladder', '360', '--format', 'mp4'], READY, 'SIGINT', true);
    assert.ok(hasChromium(o) > 0, `no Chromium process in the tree before signalling: ${o.before.map((p) => p.exe).join(', ')}`);
    assert.equal(o.code, 130, `exit ${o.code} / ${o.signal}: ${o.stderr.slice(-1500)}`);
    assert.match(o.stderr, /cancelled by SIGINT/);
    assert.deepEqual(o.left, [], describeLeft(o));
    assert.deepEqual(o.files, []);
  });
});

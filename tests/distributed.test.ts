// Acceptance for the distributed ladder (deno task submit / worker / cancel on NATS JetStream): a
// real `nats-server -js` on a free loopback port with a temporary store, worker processes, and the
// outputs checked with the same shared checks as the single-machine CLI. The runs are shared to
// keep CPU low (SVT-AV1 preset 12, 1 s segments): an MP4 ladder during which a worker is SIGKILLed,
// an HLS ladder with a worker that breaks the contract, a coordinator killed and resumed, a cancel.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import { ROOT } from '../tools/harness.ts';
import { planSegments } from '../src/distributed/segments.ts';
import { tempDir } from './lib/cli.ts';
import { checkHlsBandwidthAndCodecs, checkHlsDecodes, checkHlsPlayback, checkHlsPlaylists, checkMp4Rung, checkPsnr, readHlsLadder } from './lib/ladder-checks.ts';
import { MEDIA, dav1dFrameCount } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');
const ENV = { ...process.env, NO_COLOR: '1', LADDER_SVT_PRESET: '12' };
const LADDER = [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }, { width: 854, height: 480 }, { width: 640, height: 360 }];
const STEP_MS = 4 * 60_000;

const hasNats = spawnSync('nats-server', ['--version']).status === 0;

interface ChunkRec { index: number; worker: string; encodeId: string; delivery: number }
interface Summary {
  rungs: Array<{ width: number; height: number; label: number; codec: string; frames: number; file: string; chunks: ChunkRec[] }>;
  job: string; segments: number; workers: Record<string, number>; redelivered: Array<{ segment: number; delivery: number }>;
  rejected: Array<{ rung: number; index: number; worker: string; reason: string }>; keptChunks: Array<{ rung: number; index: number; worker: string; encodeId: string }>;
  openFrames: number; master?: string;
}

/** A child process in its own process group (so `deno task`'s chain dies whole), with its output kept. */
class Proc {
  readonly child: ChildProcess;
  out = '';
  err = '';
  readonly done: Promise<number>;
  constructor(args: string[]) {
    this.child = spawn(DENO, args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child.stdout!.on('data', (d: Buffer) => { this.out += d; });
    this.child.stderr!.on('data', (d: Buffer) => { this.err += d; });
    this.done = new Promise((resolve) => this.child.on('close', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  }
  kill(sig: NodeJS.Signals = 'SIGKILL'): void {
    try { process.kill(-this.child.pid!, sig); } catch { /* gone */ }
  }
  /** Resolves once stderr matches `re` (checked as output arrives); rejects after `ms`. */
  async waitFor(re: RegExp, ms = STEP_MS): Promise<RegExpMatchArray> {
    const t0 = Date.now();
    for (;;) {
      const m = this.err.match(re);
      if (m) return m;
      if (this.child.exitCode !== null) throw new Error(`process exited (${this.child.exitCode}) before ${re}: ${this.err.slice(-1500)}`);
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}: ${this.err.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async exit(ms = STEP_MS): Promise<number> {
    const timer = setTimeout(() => this.kill(), ms);
    try { return await this.done; } finally { clearTimeout(timer); }
  }
  summary(): Summary {
    return JSON.parse(this.out.trim().split('\n').pop() ?? '') as Summary;
  }
}

/** The first of `procs` whose stderr matches `re`. */
async function first(procs: Proc[], re: RegExp, ms = STEP_MS): Promise<Proc> {
  const t0 = Date.now();
  for (;;) {
    const p = procs.find((x) => re.test(x.err));
    if (p) return p;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} from any of ${procs.length} processes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

describe('distributed ladder on NATS JetStream (deno task submit / worker / cancel)', { skip: hasNats ? false : 'nats-server is not installed' }, () => {
  const dir = tempDir('nats');
  let url = '';
  let server: ChildProcess | null = null;
  const procs: Proc[] = [];
  const worker = (id: string, extra: string[] = []) => {
    const p = new Proc(['task', 'worker', '--nats', url, '--id', id, ...extra]);
    procs.push(p);
    return p;
  };
  const submit = (args: string[]) => {
    const p = new Proc(['task', 'submit', ...args, '--nats', url, '--json']);
    procs.push(p);
    return p;
  };
  let workers: Proc[] = [];

  before(async () => {
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    server = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, 'store')], { stdio: 'ignore' });
    // Three workers, started once for every run below.
    workers = [worker('w1'), worker('w2'), worker('w3')];
    await Promise.all(workers.map((w) => w.waitFor(/ready:/)));
  });

  after(() => {
    for (const p of procs) p.kill();
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  describe('MP4 ladder (1080/720/480/360) on three workers, one SIGKILLed in the middle of a segment', () => {
    let s: Summary;
    let killed = '';
    before(async () => {
      const job = submit([SOURCE, '--out', join(dir, 'mp4'), '--format', 'mp4', '--chunk-seconds', '1']);
      // The first worker to start a segment is killed while it encodes it.
      const started = await first(workers, /segment-start /);
      started.kill('SIGKILL');
      killed = started.err.match(/worker (\w+):/)![1]!;
      const code = await job.exit();
      assert.equal(code, 0, job.err.slice(-2000));
      s = job.summary();
      workers = workers.filter((w) => w !== started);
    });

    it('every rung decodes frame-exact in libdav1d, av1C matches the first sequence header, PSNR ≥ 35 dB', () => {
      assert.deepEqual(s.rungs.map((r) => ({ width: r.width, height: r.height })), LADDER);
      for (const r of s.rungs) {
        checkMp4Rung(r.file, r, 125, true);
        console.log(`PSNR ${r.label}p: ${checkPsnr(r.file, SOURCE, r, 35).toFixed(2)} dB`);
      }
      assert.equal(s.openFrames, 0);
    });

    it('chunks came from at least two workers, and the killed worker\'s segment was redelivered', () => {
      console.log(`workers: ${JSON.stringify(s.workers)}; redelivered: ${JSON.stringify(s.redelivered)}; killed ${killed}`);
      assert.ok(Object.keys(s.workers).length >= 2, JSON.stringify(s.workers));
      assert.equal(Object.values(s.workers).reduce((a, b) => a + b, 0), s.segments * 4);
      assert.ok(s.redelivered.length >= 1 && s.redelivered.every((r) => r.delivery >= 2), JSON.stringify(s.redelivered));
      assert.ok(!(killed in s.workers), `no chunk from the killed worker ${killed}`);
    });
  });

  describe('HLS ladder with a worker that breaks the contract (--test-force-colour)', () => {
    let s: Summary;
    let out = '';
    let rogue: Proc;
    before(async () => {
      rogue = worker('rogue', ['--test-force-colour']);
      await rogue.waitFor(/ready:/);
      out = join(dir, 'hls');
      const job = submit([SOURCE, '--out', out, '--format', 'hls', '--chunk-seconds', '1']);
      const code = await job.exit();
      assert.equal(code, 0, job.err.slice(-2000));
      s = job.summary();
      rogue.kill('SIGKILL');
    });

    it('the rogue worker\'s chunks were rejected and re-encoded by others: one contract per rung', () => {
      console.log(`rejected: ${s.rejected.length} chunks (${[...new Set(s.rejected.map((r) => r.worker))].join(', ')}); workers: ${JSON.stringify(s.workers)}`);
      assert.ok(/segment-done/.test(rogue.err), 'the rogue worker encoded at least one segment');
      assert.ok(s.rejected.length >= 1);
      assert.ok(s.rejected.every((r) => r.worker === 'rogue' && /colorPrimaries|transferCharacteristics|matrixCoefficients/.test(r.reason)), JSON.stringify(s.rejected));
      assert.ok(!('rogue' in s.workers), 'no accepted chunk is the rogue worker\'s');
    });

    it('playlists parse, every rung decodes frame-exact in libdav1d, CODECS matches each init segment', () => {
      const l = readHlsLadder(out);
      checkHlsPlaylists(out, l, 4, true);
      checkHlsDecodes(out, l, LADDER, 125, true);
      checkHlsBandwidthAndCodecs(out, l);
    });

    it('hls.js plays it in Chromium', async () => {
      const r = await checkHlsPlayback(out, 4, 4);
      console.log(`hls.js: ${JSON.stringify(r).slice(0, 300)}`);
    });
  });

  describe('a coordinator killed mid-job and resumed (360p)', () => {
    let s: Summary;
    const seen = new Map<string, string>();
    before(async () => {
      const out = join(dir, 'resume');
      const first = submit([SOURCE, '--out', out, '--ladder', '360', '--chunk-seconds', '1']);
      const job = (await first.waitFor(/^job (\w+)$/m))[1]!;
      await first.waitFor(/chunk 0\.\d+ .*\(2\/5\)/);
      first.kill('SIGKILL');
      await first.exit();
      for (const m of first.err.matchAll(/chunk (\d+\.\d+) worker \S+ encode (\S+)/g)) seen.set(m[1]!, m[2]!);
      const again = submit(['--resume', job, '--out', out]);
      const code = await again.exit();
      assert.equal(code, 0, again.err.slice(-2000));
      s = again.summary();
    });

    it('finishes frame-exact without re-encoding the chunks stored before the kill', () => {
      assert.ok(seen.size >= 2);
      const final = new Map(s.rungs[0]!.chunks.map((c) => [`0.${c.index}`, c.encodeId]));
      for (const [k, id] of seen) assert.equal(final.get(k), id, `chunk ${k} kept its encode`);
      for (const k of seen.keys()) assert.ok(s.keptChunks.some((c) => `${c.rung}.${c.index}` === k), `chunk ${k} listed as kept`);
      assert.equal(dav1dFrameCount(s.rungs[0]!.file), 125);
    });
  });

  describe('deno task cancel JOB', () => {
    let job = '';
    let code = 0;
    let after = '';
    let buckets: string[] = [];
    before(async () => {
      const coordinator = submit([SOURCE, '--out', join(dir, 'cancel'), '--ladder', '1080,720', '--chunk-seconds', '1']);
      job = (await coordinator.waitFor(/^job (\w+)$/m))[1]!;
      const busy = await first(workers, new RegExp(`segment-start ${job}`));
      const cancel = new Proc(['task', 'cancel', job, '--nats', url]);
      procs.push(cancel);
      assert.equal(await cancel.exit(60_000), 0, cancel.err);
      const marks = workers.map((w) => w.err.length);
      // Within 5 s the coordinator has stopped by itself (exit(5 s) kills it otherwise: status 128)
      // and the busy worker has dropped the job's segment.
      code = await coordinator.exit(5_000);
      await busy.waitFor(new RegExp(`(segment-dropped|segment-done) ${job}|job ${job} cancelled`), 5_000);
      await new Promise((r) => setTimeout(r, 1_000));
      after = workers.map((w, i) => w.err.slice(marks[i])).join('\n');
      const nc = await connect({ servers: url });
      try {
        for await (const st of new Objm(nc).list()) buckets.push(st.bucket);
      } finally {
        await nc.close();
      }
    });

    it('the coordinator exits non-zero within 5 s, no worker starts another of its segments, its object store is gone', () => {
      assert.equal(code, 1, 'the coordinator ended with an error of its own, not killed');
      assert.ok(!after.includes(`segment-start ${job}`), `no segment of the job started after the cancel: ${after}`);
      assert.ok(!buckets.includes(`ladder-${job}`), `buckets: ${buckets.join(', ')}`);
      assert.ok(!existsSync(join(dir, 'cancel', '1080p.mp4')));
    });
  });
});

describe('planSegments (the coordinator\'s cut, from the packet index alone)', () => {
  it('cuts at the output clock\'s chunk slices, with the pre-roll back to the key frame before each', () => {
    // 10 frames at 25 fps, key frames at 0 and 0.24 s, B-frame order (decode order differs from presentation).
    const pts = [0, 80_000, 40_000, 160_000, 120_000, 240_000, 320_000, 280_000, 360_000, 200_000];
    const index = pts.map((t) => ({ timestamp: t, duration: 40_000, key: t === 0 || t === 240_000 }));
    const segs = planSegments(index, 0.1, 25, 1_000_000);
    // Slice k holds output times t with floor((t + 1) / 0.1 s) = k.
    assert.deepEqual(segs.map((s) => s.startUs), [0, 120_000, 200_000, 320_000]);
    assert.deepEqual(segs.map((s) => s.endUs), [120_000, 200_000, 320_000, null]);
    assert.deepEqual(segs.map((s) => s.frames), [3, 2, 3, 2]);
    // Frames from the key frame at or before the start (0, 0, 0, 0.24 s) up to it.
    assert.deepEqual(segs.map((s) => s.preroll), [0, 3, 5, 2]);
    assert.deepEqual(segs.map((s) => s.index), [0, 1, 2, 3]);
  });
});

// `npm run bench:distributed -- [--seconds 30] [--workers 1,2,3] [--worker-leases 1,2] [--preset 12] [--chunk-seconds 2]`:
// a benchmark, not a test. video.mp4 looped (stream copy) to --seconds, the default ladder
// (1080/720/480/360), through the distributed engine on a real `nats-server -js` started here on
// loopback: one job per worker count, N local worker processes (`npm run worker`), wall time of
// `npm run submit` from publish to the last output written. The peer, run in the same session on
// the same clip and preset: the single-machine engine (`npm run transcode:deno`). Prints each wall
// time, its ratio to the single-machine run, and chunks per worker; with --worker-leases, one job per
// worker count and lease count (each worker's --leases; without it, the worker's default). On one machine the workers
// share its cores: the figures show the coordination overhead and the lease use, not the speed-up
// of N machines (README, "Many machines", for the model).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { ROOT } from '../tools/harness.ts';
import { tempDir } from '../tests/lib/cli.ts';
import { MEDIA } from '../tests/lib/media.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' }, workers: { type: 'string', default: '1,2,3' },
    preset: { type: 'string', default: '12' }, 'chunk-seconds': { type: 'string', default: '2' },
    'worker-leases': { type: 'string', default: '' },
  },
});
const counts = values.workers.split(',').map(Number);
const leaseCounts: Array<number | null> = values['worker-leases'] === '' ? [null] : values['worker-leases'].split(',').map(Number);
if (leaseCounts.some((n) => n !== null && (!Number.isInteger(n) || n < 1))) throw new Error(`--worker-leases must be positive integers, got ${values['worker-leases']}`);
const env = { ...process.env, NO_COLOR: '1', LADDER_SVT_PRESET: values.preset };
const dir = tempDir('bench-distributed');
const clip = join(dir, `loop${values.seconds}.mp4`);
execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', join(MEDIA, 'video.mp4'), '-t', values.seconds, '-c', 'copy', clip]);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs an npm script to its end; resolves with its wall time in seconds and its last stdout line. */
function timed(script: string, args: string[]): Promise<{ seconds: number; last: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`npm run ${script} exited ${code}: ${err.slice(-1500)}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, last: out.trim().split('\n').pop() ?? '' });
    });
  });
}

console.error(`machine: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} before; clip ${values.seconds} s, SVT-AV1 preset ${values.preset}, ${values['chunk-seconds']} s chunks`);
const single = await timed('transcode:deno', [clip, '--out', join(dir, 'single'), '--chunk-seconds', values['chunk-seconds'], '--json']);
console.log(`single machine (npm run transcode:deno): ${single.seconds.toFixed(1)} s`);

const port = await freePort();
const url = `nats://127.0.0.1:${port}`;
mkdirSync(join(dir, 'js'));
const server = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, 'js')], { stdio: 'ignore' });
const rows: string[] = [];
try {
  await new Promise((r) => setTimeout(r, 1000));
  for (const n of counts) for (const leases of leaseCounts) {
    const workers: ChildProcess[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const own = leases === null ? [] : ['--leases', String(leases)];
        workers.push(spawn('npm', ['run', '-s', 'worker', '--', '--nats', url, '--id', `w${n}-${leases ?? 'd'}-${i + 1}`, ...own], { cwd: ROOT, env, stdio: 'ignore', detached: true }));
      }
      await new Promise((r) => setTimeout(r, 5000)); // workers connected and pulling
      const r = await timed('submit', [clip, '--out', join(dir, `out${n}-${leases ?? 'd'}`), '--nats', url, '--chunk-seconds', values['chunk-seconds'], '--json']);
      const summary = JSON.parse(r.last) as { workers?: Record<string, number> };
      const row = `${n} worker${n > 1 ? 's' : ' '}${leases === null ? '' : ` × ${leases} lease${leases > 1 ? 's' : ''}`}: ${r.seconds.toFixed(1)} s  ${(r.seconds / single.seconds).toFixed(2)}× the single-machine run  chunks per worker ${JSON.stringify(summary.workers ?? {})}`;
      rows.push(row);
      console.log(row);
    } finally {
      for (const w of workers) { try { process.kill(-w.pid!, 'SIGTERM'); } catch { /* gone */ } }
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
} finally {
  server.kill('SIGTERM');
}
console.error(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

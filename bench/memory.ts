// `npm run bench:memory -- [--ladder 360] [--long 35] [--only chromium|deno]`: a benchmark, not a test.
// Does memory follow the frames in flight, or the source's duration? Runs the same ladder on
// video.mp4 (5 s of 1080p) and on a 35 s clip that ffmpeg makes by looping it, (1) in headless
// Chromium: the page's peak JS heap (CDP Performance.getMetrics, sampled), the scalers' peak GPU
// buffer bytes (counted by the engine) and the peak PSS of the Chromium processes it started
// (/proc/PID/smaps_rollup, sampled); (2) under Deno: the CLI's peak RSS (GNU time), through
// `deno task transcode` as a user runs it (the task sets MALLOC_ARENA_MAX=1, see tools/deno-cli.mjs).
// Prints each figure for both clips and the long ÷ short ratio (goal ≤ 1.3). --only runs one part.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuild, launchChromium, openHarness, ROOT, runJob, serve } from '../tools/harness.ts';
import { tempDir } from '../tests/lib/cli.ts';
import { MEDIA } from '../tests/lib/media.ts';

const { values } = parseArgs({ options: { ladder: { type: 'string', default: '360' }, long: { type: 'string', default: '35' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) { console.log('usage: npm run bench:memory -- [--ladder 360] [--long 35] [--only chromium|deno]'); process.exit(0); }
const ladder = values.ladder.split(',').map(Number);
const longSeconds = Number(values.long);
if (ladder.some((n) => !Number.isInteger(n) || n < 2) || !(longSeconds > 5)) {
  console.error('error: --ladder takes heights like 360,240 and --long a duration over 5 s');
  process.exit(1);
}
if (values.only !== undefined && values.only !== 'chromium' && values.only !== 'deno') {
  console.error('error: --only takes chromium or deno');
  process.exit(1);
}

const dir = tempDir('memory');
const short = join(MEDIA, 'video.mp4');
const long = join(dir, `video-${longSeconds}s.mp4`);
execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', short, '-c', 'copy', '-t', String(longSeconds), long]);

/** The parent pid of every process, from /proc/PID/stat (field 4, after the parenthesised name). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      out.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* the process ended */ }
  }
  return out;
}

/** Proportional set size of the Chromium processes this benchmark started (descendants of this
 * process whose command line names chromium: not another user's browser on the same machine), in
 * bytes, by process type. */
function chromiumRss(): Map<string, number> {
  const byType = new Map<string, number>();
  const ppid = parents();
  const ours = (pid: number) => {
    for (let p = ppid.get(pid); p !== undefined && p > 1; p = ppid.get(p)) if (p === process.pid) return true;
    return false;
  };
  for (const pid of ppid.keys()) {
    try {
      if (!ours(pid)) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      // PSS, not RSS: Chromium's processes share much of their memory, and RSS counts it in each.
      const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
      byType.set(type, (byType.get(type) ?? 0) + Number(kb ?? 0) * 1024);
    } catch { /* the process ended */ }
  }
  return byType;
}

interface Peak { heap: number; gpu: number; rss: number; rssByType: Map<string, number>; wallMs: number; frames: number }

async function browserRun(input: string): Promise<Peak> {
  const browser = await launchChromium();
  const server = await serve({ inputPath: input, outDir: tempDir('memory-out') });
  try {
    const { page } = await openHarness(browser, server.origin);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    let heap = 0;
    let rss = 0;
    const rssByType = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { metrics } = await cdp.send('Performance.getMetrics');
        heap = Math.max(heap, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
        const now = chromiumRss();
        rss = Math.max(rss, [...now.values()].reduce((a, b) => a + b, 0));
        for (const [t, v] of now) rssByType.set(t, Math.max(rssByType.get(t) ?? 0, v));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder, chunkSeconds: 2 });
    sampling = false;
    await sampler;
    if (!reply.ok) throw new Error(`${input}: ${reply.error?.name}: ${reply.error?.message}`);
    const gpu = await page.evaluate(() => window.gpuBufferBytes().peak);
    return { heap, gpu, rss, rssByType, wallMs: reply.wallMs, frames: (reply.stats as { decodedFrames: number }).decodedFrames };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function denoRun(input: string): Promise<{ rss: number; wallMs: number }> {
  const out = tempDir('memory-deno');
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-v', 'npx', 'deno', 'task', 'transcode', input, '--out', out, '--ladder', ladder.join(','), '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  child.stdout.resume();
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`deno task transcode ${input} exited ${code}: ${stderr.slice(-1500)}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  return { rss: Number(kb) * 1024, wallMs: performance.now() - t0 };
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}×`;
await ensureBuild();
console.log(`ladder ${ladder.join(',')}; short = video.mp4 (5 s 1080p), long = ${longSeconds} s (ffmpeg -stream_loop)`);
if (values.only !== 'deno') {
  const bs = await browserRun(short);
  const bl = await browserRun(long);
  console.log(`\nChromium           ${'5 s'.padStart(12)} ${`${longSeconds} s`.padStart(12)}  ratio`);
  console.log(`frames             ${String(bs.frames).padStart(12)} ${String(bl.frames).padStart(12)}`);
  console.log(`peak JS heap       ${mb(bs.heap).padStart(12)} ${mb(bl.heap).padStart(12)}  ${ratio(bs.heap, bl.heap)}`);
  console.log(`peak GPU buffers   ${mb(bs.gpu).padStart(12)} ${mb(bl.gpu).padStart(12)}  ${ratio(bs.gpu, bl.gpu)}`);
  console.log(`heap + GPU         ${mb(bs.heap + bs.gpu).padStart(12)} ${mb(bl.heap + bl.gpu).padStart(12)}  ${ratio(bs.heap + bs.gpu, bl.heap + bl.gpu)}`);
  console.log(`peak Chromium PSS  ${mb(bs.rss).padStart(12)} ${mb(bl.rss).padStart(12)}  ${ratio(bs.rss, bl.rss)}  (the processes it started)`);
  for (const [type, v] of bl.rssByType) {
    const s = bs.rssByType.get(type) ?? 0;
    console.log(`  ${type.padEnd(17)}${mb(s).padStart(12)} ${mb(v).padStart(12)}  ${ratio(s, v)}`);
  }
}
if (values.only !== 'chromium') {
  try {
    const ds = await denoRun(short);
    const dl = await denoRun(long);
    console.log(`\nDeno CLI           ${'5 s'.padStart(12)} ${`${longSeconds} s`.padStart(12)}  ratio`);
    console.log(`peak RSS           ${mb(ds.rss).padStart(12)} ${mb(dl.rss).padStart(12)}  ${ratio(ds.rss, dl.rss)}`);
    console.log(`wall               ${`${(ds.wallMs / 1000).toFixed(1)} s`.padStart(12)} ${`${(dl.wallMs / 1000).toFixed(1)} s`.padStart(12)}`);
  } catch (err) {
    console.log(`\nDeno CLI: not measured: ${err instanceof Error ? err.message : String(err)}`);
  }
}

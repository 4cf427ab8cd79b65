// `npm run bench:ladder -- [INPUT] [--ladder 1080,720,480,360] [--leases 1,2]`: a benchmark, not a
// test. The same source, ladder and bitrates through (1) this engine in headless Chromium, once
// per lease count, (2) Mediabunny's Conversion in the same page, (3) native ffmpeg with libaom
// realtime and with SVT-AV1. Prints wall times, ratios against the engine, per-rung PSNR and frame
// counts (libdav1d), the engine's speedup per lease count and its lease timeline.
import { execFileSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { planLadder } from '../src/plan/ladder.ts';
import { ensureBuild, launchChromium, openHarness, ROOT, runJob, serve } from '../tools/harness.ts';
import type { JobReply } from '../tools/harness.ts';
import { dav1dFrameCount, ffprobe, psnrAgainstSource } from '../tests/lib/media.ts';
import { tempDir } from '../tests/lib/cli.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { ladder: { type: 'string', default: '1080,720,480,360' }, leases: { type: 'string', default: '1,2' } },
});
const source = resolve(positionals[0] ?? join(ROOT, '../shared/media/video.mp4'));
const leaseCounts = values.leases.split(',').map(Number);
const v = ffprobe(source).streams.find((s) => s.codec_type === 'video')!;
const [num, den] = (v.r_frame_rate ?? '25/1').split('/').map(Number);
const fps = num! / (den || 1);
const plans = planLadder(v.width!, v.height!, fps, values.ladder.split(',').map(Number));
const gop = Math.round(2 * fps);
const out = tempDir('bench');

interface Contestant { name: string; ms: number; files: string[] }
const results: Contestant[] = [];
const engineRuns = new Map<number, JobReply>();

console.error(`source ${source}: ${v.width}x${v.height} @ ${fps} fps; rungs ${plans.map((p) => `${p.width}x${p.height}@${(p.bitrate / 1e3).toFixed(0)}k`).join(', ')}`);
await ensureBuild((s) => console.error(s));
const server = await serve({ inputPath: source, outDir: out });
const browser = await launchChromium();
let adapter = 'unknown';
try {
  const { page } = await openHarness(browser, server.origin);
  for (const n of leaseCounts) {
    console.error(`engine, ${n} lease(s)…`);
    const reply = await runJob(page, {
      inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/engine-${n}/`,
      ladder: plans.map((p) => p.label), bitrates: plans.map((p) => p.bitrate), leases: n,
    });
    if (!reply.ok) throw new Error(`engine failed: ${reply.error?.name}: ${reply.error?.message}`);
    engineRuns.set(n, reply);
    const start = reply.events.find((e) => e.type === 'job-start');
    if (start?.type === 'job-start') adapter = `${start.adapter.vendor}/${start.adapter.architecture}${start.adapter.isFallback ? ' (fallback)' : ''}`;
    results.push({ name: `engine, ${n} lease${n > 1 ? 's' : ''}`, ms: reply.wallMs, files: plans.map((p) => join(out, `engine-${n}`, `${p.label}p.mp4`)) });
  }
  console.error('Mediabunny Conversion (fan-out)…');
  const peer = await page.evaluate((r) => window.runPeer(r), {
    inputUrl: `${server.origin}/input`, rungs: plans.map((p) => ({ width: p.width, height: p.height, bitrate: p.bitrate })),
    keyFrameSeconds: 2, uploadUrl: `${server.origin}/out/mediabunny.mp4`,
  });
  if (!peer.ok) throw new Error(`Mediabunny failed: ${peer.error}`);
  results.push({
    name: 'Mediabunny Conversion', ms: peer.ms,
    files: plans.map((p, i) => {
      const f = join(out, `mediabunny-${p.label}p.mp4`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(out, 'mediabunny.mp4'), '-map', `0:v:${i}`, '-c', 'copy', f]);
      return f;
    }),
  });
} finally {
  await browser.close();
  await server.close();
}

function ffmpegLadder(name: string, codecArgs: (p: (typeof plans)[number]) => string[]): Promise<Contestant> {
  const split = `[0:v]split=${plans.length}${plans.map((_, i) => `[s${i}]`).join('')};` +
    plans.map((p, i) => `[s${i}]scale=${p.width}:${p.height}:flags=lanczos[o${i}]`).join(';');
  const files = plans.map((p) => join(out, `${name.replace(/\W+/g, '-')}-${p.label}p.mp4`));
  const args = ['-v', 'error', '-y', '-i', source, '-filter_complex', split,
    ...plans.flatMap((p, i) => ['-map', `[o${i}]`, ...codecArgs(p), '-b:v', String(p.bitrate), '-g', String(gop), '-an', files[i]!])];
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d; });
    child.on('close', (code) => (code === 0 ? res({ name, ms: performance.now() - t0, files }) : rej(new Error(`${name}: ${err}`))));
  });
}
console.error('ffmpeg libaom realtime…');
results.push(await ffmpegLadder('ffmpeg libaom rt cpu-used 8', () => ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8']));
console.error('ffmpeg SVT-AV1…');
results.push(await ffmpegLadder('ffmpeg SVT-AV1 preset 10', () => ['-c:v', 'libsvtav1', '-preset', '10']));

// Report.
const best = Math.min(...results.filter((r) => r.name.startsWith('engine')).map((r) => r.ms));
const chromium = execFileSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
console.log(`\nmachine: ${cpus().length} cores, ${chromium}, WebGPU adapter ${adapter}`);
console.log(`source: ${source}, ladder ${plans.map((p) => `${p.label}p`).join('/')}; ratio = wall ÷ best engine wall (${(best / 1000).toFixed(1)} s)\n`);
console.log(['contestant'.padEnd(30), 'wall s'.padStart(8), 'ratio'.padStart(7), ...plans.map((p) => `${p.label}p dB/frames`.padStart(18))].join(' '));
for (const r of results) {
  const cells = r.files.map((f, i) => `${psnrAgainstSource(f, source, plans[i]!.width, plans[i]!.height).toFixed(2)}/${dav1dFrameCount(f)}`.padStart(18));
  console.log([r.name.padEnd(30), (r.ms / 1000).toFixed(1).padStart(8), (r.ms / best).toFixed(2).padStart(7), ...cells].join(' '));
}
const one = engineRuns.get(1);
if (one) {
  console.log(`\nengine speedup by lease count: ${[...engineRuns].map(([n, r]) => `${n}: ${(one.wallMs / r.wallMs).toFixed(2)}×`).join(', ')}`);
}

// Lease timeline of the run with the most leases: one lane per lease, a digit per rung (helper chunks in brackets in the list).
const [lanesN, run] = [...engineRuns].at(-1)!;
const spans = new Map<string, { lease: number; rung: number; chunk: number; from: number; to: number; helper: boolean }>();
for (const e of run.events) {
  if (e.type === 'chunk-start') spans.set(`${e.rung}/${e.chunk}/${e.leaseId}`, { lease: e.leaseId, rung: e.rung, chunk: e.chunk, from: e.t, to: NaN, helper: e.helper });
  if (e.type === 'chunk-done') { const s = spans.get(`${e.rung}/${e.chunk}/${e.leaseId}`); if (s) s.to = e.t; }
}
const end = Math.max(...run.events.map((e) => e.t));
const cols = 100;
console.log(`\nlease timeline (${lanesN} leases, ${(end / 1000).toFixed(1)} s; digit = rung index: ${plans.map((p, i) => `${i}=${p.label}p`).join(' ')})`);
for (let l = 0; l < lanesN; l++) {
  const lane = Array(cols).fill('.');
  for (const s of spans.values()) {
    if (s.lease !== l || Number.isNaN(s.to)) continue;
    for (let c = Math.floor((s.from / end) * cols); c < Math.max(Math.floor((s.from / end) * cols) + 1, Math.ceil((s.to / end) * cols)); c++) lane[Math.min(c, cols - 1)] = String(s.rung);
  }
  console.log(`lease ${l} |${lane.join('')}|`);
}
for (const s of [...spans.values()].sort((a, b) => a.from - b.from)) {
  console.log(`  lease ${s.lease}: rung ${plans[s.rung]!.label}p chunk ${s.chunk}${s.helper ? ' (helper)' : ''} ${(s.from / 1000).toFixed(2)}–${(s.to / 1000).toFixed(2)} s`);
}

// `npm run bench:ladder -- [INPUT | --bframes] [--ladder 1080,720,480,360] [--leases 1,2]`: a benchmark, not a
// test (it never asserts timings). The same source, ladder and bitrates (the engine's defaults from
// planLadder, passed explicitly to everyone) through (1) this engine in headless Chromium, once per
// lease count, (2) Mediabunny's Conversion in the same page, (3) native ffmpeg with libaom realtime
// and with SVT-AV1. Prints wall times, ratios against the engine, per-rung PSNR and libdav1d frame
// counts, the engine's speedup per lease count and stage profile, its lease timeline, and the machine it ran on.
// --bframes: instead of INPUT, a clip the bench makes with ffmpeg from ../shared/media (bench/clips.ts:
// 1080p30 H.264 with B-frames, 10 s).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStages, planLadder } from '../src/mod.ts';
import type { RungPlan, TranscodeStats } from '../src/mod.ts';
import { ensureBuild, launchChromium, openHarness, ROOT, runJob, serve } from '../tools/harness.ts';
import type { JobReply } from '../tools/harness.ts';
import { dav1dFrameCount, ffprobe, psnrAgainstSource, sourceFrameCount, videoKbps } from '../tests/lib/media.ts';
import { tempDir } from '../tests/lib/cli.ts';
import { bFramesClip } from './clips.ts';

const USAGE = 'usage: npm run bench:ladder -- [INPUT | --bframes] [--ladder 1080,720,480,360] [--leases 1,2]';
function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(1);
}
function intList(s: string, what: string, min: number): number[] {
  const list = s.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < min)) fail(`--${what} must be comma-separated integers ≥ ${min}, got ${s}`);
  return list;
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { ladder: { type: 'string', default: '1080,720,480,360' }, leases: { type: 'string', default: '1,2' }, bframes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const { values, positionals } = parsed;
if (values.help) { console.log(USAGE); process.exit(0); }
if (positionals.length > (values.bframes ? 0 : 1)) fail(`expected one INPUT or --bframes, got ${positionals.length} input(s)${values.bframes ? ' and --bframes' : ''}`);
// Relative to the repo root (as documented), so the default works from any working directory.
const source = values.bframes
  ? bFramesClip(resolve(ROOT, '../shared/media'), tempDir('bench-clip'))
  : resolve(ROOT, positionals[0] ?? '../shared/media/video.mp4');
if (!existsSync(source) || !statSync(source).isFile()) fail(`input file not found: ${source}`);
const leaseCounts = [...new Set(intList(values.leases, 'leases', 1))].sort((a, b) => a - b);

// Source facts from ffprobe. planLadder wants the display size: the sample aspect ratio applied to
// the width, then the rotation (a quarter turn swaps the sides), the same rule the engine uses.
const probe = ffprobe(source);
const v = probe.streams.find((s) => s.codec_type === 'video');
if (!v?.width || !v.height) fail(`no video stream in ${source}`);
const ratio = (s: string | undefined): number | null => {
  const [a, b] = (s ?? '').split(/[:/]/).map(Number);
  return a && b ? a / b : null;
};
const sar = ratio(v.sample_aspect_ratio) ?? 1;
const rotation = Math.abs(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0) % 180;
const [dw, dh] = [Math.round(v.width * sar), v.height];
const [displayW, displayH] = rotation === 90 ? [dh, dw] : [dw, dh];
const fps = ratio((v as { avg_frame_rate?: string }).avg_frame_rate) ?? ratio(v.r_frame_rate) ?? 30;
const durationS = Number(v.duration ?? probe.format.duration ?? 0);
const srcFrames = sourceFrameCount(source);
const plans = planLadder(displayW, displayH, fps, intList(values.ladder, 'ladder', 2));
const gop = Math.round(2 * fps);
const out = tempDir('bench', { keep: true });
const load0 = loadavg();

interface Contestant { name: string; ms: number | null; files: string[]; note?: string }
const results: Contestant[] = [];
const engineRuns = new Map<number, JobReply>();
const rungName = (p: RungPlan) => `${p.label}p`;

console.error(`source ${source}: display ${displayW}x${displayH} @ ${fps.toFixed(3)} fps, ${srcFrames} frames; outputs in ${out}`);
console.error(`rungs ${plans.map((p) => `${p.width}x${p.height}@${(p.bitrate / 1e3).toFixed(0)}k`).join(', ')}`);
await ensureBuild((s) => console.error(s));
const server = await serve({ inputPath: source, outDir: out });
const browser = await launchChromium();
let adapter = 'none reported';
let chromiumVersion = 'unknown';
let pageCores = 0;
let mediabunnyMap = '';
try {
  chromiumVersion = browser.version();
  const { page } = await openHarness(browser, server.origin);
  pageCores = await page.evaluate(() => navigator.hardwareConcurrency);
  // 1. The engine, once per lease count, in the same page (decode and scale are shared work).
  for (const n of leaseCounts) {
    console.error(`engine, ${n} lease(s)…`);
    const reply = await runJob(page, {
      inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/engine-${n}/`,
      ladder: plans.map((p) => p.label), bitrates: plans.map((p) => p.bitrate), leases: n,
    });
    if (!reply.ok) throw new Error(`engine (${n} leases) failed: ${reply.error?.name}: ${reply.error?.message}`);
    engineRuns.set(n, reply);
    const start = reply.events.find((e) => e.type === 'job-start');
    if (start?.type === 'job-start') adapter = `${start.adapter.vendor || '?'} / ${start.adapter.architecture || '?'} (${start.adapter.description || 'no description'})${start.adapter.isFallback ? ', fallback adapter' : ''}`;
    const files = plans.map((p) => {
      const r = reply.rungs?.find((x) => x.label === p.label);
      if (r && (r.width !== p.width || r.height !== p.height)) console.error(`warning: engine rung ${rungName(p)} is ${r.width}x${r.height}, planned ${p.width}x${p.height}`);
      return join(out, `engine-${n}`, r?.file ?? `${rungName(p)}.mp4`);
    });
    results.push({ name: `engine, ${n} lease${n > 1 ? 's' : ''}`, ms: reply.wallMs, files });
  }
  // 2. Mediabunny in the same page; timed in the page around the conversion, uploads excluded.
  console.error('Mediabunny Conversion…');
  const peer = await page.evaluate((r) => window.runPeer(r), {
    inputUrl: `${server.origin}/input`, rungs: plans.map((p) => ({ width: p.width, height: p.height, bitrate: p.bitrate })),
    keyFrameSeconds: 2, uploadBase: `${server.origin}/out/`,
  });
  if (!peer.ok) {
    results.push({ name: 'Mediabunny Conversion', ms: null, files: [], note: `failed: ${peer.error}` });
  } else if (peer.mode === 'fan-out') {
    // One MP4 with a video track per rung: map each rung to the track of its size (not assuming
    // Mediabunny keeps the array order), then copy it out so PSNR sees one stream per file.
    const multi = join(out, 'mediabunny.mp4');
    const tracks = ffprobe(multi).streams.filter((s) => s.codec_type === 'video');
    const used = new Set<number>();
    const files = plans.map((p, i) => {
      let k = tracks.findIndex((t, j) => !used.has(j) && t.width === p.width && t.height === p.height);
      if (k < 0) k = i;
      used.add(k);
      const f = join(out, `mediabunny-${rungName(p)}.mp4`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', multi, '-map', `0:v:${k}`, '-c', 'copy', f]);
      return f;
    });
    mediabunnyMap = `fan-out: one Conversion, one MP4 with ${tracks.length} video tracks (${tracks.map((t, j) => `v:${j}=${t.width}x${t.height}`).join(' ')})`;
    results.push({ name: 'Mediabunny Conversion', ms: peer.ms, files });
  } else {
    mediabunnyMap = `fan-out did not work (${peer.fanOutError}); one Conversion per rung, sequentially`;
    results.push({ name: 'Mediabunny (per rung)', ms: peer.ms, files: peer.files.map((f) => join(out, f)), note: 'fan-out failed' });
  }
} finally {
  await browser.close();
  await server.close();
}

// 3. Native ffmpeg: one process per encoder producing every rung (split + Lanczos scale, limited
// range like the engine's outputs, GOP = 2 s like the engine's chunks), timed around the process.
const encoders = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
function ffmpegLadder(name: string, tag: string, codecArgs: string[]): Promise<Contestant> {
  const graph = `[0:v]split=${plans.length}${plans.map((_, i) => `[s${i}]`).join('')};` +
    plans.map((p, i) => `[s${i}]scale=${p.width}:${p.height}:flags=lanczos:out_range=tv,format=yuv420p,setsar=1[o${i}]`).join(';');
  const files = plans.map((p) => join(out, `${tag}-${rungName(p)}.mp4`));
  const args = ['-v', 'error', '-y', '-i', source, '-filter_complex', graph,
    ...plans.flatMap((p, i) => ['-map', `[o${i}]`, ...codecArgs, '-b:v', String(p.bitrate), '-g', String(gop), '-an', files[i]!])];
  const t0 = performance.now();
  return new Promise((res) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d; });
    child.on('close', (code) => res(code === 0 ? { name, ms: performance.now() - t0, files } : { name, ms: null, files: [], note: `failed: ${err.trim().split('\n').pop()}` }));
  });
}
for (const [name, tag, encoder, args] of [
  ['ffmpeg libaom rt cpu-used 8', 'libaom', 'libaom-av1', ['-c:v', 'libaom-av1', '-usage', 'realtime', '-cpu-used', '8']],
  ['ffmpeg SVT-AV1 preset 10', 'svtav1', 'libsvtav1', ['-c:v', 'libsvtav1', '-preset', '10']],
] as const) {
  if (!new RegExp(`\\s${encoder}\\s`).test(encoders)) { results.push({ name, ms: null, files: [], note: `${encoder} not in this ffmpeg` }); continue; }
  console.error(`${name}…`);
  results.push(await ffmpegLadder(name, tag, [...args]));
}
const load1 = loadavg();

// Quality, after all timed runs so it cannot slow any of them down.
console.error('PSNR and libdav1d frame counts…');
const quality = results.map((r) => r.files.map((f, i) => {
  const p = plans[i]!;
  try {
    // The video stream alone: the engine carries the source's audio, the ffmpeg runs do not.
    const kbps = durationS > 0 ? videoKbps(f, durationS) : NaN;
    return `${psnrAgainstSource(f, source, p.width, p.height).toFixed(2)} dB ${dav1dFrameCount(f)}f ${kbps.toFixed(0)}k`;
  } catch (err) {
    return `error: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 40)}`;
  }
}));

// Report (stdout).
const [refLeases, ref] = [...engineRuns].reduce((a, b) => (b[1].wallMs < a[1].wallMs ? b : a));
const fmt = (ms: number | null) => (ms === null ? '—' : (ms / 1000).toFixed(1));
console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}; page sees ${pageCores}), Chromium ${chromiumVersion}, WebGPU adapter ${adapter}`);
console.log(`load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after the timed runs ${load1.map((x) => x.toFixed(2)).join(' ')} (other processes share this machine)`);
console.log(`source: ${source}, ${displayW}x${displayH} @ ${fps.toFixed(3)} fps, ${srcFrames} frames, ${durationS.toFixed(2)} s`);
console.log(`ladder (bitrates from planLadder, given to everyone): ${plans.map((p) => `${rungName(p)} ${p.width}x${p.height} ${(p.bitrate / 1e3).toFixed(0)} kb/s`).join(', ')}`);
if (mediabunnyMap) console.log(`Mediabunny: ${mediabunnyMap}`);
console.log(`\nwall times; ratio = wall ÷ engine wall with ${refLeases} lease${refLeases > 1 ? 's' : ''} (the fastest engine run, ${fmt(ref.wallMs)} s = 1.00)`);
console.log(`${'contestant'.padEnd(30)} ${'wall s'.padStart(8)} ${'ratio'.padStart(7)}`);
for (const r of results) {
  console.log(`${r.name.padEnd(30)} ${fmt(r.ms).padStart(8)} ${(r.ms === null ? '—' : (r.ms / ref.wallMs).toFixed(2)).padStart(7)}${r.note ? `  (${r.note})` : ''}`);
}
console.log(`\nper rung: PSNR (Y/U/V average) against the source scaled by ffmpeg (Lanczos), libdav1d frame count (source: ${srcFrames}), video bitrate`);
console.log(`${'contestant'.padEnd(30)} ${plans.map((p) => rungName(p).padStart(24)).join('')}`);
for (const [i, r] of results.entries()) console.log(`${r.name.padEnd(30)} ${quality[i]!.map((c) => c.padStart(24)).join('')}`);

const [baseLeases, base] = [...engineRuns][0]!;
console.log(`\nengine speedup, wall(${baseLeases} lease${baseLeases > 1 ? 's' : ''}) ÷ wall(N): ${[...engineRuns].map(([n, r]) => `${n} → ${(base.wallMs / r.wallMs).toFixed(2)}×`).join(', ')}`);
for (const [n, r] of engineRuns) {
  const s = r.stats as { chunks?: number; requeued?: number; hardwareChunks?: number; softwareChunks?: number; decodedFrames?: number };
  const encs = new Set(r.events.flatMap((e) => (e.type === 'chunk-done' ? [e.encoder] : [])));
  console.log(`  ${n} lease(s): ${fmt(r.wallMs)} s, ${s.chunks ?? '?'} chunks (${s.hardwareChunks ?? 0} hardware, ${s.softwareChunks ?? 0} software, ${s.requeued ?? 0} requeued), encoders: ${[...encs].join(', ')}`);
  const stages = (r.stats as Partial<TranscodeStats> | undefined)?.stages;
  if (stages) console.log(`    ${formatStages(stages)}`);
}

// Lease timelines: one lane per lease, each chunk drawn as [rung.chunk===] across its span (rung =
// index into the ladder), so who ran what, when, and where helpers stepped in is visible.
interface Span { lease: number; rung: number; chunk: number; from: number; to: number; helper: boolean; failed: boolean }
const COLS = 100;
console.log(`\nlease timelines: [rung.chunk===] a chunk of the lease's own rung, [rung.chunk+++] one it helped with, a lone digit a chunk too short to label (its rung), x requeued;\n  a span runs from chunk-start (the lease takes the chunk; its frames may still be decoding and scaling) to chunk-done`);
for (const [n, run] of engineRuns) {
  const spans: Span[] = [];
  const open = new Map<string, Span>();
  for (const e of run.events) {
    const key = 'rung' in e && 'chunk' in e && 'leaseId' in e ? `${e.rung}/${e.chunk}/${e.leaseId}` : '';
    if (e.type === 'chunk-start') { const s = { lease: e.leaseId, rung: e.rung, chunk: e.chunk, from: e.t, to: NaN, helper: e.helper, failed: false }; open.set(key, s); spans.push(s); }
    if (e.type === 'chunk-done' || e.type === 'requeue') {
      const s = open.get(key);
      if (s) { s.to = e.t; s.failed = e.type === 'requeue'; open.delete(key); }
    }
  }
  const end = Math.max(run.wallMs, ...run.events.map((e) => e.t));
  const start = run.events.find((e) => e.type === 'job-start');
  const leases = start?.type === 'job-start' ? start.leases : [];
  const ids = [...new Set([...leases.map((l) => l.id), ...spans.map((s) => s.lease)])].sort((a, b) => a - b);
  console.log(`\nlease timeline, ${n} lease(s), 0–${fmt(end)} s, ${(end / 1000 / COLS).toFixed(2)} s per column; rungs ${plans.map((p, i) => `${i}=${rungName(p)}`).join(' ')}`);
  for (const id of ids) {
    const lane: string[] = Array<string>(COLS).fill('.');
    let cursor = 0; // spans on one lane never overlap; keep short ones from overwriting each other
    for (const s of spans.filter((x) => x.lease === id)) {
      const a = Math.min(COLS - 1, Math.max(cursor, Math.floor((s.from / end) * COLS)));
      const b = Math.min(COLS, Math.max(a + 1, Math.round(((Number.isNaN(s.to) ? end : s.to) / end) * COLS)));
      const label = `${s.rung}.${s.chunk}${s.failed ? 'x' : ''}`;
      const text = b - a >= label.length + 2 ? `[${label}`.padEnd(b - a - 1, s.helper ? '+' : '=') + ']' : String(s.rung);
      for (let c = a; c < b; c++) lane[c] = text[c - a] ?? text.at(-1)!;
      cursor = b;
    }
    const hw = leases.find((l) => l.id === id)?.hardware ? 'hw' : 'sw';
    console.log(`lease ${String(id).padStart(2)} ${hw} |${lane.join('')}|`);
  }
  if (n !== leaseCounts.at(-1)) continue;
  console.log(`chunks of the ${n}-lease run:`);
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const p = plans[s.rung];
    console.log(`  ${fmt(s.from).padStart(6)}–${fmt(Number.isNaN(s.to) ? null : s.to).padStart(6)} s  lease ${s.lease}  ${p ? rungName(p) : `rung ${s.rung}`} chunk ${s.chunk}${s.helper ? ' (helper)' : ''}${s.failed ? ' (requeued)' : ''}`);
  }
}

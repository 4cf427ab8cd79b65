// `npm run bench:deno-ladder -- [INPUT] [--ladder 1080,720,480,360] [--leases 1,2] [--preset 5]`:
// a benchmark, not a test (it never asserts timings). The engine under Deno (`deno task transcode`:
// node-av's SVT-AV1 per lease, WGSL scaling on Deno's WebGPU), once per lease count, against native
// FFmpeg with the same encoder library, the same preset and the engine's own per-rung bitrates,
// 2 s GOPs like the engine's chunks: (1) the same FFmpeg build and SVT-AV1 version through node-av
// (bench/deno-ffmpeg-baseline.ts: one decode, libswscale Lanczos, one encoder per rung), and (2)
// Debian's ffmpeg CLI, whose SVT-AV1 is older (its presets differ). Prints wall times and ratios,
// per-rung PSNR and libdav1d frame counts, the engine's speedup per lease count, its stage profile
// and lease timeline. Then the quality reference (issue 14): Debian's SVT-AV1 1.4.1 at preset 10,
// run per rung at two targets around the engine's achieved bitrate, its luma PSNR interpolated (in
// log rate) at exactly the engine's bitrate, against the engine's luma PSNR.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStages } from '../src/mod.ts';
import type { StageProfile } from '../src/mod.ts';
import { ROOT } from '../tools/harness.ts';
import { dav1dFrameCount, ffprobe, psnrAgainstSource, psnrPlanesAgainstSource, sourceFrameCount, videoKbps } from '../tests/lib/media.ts';
import { DEFAULT_SVT_PRESET, REFERENCE_SVT_PRESET } from '../src/mod.ts';
import { tempDir } from '../tests/lib/cli.ts';

const USAGE = `usage: npm run bench:deno-ladder -- [INPUT] [--ladder 1080,720,480,360] [--leases 1,2] [--preset ${DEFAULT_SVT_PRESET}]`;
function fail(message: string): never {
  process.stderr.write(`error: ${message}\n${USAGE}\n`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      ladder: { type: 'string', default: '1080,720,480,360' }, leases: { type: 'string', default: '1,2' },
      preset: { type: 'string', default: String(DEFAULT_SVT_PRESET) }, help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const { values, positionals } = parsed;
if (values.help) { console.log(USAGE); process.exit(0); }
const source = resolve(ROOT, positionals[0] ?? '../shared/media/video.mp4');
if (!existsSync(source) || !statSync(source).isFile()) fail(`input file not found: ${source}`);
const leaseCounts = [...new Set(values.leases.split(',').map(Number))];
if (leaseCounts.some((n) => !Number.isInteger(n) || n < 1)) fail(`--leases must be positive integers, got ${values.leases}`);
const preset = Number(values.preset);
if (!Number.isInteger(preset) || preset < 0 || preset > 13) fail(`--preset must be 0…13, got ${values.preset}`);

const v = ffprobe(source).streams.find((s) => s.codec_type === 'video');
if (!v) fail(`no video stream in ${source}`);
const [fn, fd] = ((v as { avg_frame_rate?: string }).avg_frame_rate ?? v.r_frame_rate ?? '30/1').split('/').map(Number);
const fps = fn && fd ? fn / fd : 30;
const durationS = Number(v.duration ?? 0);
const srcFrames = sourceFrameCount(source);
const out = tempDir('bench-deno', { keep: true });
const deno = join(ROOT, 'node_modules', '.bin', 'deno');

interface Rung { label: number; width: number; height: number; bitrate: number; file: string; frames: number }
interface Summary { rungs: Rung[]; wallMs: number; stats: { chunks: number; softwareChunks: number; hardwareChunks: number; stages?: StageProfile }; timeline: Array<{ lease: number; label: number; chunk: number; startMs: number; endMs: number }> }

function timed(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; stderr: string; code: number }> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (code) => res({ ms: performance.now() - t0, stdout, stderr, code: code ?? 1 }));
  });
}

const load0 = loadavg();
console.error(`source ${source}: ${srcFrames} frames @ ${fps.toFixed(3)} fps; SVT-AV1 preset ${preset}; outputs in ${out}`);

// 1. The engine under Deno, once per lease count; wall = the whole process, start-up included.
const engine = new Map<number, { ms: number; summary: Summary }>();
for (const n of leaseCounts) {
  console.error(`engine under Deno, ${n} lease(s)…`);
  const r = await timed(deno, ['run', '-A', 'cli/deno/cli.ts', source, '--out', join(out, `engine-${n}`), '--ladder', values.ladder, '--leases', String(n), '--json'],
    { LADDER_SVT_PRESET: String(preset) });
  if (r.code !== 0) fail(`engine (${n} leases) failed: ${r.stderr.trim().split('\n').pop()}`);
  engine.set(n, { ms: r.ms, summary: JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary });
}
const rungs = engine.get(leaseCounts[0]!)!.summary.rungs;

// 2a. Native FFmpeg through node-av: the engine's own FFmpeg build and SVT-AV1 version.
console.error('FFmpeg libsvtav1 through node-av…');
const naDir = join(out, 'node-av');
const na = await timed(deno, ['run', '-A', 'bench/deno-ffmpeg-baseline.ts', source, naDir, String(preset), ...rungs.map((p) => `${p.width}:${p.height}:${p.bitrate}`)]);
if (na.code !== 0) fail(`node-av baseline failed: ${na.stderr.trim().split('\n').pop()}`);
const naFiles = rungs.map((p) => join(naDir, `${p.height}p.obu`));

// 2b. Debian's ffmpeg CLI, one process for every rung: split + Lanczos scale to limited range.
console.error('ffmpeg CLI libsvtav1…');
const graph = `[0:v]split=${rungs.length}${rungs.map((_, i) => `[s${i}]`).join('')};` +
  rungs.map((p, i) => `[s${i}]scale=${p.width}:${p.height}:flags=lanczos:out_range=tv,format=yuv420p,setsar=1[o${i}]`).join(';');
const ffFiles = rungs.map((p) => join(out, `ffmpeg-${p.label}p.mp4`));
const ff = await timed('ffmpeg', ['-v', 'error', '-y', '-i', source, '-filter_complex', graph,
  ...rungs.flatMap((p, i) => ['-map', `[o${i}]`, '-c:v', 'libsvtav1', '-preset', String(preset), '-b:v', String(p.bitrate), '-g', String(Math.round(2 * fps)), '-an', ffFiles[i]!])]);
if (ff.code !== 0) fail(`ffmpeg failed: ${ff.stderr.trim().split('\n').pop()}`);
const load1 = loadavg();

// Quality after all timed runs, so it cannot slow any of them down.
console.error('PSNR and libdav1d frame counts…');
const quality = (files: string[]) => files.map((f, i) => {
  const p = rungs[i]!;
  // The video stream alone: the engine carries the source's audio, the ffmpeg runs do not.
  const kbps = videoKbps(f, durationS);
  return `${psnrAgainstSource(f, source, p.width, p.height).toFixed(2)} dB ${dav1dFrameCount(f)}f ${kbps.toFixed(0)}k`;
});
const fastest = [...engine].reduce((a, b) => (b[1].ms < a[1].ms ? b : a));
const fmt = (ms: number) => (ms / 1000).toFixed(1);
const ffVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
const svtVersion = (f: string) => /SVT-AV1 Encoder Lib (v[\d.]+)/.exec(f)?.[1] ?? '?';
const cliSvt = svtVersion(execFileSync('sh', ['-c', `ffmpeg -hide_banner -f lavfi -i nullsrc=s=64x64:d=0.04 -c:v libsvtav1 -f null - 2>&1 || true`], { encoding: 'utf8' }));

console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}); ${ffVersion}`);
console.log(`load average before ${load0.map((x) => x.toFixed(2)).join(' ')}, after the timed runs ${load1.map((x) => x.toFixed(2)).join(' ')} (other processes share this machine)`);
console.log(`source: ${source}, ${srcFrames} frames, ${durationS.toFixed(2)} s; rungs: ${rungs.map((p) => `${p.label}p ${p.width}x${p.height} ${(p.bitrate / 1e3).toFixed(0)} kb/s`).join(', ')}`);
const naName = `FFmpeg/node-av SVT ${preset}`;
const ffName = `ffmpeg CLI SVT ${cliSvt} ${preset}`;
console.log(`\nwall times (whole process, start-up included); ratio = engine wall ÷ baseline wall`);
for (const [n, e] of engine) console.log(`${`engine (Deno), ${n} lease${n > 1 ? 's' : ''}`.padEnd(30)} ${fmt(e.ms).padStart(7)} s  (engine's own wall ${fmt(e.summary.wallMs)} s)  ÷ node-av ${(e.ms / na.ms).toFixed(2)}  ÷ ffmpeg CLI ${(e.ms / ff.ms).toFixed(2)}`);
console.log(`${naName.padEnd(30)} ${fmt(na.ms).padStart(7)} s`);
console.log(`${ffName.padEnd(30)} ${fmt(ff.ms).padStart(7)} s`);
console.log(`fastest engine run (${fastest[0]} lease(s)) ÷ FFmpeg with the same SVT-AV1: ${(fastest[1].ms / na.ms).toFixed(2)}× the wall time`);
console.log(`\nper rung: PSNR (Y/U/V average) against the source scaled by ffmpeg (Lanczos), libdav1d frame count (source: ${srcFrames}), video bitrate`);
console.log(`${''.padEnd(30)} ${rungs.map((p) => `${p.label}p`.padStart(24)).join('')}`);
for (const [n, e] of engine) console.log(`${`engine (Deno), ${n} lease${n > 1 ? 's' : ''}`.padEnd(30)} ${quality(e.summary.rungs.map((r) => r.file)).map((c) => c.padStart(24)).join('')}`);
console.log(`${naName.padEnd(30)} ${quality(naFiles).map((c) => c.padStart(24)).join('')}`);
console.log(`${ffName.padEnd(30)} ${quality(ffFiles).map((c) => c.padStart(24)).join('')}`);
const [baseN, base] = [...engine][0]!;
console.log(`\nengine speedup, wall(${baseN} lease${baseN > 1 ? 's' : ''}) ÷ wall(N): ${[...engine].map(([n, e]) => `${n} → ${(base.ms / e.ms).toFixed(2)}×`).join(', ')}`);
for (const [n, e] of engine) {
  console.log(`  ${n} lease(s): ${e.summary.stats.chunks} chunks`);
  if (e.summary.stats.stages) console.log(`    ${formatStages(e.summary.stats.stages)}`);
  console.log('    timeline (lease: rung/chunk start–end ms):');
  const byLease = new Map<number, string[]>();
  for (const t of e.summary.timeline) byLease.set(t.lease, [...(byLease.get(t.lease) ?? []), `${t.label}p/${t.chunk} ${t.startMs}–${t.endMs}`]);
  for (const [l, items] of [...byLease].sort((a, b) => a[0] - b[0])) console.log(`    lease ${l}: ${items.join(', ')}`);
}

// 3. The quality reference, untimed: Debian's ffmpeg CLI (SVT-AV1 1.4.1) at preset 10, each rung at
// two targets (the engine's achieved rate, and 1.25× it: 1.4.1's VBR lands under its target), luma
// PSNR interpolated linearly in log(bitrate) at exactly the engine's achieved rate.
console.log(`\nquality at equal bitrate: engine (Deno, ${leaseCounts[0]} lease(s), node-av's SVT-AV1 at preset ${preset}) against ffmpeg CLI SVT-AV1 ${cliSvt} preset ${REFERENCE_SVT_PRESET}, luma PSNR`);
const first = engine.get(leaseCounts[0]!)!.summary.rungs;
const refRuns = [1, 1.25].map((m, k) => {
  const files = rungs.map((p) => join(out, `reference-${k}-${p.label}p.mp4`));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', source, '-filter_complex', graph,
    ...rungs.flatMap((p, i) => ['-map', `[o${i}]`, '-c:v', 'libsvtav1', '-preset', String(REFERENCE_SVT_PRESET), '-b:v', String(Math.round(videoKbps(first[i]!.file, durationS) * 1000 * m)), '-g', String(Math.round(2 * fps)), '-an', files[i]!])]);
  return files.map((f, i) => ({ kbps: videoKbps(f, durationS), y: psnrPlanesAgainstSource(f, source, rungs[i]!.width, rungs[i]!.height).y }));
});
console.log(`${'rung'.padEnd(8)}${'engine kbit/s'.padStart(15)}${'asked'.padStart(9)}${'engine Y dB'.padStart(13)}${'reference Y dB'.padStart(16)}${'Δ dB'.padStart(8)}   reference points (kbit/s → Y dB)`);
for (let i = 0; i < rungs.length; i++) {
  const r = first[i]!;
  const kbps = videoKbps(r.file, durationS);
  const y = psnrPlanesAgainstSource(r.file, source, r.width, r.height).y;
  const [a, b] = [refRuns[0]![i]!, refRuns[1]![i]!];
  const t = (Math.log(kbps) - Math.log(a.kbps)) / (Math.log(b.kbps) - Math.log(a.kbps));
  const ref = a.y + t * (b.y - a.y);
  const note = t < 0 || t > 1 ? ' (extrapolated)' : '';
  console.log(`${`${r.label}p`.padEnd(8)}${kbps.toFixed(0).padStart(15)}${(r.bitrate / 1000).toFixed(0).padStart(9)}${y.toFixed(2).padStart(13)}${ref.toFixed(2).padStart(16)}${`${y - ref >= 0 ? '+' : ''}${(y - ref).toFixed(2)}`.padStart(8)}   ${a.kbps.toFixed(0)} → ${a.y.toFixed(2)}, ${b.kbps.toFixed(0)} → ${b.y.toFixed(2)}${note}`);
}


// `npm run transcode:browser -- INPUT --out DIR [--ladder …] [--format …] [...]` (the flags: `--help`,
// generated from the option schema in src/options.ts): runs the browser
// engine in headless Chromium on any file and writes DIR/<rung>p.mp4, or with --format hls DIR/master.m3u8 and a folder per rung (dash: DIR/manifest.mpd; cmaf: both over one set of segments). Progress and,
// at the end, a one-line stage profile go to stderr; the last stdout line is one JSON summary. --balancer bundles a LoadBalancer module for the page and runs the job through an engine with it.
// Without INPUT (or with --sample) it transcodes a synthetic clip the page makes itself.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatHelp, formatStages, parseCommandLine } from '../src/mod.ts';
import type { CommandLine, TranscodeStats } from '../src/mod.ts';
import { transcodeInBrowser } from './harness.ts';

// The flags and their bounds come from the option schema (src/options.ts); these notes are this CLI's own.
const USAGE = formatHelp('browser', `Without INPUT, a synthetic 4 s 1280x720 clip made in the page is transcoded.
--format hls writes DIR/master.m3u8, dash DIR/manifest.mpd, cmaf both, over the same CMAF segments (DIR/<rung>p/, DIR/audio/).
--quality encodes at constant quality instead of bitrates: a level, or an AV1 quantizer (0 best … 63) per rung.
--quality-report decodes every chunk back and compares each frame with the scaled picture it was encoded
from (WGSL): PSNR (Y, and Y/U/V weighted by plane size as ffmpeg's psnr 'average') and SSIM (Y) per rung,
on stderr and in the JSON as rungs[].quality (per chunk as rungs[].chunks[].quality).
--audio auto (default) carries the source's audio or re-encodes it as Opus, failing only if neither is
possible; drop writes video only; require fails before decoding when the source has no audio. What
became of the audio is a note on stderr and in the JSON as audio.
A failed job exits 1 and leaves none of the files it wrote.
Ctrl-C (SIGINT) or SIGTERM cancels: Chromium is closed, nothing the job wrote is left, exit 130 (SIGINT) or 143 (SIGTERM).`);

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

let args: CommandLine;
try {
  args = parseCommandLine('browser', process.argv.slice(2));
} catch (err) {
  // A bad value's message names the flag and its bounds; a malformed command line gets the usage too.
  const message = err instanceof Error ? err.message : String(err);
  fail(message.startsWith('bad --') ? message : `${message}\n${USAGE}`);
}
const { options, flags, positionals } = args;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length > 1) fail(`expected one INPUT, got ${positionals.length}\n${USAGE}`);
const input = flags.sample ? null : positionals[0] ? resolve(positionals[0]) : null;
if (input && (!existsSync(input) || !statSync(input).isFile())) fail(`input file not found: ${input}`);
const outDir = resolve((flags.out as string | undefined) ?? 'out');
const format = options.format ?? 'mp4';
const hls = format === 'hls' || format === 'cmaf';
const dash = format === 'dash' || format === 'cmaf';
const balancer = flags.balancer ? resolve(flags.balancer as string) : undefined;
if (balancer && (!existsSync(balancer) || !statSync(balancer).isFile())) fail(`--balancer file not found: ${balancer}`);

// SIGINT (Ctrl-C) or SIGTERM cancels: Chromium is closed, the job's files are removed, and the
// exit status is 130 or 143. A second copy of the signal (the terminal and npm both deliver
// Ctrl-C) only repeats the abort.
const controller = new AbortController();
let cancelledBy: NodeJS.Signals | null = null;
const onSignal = (signal: NodeJS.Signals) => {
  cancelledBy ??= signal;
  controller.abort(new DOMException(`Cancelled by ${signal}`, 'AbortError'));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const t0 = performance.now();
const reply = await transcodeInBrowser({
  inputPath: input,
  outDir,
  ladder: options.ladder,
  leases: options.leases,
  chunkSeconds: options.chunkSeconds,
  policy: options.policy,
  format,
  balancer,
  adapterWeights: flags['adapter-weights'] as string | undefined,
  qualityReport: options.qualityReport === true,
  quality: options.quality,
  audio: options.audio ?? 'auto',
  signal: controller.signal,
  onLog: (line) => {
    if (!line.startsWith('progress:')) { process.stderr.write(`${line}\n`); return; }
    const e = JSON.parse(line.slice(9)) as { type: string; [k: string]: unknown };
    if (e.type === 'decode') process.stderr.write(`decoded ${e.frames}/${e.totalFrames} frames, ${Number(e.fps).toFixed(1)} fps, eta ${e.etaSeconds === null ? '?' : Number(e.etaSeconds).toFixed(0)} s\n`);
    else if (e.type === 'rung-completed') process.stderr.write(`rung ${e.label}p done: ${e.width}x${e.height} ${e.codec}, ${e.frames} frames, ${e.bytes} bytes\n`);
    else if (e.type === 'job-start') for (const n of (e.notices as string[] | undefined) ?? []) process.stderr.write(`note: ${n}\n`);
    else if (e.type === 'requeue') process.stderr.write(`requeued rung ${e.rung} chunk ${e.chunk}: ${e.reason}\n`);
    else if (e.type === 'job-balanced') {
      const b = e as unknown as { adapter: { index: number; description: string }; jobLoad: number | null; loads: Array<{ index: number; weight: number; load: number }> };
      const loads = b.loads.map((l) => `adapter ${l.index}: load ${l.load}, weight ${l.weight}`).join('; ');
      process.stderr.write(`job placed on adapter ${b.adapter.index} (${b.adapter.description || 'no description'})${b.jobLoad === null ? '' : `, job load ${b.jobLoad}`}${loads ? ` [${loads}]` : ''}\n`);
    } else if (e.type === 'helper-attached') process.stderr.write(`lease ${e.leaseId} helps rung ${e.rung}\n`);
  },
}).catch((err: unknown) => {
  if (cancelledBy) {
    process.stderr.write(`error: cancelled by ${cancelledBy}; the files this job wrote were removed\n`);
    process.exit(cancelledBy === 'SIGINT' ? 130 : 143);
  }
  return fail(err instanceof Error ? err.message : String(err));
});

if (!reply.ok) fail(`${reply.error?.name}: ${reply.error?.message}`);
if (reply.pageErrors.length > 0) fail(`uncaught page errors: ${reply.pageErrors.join('; ')}`);
const balanced = reply.events.find((e) => e.type === 'job-balanced');
const summary = {
  ...(balanced && balanced.type === 'job-balanced' ? { balanced: { adapter: balanced.adapter.index, jobLoad: balanced.jobLoad, loads: balanced.loads, softwareLeases: balanced.softwareLeases, hardwareEncoder: balanced.hardwareEncoder } } : {}),
  rungs: (reply.rungs ?? []).map((r) => ({ height: r.height, width: r.width, label: r.label, codec: r.codec, bitrate: r.bitrate, achievedBitrate: r.achievedBitrate, quantizer: r.quantizer, frames: r.frames, bytes: r.bytes, file: resolve(outDir, r.file), chunks: r.chunks, ...(r.quality ? { quality: r.quality } : {}) })),
  ...(hls ? { master: resolve(outDir, 'master.m3u8') } : {}),
  ...(dash ? { mpd: resolve(outDir, 'manifest.mpd') } : {}),
  audio: reply.audio ?? null,
  notices: (reply.source as { notices?: string[] } | undefined)?.notices ?? [],
  decodedFrames: (reply.stats as { decodedFrames: number }).decodedFrames,
  stats: reply.stats,
  openFrames: reply.openFrames,
  wallMs: Math.round(performance.now() - t0),
  engineMs: Math.round(reply.wallMs),
};
const wrote = [...(hls ? [`HLS to ${resolve(outDir, 'master.m3u8')}`] : []), ...(dash ? [`DASH to ${resolve(outDir, 'manifest.mpd')}`] : [])];
process.stderr.write(wrote.length > 0 ? `wrote ${wrote.join(' and ')}\n` : `wrote ${summary.rungs.length} MP4s to ${outDir}\n`);
// Where the engine's time went; the JSON carries it as stats.stages.
const stages = (reply.stats as Partial<TranscodeStats> | undefined)?.stages;
if (stages) process.stderr.write(`${formatStages(stages)}\n`);
const qualityMs = (reply.stats as Partial<TranscodeStats> | undefined)?.qualityMs;
if (qualityMs !== undefined) process.stderr.write(`quality report: ${(qualityMs / 1000).toFixed(1)} s decoding back and comparing, beside the encodes\n`);
for (const r of summary.rungs) {
  if (r.quality) process.stderr.write(`quality ${r.label}p: PSNR ${r.quality.psnr.toFixed(2)} dB (Y ${r.quality.psnrY.toFixed(2)} dB), SSIM ${r.quality.ssim.toFixed(4)}, ${r.quality.frames} frames compared\n`);
}
console.log(JSON.stringify(summary));

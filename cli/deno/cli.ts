// `npm run transcode:deno -- INPUT --out DIR [...]` (or `deno task transcode …`): the engine under Deno, with node-av's codecs
// installed as WebCodecs and Deno's WebGPU for scaling. Progress bars per rung on a TTY and a
// one-line stage profile at the end (stderr), a one-line JSON summary with --json (stdout), a
// one-line message and exit code 1 on error.
import { DenoFileTarget, denoRuntime, openFileReader } from '../../src/platform/deno/mod.ts';
import { DEFAULT_LADDER, UsageError, diagnostics, formatHelp, formatStages, parseCommandLine, transcode } from '../../src/mod.ts';
import type { AudioMode, OutputFormat, ProgressEvent, QualityFigures, QualityLevel, RangeReader, TranscodeResult } from '../../src/mod.ts';
import { MANIFEST, readManifest, rungIntact, sha256, writeManifest } from './manifest.ts';
import type { Manifest, ManifestFile } from './manifest.ts';
import { ProgressView } from './progress-view.ts';
import { abortOnSignals, exitStatus } from './signals.ts';

// Made first, at start-up, before the signal handlers: its one-time hardware-encoder probe runs a
// child process synchronously (src/platform/deno/encoder.ts), and a signal then would wait for it.
const runtime = denoRuntime();

// The flags and their bounds come from the option schema (src/options.ts); these notes are this CLI's own.
const USAGE = formatHelp('deno', `Transcodes INPUT into an AV1 ladder: DIR/<rung>p.mp4, or with --format hls DIR/master.m3u8 and a
folder of CMAF segments per rung (dash: DIR/manifest.mpd; cmaf: both over one set of segments). Decoding and encoding use FFmpeg through node-av (SVT-AV1; NVENC/QSV/VAAPI where
one opens), scaling uses WebGPU. --json prints one JSON summary line on stdout at the end.
Every file is written under a temporary name and renamed when complete; DIR/${MANIFEST} lists each
finished rung's files with their sizes and SHA-256. --resume (MP4 only) skips the rungs whose files
still match it and redoes the rest. --quality encodes at constant quality instead of bitrates: a level,
or an AV1 quantizer (0 best … 63, SVT-AV1's CRF) per rung. --quality-report decodes every chunk back and compares each frame
with the scaled picture it was encoded from (on the GPU): PSNR (Y, and Y/U/V weighted by plane size
as ffmpeg's psnr 'average') and SSIM (Y) per rung, printed and in --json as rungs[].quality.
--audio auto (default) carries the source's audio (AAC, ADTS AAC, Opus) or re-encodes it as Opus, and
fails only if neither is possible; drop writes video only; require fails before decoding when the source
has no audio. What became of the audio is a note, and in --json as audio. Ctrl-C (SIGINT) or SIGTERM cancels: nothing the job wrote is left, exit 130 (SIGINT) or 143 (SIGTERM).`);

interface Args {
  input: string; out: string; ladder: number[] | undefined; format: OutputFormat; policy: string | undefined;
  leases: number | undefined; chunkSeconds: number | undefined; json: boolean; resume: boolean; qualityReport: boolean;
  quality: QualityLevel | number[] | undefined; qualityText: string | null; audio: AudioMode;
}

/** The command line, checked against the option schema; null for --help. Throws a UsageError. */
function parse(argv: string[]): Args | null {
  const { help, positionals, options: o, flags, texts } = parseCommandLine('deno', argv);
  if (help) return null;
  if (positionals.length === 0) throw new UsageError('missing INPUT (the video file to transcode)');
  if (positionals.length > 1) throw new UsageError(`expected one INPUT, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!flags.out) throw new UsageError('missing --out DIR (where the ladder is written)');
  return {
    input: positionals[0]!, out: flags.out as string, ladder: o.ladder, format: o.format ?? 'mp4', policy: o.policy, leases: o.leases,
    chunkSeconds: o.chunkSeconds, json: flags.json === true, resume: flags.resume === true, qualityReport: o.qualityReport === true,
    quality: o.quality, qualityText: texts.quality ?? null, audio: o.audio ?? 'auto',
  };
}

/** Opens the input for reading in ranges, naming the problem when it is missing or unreadable. */
async function openInputFile(path: string): Promise<{ reader: RangeReader; info: Deno.FileInfo }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new UsageError(`input not found: ${path}`);
    throw new UsageError(`cannot read input ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!info.isFile) throw new UsageError(`input is not a file: ${path}`);
  try {
    return { reader: await openFileReader(path), info };
  } catch (err) {
    throw new UsageError(`cannot read input ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface TimelineEntry { lease: number; rung: number; label: number; chunk: number; hardware: boolean; encoder: string; helper: boolean; startMs: number; endMs: number | null }

async function main(): Promise<number> {
  const args = parse(Deno.args);
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const input = await openInputFile(args.input);
  const outDir = args.out.startsWith('/') ? args.out : `${Deno.cwd()}/${args.out}`;
  const target = new DenoFileTarget(outDir);
  const hashed = new Map<string, ManifestFile>();
  const hashingTarget = {
    async write(path: string, bytes: Uint8Array) {
      const entry = { path, size: bytes.byteLength, sha256: await sha256(bytes) };
      await target.write(path, bytes);
      hashed.set(path, entry);
    },
  };

  // The manifest: what earlier runs finished (kept when --resume finds it intact) and what this one does.
  const requested = [...(args.ladder ?? DEFAULT_LADDER)];
  const identity = { size: input.info.size, mtimeMs: input.info.mtime?.getTime() ?? null };
  const manifest: Manifest = { version: 1, input: identity, format: args.format, chunkSeconds: args.chunkSeconds ?? null, quality: args.qualityText, rungs: [] };
  let dropped: number[] = [];
  if (args.resume) {
    if (args.format !== 'mp4') throw new UsageError('--resume works with --format mp4 only: an HLS master playlist or a DASH MPD lists every rung, so a segmented ladder is redone whole');
    const old = await readManifest(outDir);
    if (old && old.format === args.format && old.chunkSeconds === manifest.chunkSeconds && (old.quality ?? null) === manifest.quality && old.input.size === identity.size && old.input.mtimeMs === identity.mtimeMs) {
      for (const r of old.rungs) if (requested.includes(r.requested) && await rungIntact(outDir, r)) manifest.rungs.push(r);
      dropped = (old.dropped ?? []).filter((h) => requested.includes(h));
    }
  }
  const kept = [...manifest.rungs];
  const remaining = requested.filter((h) => !kept.some((k) => k.requested === h) && !dropped.includes(h));
  manifest.dropped = dropped;
  let manifestWrites: Promise<void> = Promise.resolve();
  const saveManifest = () => { manifestWrites = manifestWrites.then(() => writeManifest(outDir, manifest)); };
  const controller = new AbortController();
  abortOnSignals(controller); // kept until Deno.exit (see the finally below)
  const t0 = performance.now();
  const timeline: TimelineEntry[] = [];
  const open = new Map<string, TimelineEntry>();
  let labels: number[] = [];
  const view = new ProgressView(Deno.stderr.isTerminal());
  const onProgress = (e: ProgressEvent) => {
    const now = Math.round(performance.now() - t0);
    if (e.type === 'job-start') {
      labels = e.rungs.map((r) => r.label);
      // A requested rung larger than the source is dropped by the planner; remember it so a resume
      // does not ask for it alone (the planner would then make a rung at the source's size).
      const planned = (h: number) => labels.includes(Math.max(2, Math.floor(h / 2) * 2));
      if (labels.length > 1 || remaining.some(planned)) manifest.dropped = [...dropped, ...remaining.filter((h) => !planned(h))];
      for (const n of e.notices) if (!args.json) console.error(`note: ${n}`);
    }
    if (e.type === 'rung-completed') {
      const requestedHeight = remaining.find((h) => Math.max(2, Math.floor(h / 2) * 2) === e.label) ?? remaining[0]!;
      manifest.rungs.push({
        requested: requestedHeight, label: e.label, width: e.width, height: e.height, codec: e.codec, bitrate: 0, frames: e.frames,
        files: e.files.map((f) => hashed.get(f) ?? { path: f, size: -1, sha256: '' }),
      });
      saveManifest();
    }
    if (e.type === 'chunk-start') {
      const entry: TimelineEntry = { lease: e.leaseId, rung: e.rung, label: labels[e.rung] ?? e.rung, chunk: e.chunk, hardware: e.hardware, encoder: e.encoder, helper: e.helper, startMs: now, endMs: null };
      open.set(`${e.rung}:${e.chunk}:${e.leaseId}`, entry);
      timeline.push(entry);
    } else if (e.type === 'chunk-done') {
      const entry = open.get(`${e.rung}:${e.chunk}:${e.leaseId}`);
      if (entry) entry.endMs = now;
    }
    view.update(e);
  };
  let result: TranscodeResult | null = null;
  try {
    if (remaining.length > 0) result = await transcode({
      runtime,
      input: input.reader,
      format: args.format,
      target: hashingTarget,
      signal: controller.signal,
      onProgress,
      ...(args.ladder ? { ladder: args.ladder } : {}),
      ...(args.policy !== undefined ? { policy: args.policy } : {}),
      ...(args.leases !== undefined ? { leases: args.leases } : {}),
      ...(args.chunkSeconds !== undefined ? { chunkSeconds: args.chunkSeconds } : {}),
      ...(args.qualityReport ? { qualityReport: true } : {}),
      audio: args.audio,
      ...(typeof args.quality === 'string' ? { quality: args.quality } : {}),
      // Quantizers given per requested rung follow their rung into a resumed, shorter ladder.
      ladder: Array.isArray(args.quality) ? remaining.map((h) => ({ height: h, quantizer: (args.quality as number[])[requested.indexOf(h)]! })) : remaining,
    });
    await manifestWrites;
  } catch (err) {
    view.stop();
    await target.discard(); // a failed job leaves nothing that looks like output
    // Only what earlier runs finished (and this one did not touch) stays listed.
    manifest.rungs = kept;
    await manifestWrites.catch(() => {});
    if (kept.length) await writeManifest(outDir, manifest);
    else await Deno.remove(`${outDir}/${MANIFEST}`).catch(() => {});
    throw err;
  } finally {
    // The signal listeners stay until Deno.exit: Ctrl-C reaches this process both from the
    // terminal and from a parent that forwards it (npm, tools/deno-cli.mjs, deno task), and the
    // second copy must not end the process by default action in the middle of the cleanup.
    input.reader.close?.();
  }
  view.stop();
  const hls = args.format === 'hls' || args.format === 'cmaf';
  const dash = args.format === 'dash' || args.format === 'cmaf';
  const files = (label: number) => hls ? `${outDir}/${label}p/video.m3u8` : dash ? `${outDir}/${label}p/init.mp4` : `${outDir}/${label}p.mp4`;
  const fresh = (result?.rungs ?? []).map((r) => ({ height: r.height, width: r.width, label: r.label, codec: r.codec, bitrate: r.bitrate, achievedBitrate: r.achievedBitrate, quantizer: r.quantizer, frames: r.frames, bytes: r.bytes, file: files(r.label), chunks: r.chunks, ...(r.quality ? { quality: r.quality } : {}) }));
  const resumed = kept.map((r) => ({ height: r.height, width: r.width, label: r.label, codec: r.codec, bitrate: r.bitrate, achievedBitrate: null, quantizer: null, frames: r.frames, bytes: r.files.reduce((n, f) => n + f.size, 0), file: files(r.label), chunks: [] }));
  const rungs = [...fresh, ...resumed].sort((a, b) => b.width * b.height - a.width * a.height);
  const stats = result?.stats ?? { decodedFrames: kept[0]?.frames ?? 0, skippedFrames: 0, encodedFrames: 0, chunks: 0, requeued: 0, recalibrated: 0, hardwareChunks: 0, softwareChunks: 0, wallMs: 0 };
  const summary = {
    rungs,
    resumed: kept.map((r) => r.label),
    audio: result?.audio ?? null,
    notices: result?.source.notices ?? [],
    ...(hls ? { master: `${outDir}/master.m3u8` } : {}),
    ...(dash ? { mpd: `${outDir}/manifest.mpd` } : {}),
    decodedFrames: stats.decodedFrames,
    stats,
    openFrames: diagnostics().openFrames,
    timeline: timeline.filter((t) => t.endMs !== null),
    wallMs: Math.round(performance.now() - t0),
  };
  const fps = stats.encodedFrames / Math.max(1e-3, summary.wallMs / 1000);
  if (kept.length) console.error(`resumed: kept ${kept.map((r) => `${r.label}p`).join(', ')} (files match the manifest)`);
  const wrote = [...(hls ? [`HLS to ${outDir}/master.m3u8`] : []), ...(dash ? [`DASH to ${outDir}/manifest.mpd`] : [])];
  console.error(`${wrote.length > 0 ? `wrote ${wrote.join(' and ')}` : `wrote ${fresh.length} MP4s to ${outDir}`} in ${(summary.wallMs / 1000).toFixed(1)} s (${fps.toFixed(1)} encoded frames/s, ${stats.chunks} chunks)`);
  // Where the time went (also in --json as stats.stages); a run that only resumed has none.
  if (result) console.error(formatStages(result.stats.stages));
  for (const r of fresh) if (r.quality) console.error(`quality ${r.label}p: ${formatQuality(r.quality)}`);
  if (result?.stats.qualityMs !== undefined) console.error(`quality report: ${(result.stats.qualityMs / 1000).toFixed(1)} s decoding back and comparing, beside the encodes`);
  if (args.json) console.log(JSON.stringify(summary));
  else for (const r of summary.rungs) console.log(`${r.label}p ${r.width}x${r.height} ${r.codec} ${r.frames} frames ${r.bytes} bytes${r.achievedBitrate ? ` video ${Math.round(r.achievedBitrate / 1000)} kbit/s (asked ${Math.round(r.bitrate / 1000)})` : ''} → ${r.file}`);
  return 0;
}

function formatQuality(q: QualityFigures): string {
  return `PSNR ${q.psnr.toFixed(2)} dB (Y ${q.psnrY.toFixed(2)} dB), SSIM ${q.ssim.toFixed(4)}, ${q.frames} frames compared`;
}

function oneLine(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  const e = err instanceof Error ? err : new Error(String(err));
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`.replace(/\s*\n\s*/g, ' ');
}

let code: number;
try {
  code = await main();
} catch (err) {
  console.error(`error: ${oneLine(err)}`);
  // 130 / 143: the conventional exit statuses of a program ended by SIGINT / SIGTERM.
  code = exitStatus(err);
}
// Leases (workers) and the GPU device may keep the event loop alive; the job is over.
Deno.exit(code);

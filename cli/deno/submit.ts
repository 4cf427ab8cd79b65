// `deno task submit INPUT --out DIR --nats nats://HOST:PORT [...]`: a distributed ladder job
// (src/distributed/coordinator.ts). Workers started with `deno task worker` encode its segments;
// this process cuts them, follows them, checks every rung's contract and writes the outputs. One
// line per stored chunk on stderr ("chunk R.I ..."), a one-line JSON summary with --json.
import { DenoFileTarget, denoRuntime, loadDistributed, openFileReader } from '../../src/platform/deno/mod.ts';
import type { SourceRef } from '../../src/platform/deno/mod.ts';
import { UsageError, diagnostics, formatHelp, parseCommandLine } from '../../src/mod.ts';
import { abortOnSignals, exitStatus } from './signals.ts';

const { SOURCE_OBJECT, isJobId, openChunks, submit } = await loadDistributed();
// Made first, at start-up, before the signal handlers: its one-time hardware-encoder probe runs a
// child process synchronously (src/platform/deno/encoder.ts), and a signal then would wait for it.
const runtime = denoRuntime();

// The flags and their bounds come from the option schema (src/options.ts), shared with the CLIs.
const USAGE = formatHelp('submit', `Runs INPUT's ladder on the workers pulling from NATS JetStream. --source path (default for a file)
lets workers read INPUT at the same absolute path (a shared file system) in byte ranges; an http(s)
URL is read by range requests; --source store puts the file into the job's object store. The job id
is printed first ("job ID"); --resume ID picks a job up after this process died. Ctrl-C cancels the
job everywhere (exit 130).`, ['--resume JOB --out DIR --nats nats://HOST:PORT [--json]']);

async function main(): Promise<number> {
  const { help, positionals, options, flags, texts } = parseCommandLine('submit', Deno.args);
  if (help) { console.log(USAGE); return 0; }
  const v = { nats: flags.nats as string | undefined, out: flags.out as string | undefined, resume: flags.resume as string | undefined, source: flags.source as string | undefined, json: flags.json === true };
  if (!v.nats) throw new UsageError('missing --nats nats://HOST:PORT');
  if (!v.out) throw new UsageError('missing --out DIR (where the ladder is written)');
  if (v.resume !== undefined && !isJobId(v.resume)) throw new UsageError(`bad --resume ${JSON.stringify(texts.resume)}: not a job id`);
  if (v.resume === undefined && positionals.length !== 1) throw new UsageError('expected one INPUT (or --resume JOB)');
  const { ladder, chunkSeconds } = options;
  const format = (options.format ?? 'mp4') as 'mp4' | 'hls';

  let source;
  if (v.resume === undefined) {
    const input = positionals[0]!;
    if (/^https?:\/\//.test(input)) {
      source = { input, ref: { kind: 'url', url: input } as SourceRef, name: input };
    } else {
      const path = input.startsWith('/') ? input : `${Deno.cwd()}/${input}`;
      const info = await Deno.stat(path).catch(() => { throw new UsageError(`input not found: ${input}`); });
      if (!info.isFile) throw new UsageError(`input is not a file: ${input}`);
      const store = v.source === 'store';
      source = {
        input: await openFileReader(path), name: input,
        ref: (store ? { kind: 'store', size: info.size } : { kind: 'path', path }) as SourceRef,
        bytes: () => Deno.readFile(path),
      };
    }
  }
  const outDir = v.out.startsWith('/') ? v.out : `${Deno.cwd()}/${v.out}`;
  const target = new DenoFileTarget(outDir);
  const controller = new AbortController();
  const stopListening = abortOnSignals(controller);
  const t0 = performance.now();
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  try {
    const r = await submit({
      nats: v.nats, runtime, ...(source ? { source } : {}), resume: v.resume, ladder, format, chunkSeconds, target, signal: controller.signal,
      openSource: async (ref, c, job) => {
        if (ref.kind === 'path') return openFileReader(ref.path);
        if (ref.kind === 'url') return ref.url;
        const bytes = await (await openChunks(c, job)).getBlob(SOURCE_OBJECT);
        if (!bytes) throw new Error(`job ${job}: its source is not in the object store`);
        return bytes;
      },
      onJob: (job) => console.error(`job ${job}`),
      onChunk: (m, stored, total) => {
        const line = `chunk ${m.rung}.${m.index} worker ${m.worker} encode ${m.encodeId} delivery ${m.delivery} (${stored}/${total})`;
        if (tty) Deno.stderr.writeSync(enc.encode(`\r\x1b[2K[${'#'.repeat(Math.round(28 * stored / total)).padEnd(28)}] ${stored}/${total} chunks`));
        else console.error(line);
      },
      onRejected: (m, reason) => console.error(`${tty ? '\n' : ''}rejected ${m.rung}.${m.index} from ${m.worker}: ${reason}; re-published without it`),
    });
    if (tty) console.error('');
    const wallMs = Math.round(performance.now() - t0);
    const hls = r.spec.format === 'hls';
    const rungs = r.written.rungs.map(({ written, accepted }) => {
      const p = r.spec.plans[accepted.rung]!;
      const chunks = accepted.chunks.map((c) => c.record);
      const bits = chunks.reduce((n, c) => n + c.bytes * 8, 0);
      const secs = chunks.reduce((n, c) => n + c.seconds, 0);
      return {
        height: p.height, width: p.width, label: p.label, codec: written.codec, bitrate: p.bitrate, achievedBitrate: secs > 0 ? Math.round(bits / secs) : 0, quantizer: p.quantizer,
        frames: written.frames, bytes: written.bytes, file: hls ? `${outDir}/${p.label}p/video.m3u8` : `${outDir}/${p.label}p.mp4`, chunks,
      };
    });
    const chunks = rungs.flatMap((x) => x.chunks);
    const encodedFrames = rungs.reduce((n, x) => n + x.frames, 0);
    const summary = {
      rungs, resumed: [], audio: r.audio?.outcome ?? null, notices: r.audio?.notices ?? [],
      ...(hls ? { master: `${outDir}/master.m3u8` } : {}),
      decodedFrames: r.spec.totalFrames,
      stats: {
        decodedFrames: r.spec.totalFrames, skippedFrames: 0, encodedFrames, chunks: chunks.length, requeued: r.rejected.length, recalibrated: 0,
        hardwareChunks: chunks.filter((c) => c.hardware).length, softwareChunks: chunks.filter((c) => !c.hardware).length, wallMs,
      },
      openFrames: diagnostics().openFrames, timeline: [], wallMs,
      job: r.job, segments: r.spec.segments.length, workers: r.workers, redelivered: r.redelivered, rejected: r.rejected,
      keptChunks: r.kept.map((m) => ({ rung: m.rung, index: m.index, worker: m.worker, encodeId: m.encodeId })),
    };
    console.error(`job ${r.job}: wrote ${hls ? `HLS to ${outDir}/master.m3u8` : `${rungs.length} MP4s to ${outDir}`} in ${(wallMs / 1000).toFixed(1)} s; ${chunks.length} chunks from ${Object.keys(r.workers).length} workers (${Object.entries(r.workers).map(([w, n]) => `${w}: ${n}`).join(', ')})`);
    if (v.json) console.log(JSON.stringify(summary));
    else for (const x of rungs) console.log(`${x.label}p ${x.width}x${x.height} ${x.codec} ${x.frames} frames ${x.bytes} bytes → ${x.file}`);
    return 0;
  } catch (err) {
    await target.discard();
    throw err;
  } finally {
    stopListening();
    if (source && typeof source.input !== 'string') source.input.close?.();
  }
}

let code: number;
try {
  code = await main();
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(`error: ${err instanceof UsageError ? e.message : `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`.replace(/\s*\n\s*/g, ' ')}`);
  code = exitStatus(err);
}
Deno.exit(code);

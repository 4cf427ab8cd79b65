// Automation harness: exposes window.runJob for the browser CLI and the tests. Each finished rung
// is uploaded (PUT) to the serving CLI as soon as its 'rung-completed' event fires.
import { callbackTarget, diagnostics, inspectHardware, measureScaler, transcode } from '../src/mod.ts';
import type { AudioOutcome, OutputFormat, ProgressEvent, QualityFigures, RungResult, TranscodeOptions } from '../src/mod.ts';
import { makeSampleClip } from './sample.ts';
// Imported by name, not for its side effect: package.json's `sideEffects: false` lets the bundler
// drop a bare `import './peer.ts'`, which left bench:ladder without its peer.
import { runPeer } from './peer.ts';

export interface JobRequest {
  inputUrl: string | null;
  sample?: { seconds: number; width: number; height: number };
  ladder?: number[];
  leases?: number;
  chunkSeconds?: number;
  bitrates?: number[];
  policy?: string;
  format?: OutputFormat;
  qualityReport?: boolean;
  /** TranscodeOptions.quality: a level, or a quantizer per ladder rung. */
  quality?: 'high' | 'medium' | 'low' | number[];
  /** TranscodeOptions.audio. */
  audio?: 'auto' | 'drop' | 'require';
  /** Aborts the job once this many frames are decoded (cancellation tests). */
  abortAfterFrames?: number;
  /** Aborts the job this many milliseconds after it starts (abort-at-any-point tests). */
  abortAfterMs?: number;
  uploadBase: string;
}

/** A progress event as recorded: rung outputs left out (distributed over the union), time added. */
type EventRecord = (ProgressEvent extends infer E ? E extends unknown ? Omit<E, 'output' | 'packets'> : never : never) & {
  t: number;
  /** rung-completed only: how many packets it carried, and whether their timestamps ascend. */
  packetCount?: number;
  packetsOrdered?: boolean;
};

export interface JobReply {
  ok: boolean;
  error?: { name: string; message: string };
  rungs?: Array<{ label: number; height: number; width: number; codec: string; bitrate: number; achievedBitrate: number; quantizer: number | null; frames: number; bytes: number; file: string; chunks: unknown[]; quality?: QualityFigures }>;
  stats?: unknown;
  source?: unknown;
  /** TranscodeResult.audio. */
  audio?: AudioOutcome;
  /** Milliseconds from abort() to the job settling, when the job was aborted. */
  abortLatencyMs?: number;
  /** Every progress event (rung outputs left out), with `t`: ms since the job started. */
  events: Array<EventRecord>;
  openFrames: number;
  /** Encoder workers still alive when the job settled. */
  liveWorkers: number;
  wallMs: number;
}

/** The file that stands for a rung: its MP4, its HLS media playlist, or (DASH alone) its init segment. */
function rungFile(r: RungResult, format: OutputFormat | undefined): string {
  if (format === 'hls' || format === 'cmaf') return `${r.label}p/video.m3u8`;
  if (format === 'dash') return `${r.label}p/init.mp4`;
  return r.files[0] ?? '';
}

/** The transcode options a request names (ladder and bitrates, leases, chunk length, policy, format). */
function requestOptions(req: JobRequest): Partial<TranscodeOptions> {
  return {
    ...(req.ladder ? { ladder: req.bitrates ? req.ladder.map((height, i) => ({ height, bitrate: req.bitrates![i]! })) : req.ladder } : {}),
    ...(req.leases ? { leases: req.leases } : {}),
    ...(req.chunkSeconds ? { chunkSeconds: req.chunkSeconds } : {}),
    ...(req.policy ? { policy: req.policy } : {}),
    ...(req.format ? { format: req.format } : {}),
    ...(req.qualityReport ? { qualityReport: true } : {}),
    ...(req.quality !== undefined ? { quality: req.quality } : {}),
    ...(req.audio !== undefined ? { audio: req.audio } : {}),
  };
}

async function runJob(req: JobRequest): Promise<JobReply> {
  const t0 = performance.now();
  const events: JobReply['events'] = [];
  const upload = async (name: string, bytes: Uint8Array) => {
    const res = await fetch(`${req.uploadBase}${name}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    if (!res.ok) throw new Error(`Upload of ${name} failed: HTTP ${res.status}${res.status === 500 ? `: ${await res.text()}` : ''}`);
  };
  const controller = new AbortController();
  let abortedAt: number | null = null;
  const settled = () => (abortedAt === null ? {} : { abortLatencyMs: performance.now() - abortedAt });
  const abortTimer = req.abortAfterMs === undefined ? null : setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, req.abortAfterMs);
  try {
    const input = req.inputUrl ?? new Blob([await makeSampleClip(req.sample ?? { seconds: 4, width: 1280, height: 720 })], { type: 'video/mp4' });
    const result = await transcode({
      input,
      ...requestOptions(req),
      signal: controller.signal,
      // Each finished file goes to the serving CLI at once; the engine waits for the upload.
      target: callbackTarget((path, bytes) => upload(path, bytes)),
      onProgress: (e) => {
        if (req.abortAfterFrames !== undefined && e.type === 'decode' && e.frames >= req.abortAfterFrames && abortedAt === null) {
          abortedAt = performance.now();
          controller.abort();
        }
        if (e.type === 'rung-completed') {
          const { output, packets, ...rest } = e;
          const packetsOrdered = packets.every((p, i) => i === 0 || p.timestamp > packets[i - 1]!.timestamp);
          events.push({ ...rest, t: performance.now() - t0, packetCount: packets.length, packetsOrdered });
        } else {
          events.push({ ...e, t: performance.now() - t0 });
        }
        if (e.type !== 'chunk-start') console.log(`progress:${JSON.stringify(e.type === 'rung-completed' ? { ...e, output: undefined, packets: e.packets.length } : e)}`);
      },
    });
    return {
      ok: true,
      rungs: result.rungs.map((r) => ({ label: r.label, height: r.height, width: r.width, codec: r.codec, bitrate: r.bitrate, achievedBitrate: r.achievedBitrate, quantizer: r.quantizer, frames: r.frames, bytes: r.bytes, file: rungFile(r, req.format), chunks: r.chunks, ...(r.quality ? { quality: r.quality } : {}) })),
      stats: result.stats,
      source: result.source,
      audio: result.audio,
      events,
      openFrames: diagnostics().openFrames,
      liveWorkers: diagnostics().liveWorkers,
      wallMs: performance.now() - t0,
      ...settled(),
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const latency = settled();
    return { ok: false, error: { name: e.name, message: e.message }, events, openFrames: diagnostics().openFrames, liveWorkers: diagnostics().liveWorkers, wallMs: performance.now() - t0, ...latency };
  } finally {
    if (abortTimer !== null) clearTimeout(abortTimer);
  }
}

declare global {
  interface Window { runJob: typeof runJob; inspectHardware: typeof inspectHardware; gpuBufferBytes: () => { live: number; peak: number }; harnessReady: boolean; runPeer: typeof runPeer }
}
window.runJob = runJob;
window.gpuBufferBytes = () => diagnostics().gpuBufferBytes;
window.inspectHardware = inspectHardware;
window.runPeer = runPeer;
window.harnessReady = true;

// ---- engine jobs (issue 7) ---------------------------------------------------------------------
// window.runEngineJobs: several jobs at once over one engine (createEngine), each uploaded under its
// own uploadBase; optionally with a balancer module the CLI bundled (its default export, or
// `balancer`: a LoadBalancer object or class).
import { createEngine } from '../src/mod.ts';
import type { Engine, EngineReport, LoadBalancer } from '../src/mod.ts';

export interface EngineJobsRequest {
  jobs: JobRequest[];
  adapterWeights?: string;
  /** Software leases shared by the engine's jobs. */
  leases?: number;
  /** URL of an ES module whose default export (or `balancer`) is a LoadBalancer object or class. */
  balancerUrl?: string;
}

export interface EngineJobsReply {
  ok: boolean;
  error?: { name: string; message: string };
  jobs: JobReply[];
  /** engine.report() taken once every job had been placed, while they ran. */
  reportWhileRunning: EngineReport | null;
  /** engine.report() after every job settled. */
  reportAfter: EngineReport | null;
  openFrames: number;
  wallMs: number;
}

async function runEngineJob(engine: Engine, req: JobRequest, t0: number, onBalanced: () => void): Promise<JobReply> {
  const events: JobReply['events'] = [];
  const upload = async (name: string, bytes: Uint8Array) => {
    const res = await fetch(`${req.uploadBase}${name}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    if (!res.ok) throw new Error(`Upload of ${name} failed: HTTP ${res.status}`);
  };
  try {
    const input = req.inputUrl ?? new Blob([await makeSampleClip(req.sample ?? { seconds: 4, width: 1280, height: 720 })], { type: 'video/mp4' });
    const options: TranscodeOptions = {
      input,
      ...requestOptions(req),
      target: callbackTarget((path, bytes) => upload(path, bytes)),
      onProgress: (e) => {
        if (e.type === 'rung-completed') {
          const { output, packets, ...rest } = e;
          events.push({ ...rest, t: performance.now() - t0, packetCount: packets.length, packetsOrdered: packets.every((p, i) => i === 0 || p.timestamp > packets[i - 1]!.timestamp) });
        } else {
          events.push({ ...e, t: performance.now() - t0 });
        }
        if (e.type === 'job-balanced') onBalanced();
        if (e.type !== 'chunk-start') console.log(`progress:${JSON.stringify(e.type === 'rung-completed' ? { ...e, output: undefined, packets: e.packets.length } : e)}`);
      },
    };
    const result = await engine.transcode(options);
    return {
      ok: true,
      rungs: result.rungs.map((r) => ({ label: r.label, height: r.height, width: r.width, codec: r.codec, bitrate: r.bitrate, achievedBitrate: r.achievedBitrate, quantizer: r.quantizer, frames: r.frames, bytes: r.bytes, file: rungFile(r, req.format), chunks: r.chunks })),
      stats: result.stats, source: result.source, events, openFrames: diagnostics().openFrames, liveWorkers: diagnostics().liveWorkers, wallMs: performance.now() - t0,
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message }, events, openFrames: diagnostics().openFrames, liveWorkers: diagnostics().liveWorkers, wallMs: performance.now() - t0 };
  }
}

async function runEngineJobs(req: EngineJobsRequest): Promise<EngineJobsReply> {
  const t0 = performance.now();
  let engine: Engine | null = null;
  try {
    let balancer: LoadBalancer | (new () => LoadBalancer) | undefined;
    if (req.balancerUrl) {
      const mod = (await import(/* @vite-ignore */ req.balancerUrl)) as { default?: typeof balancer; balancer?: typeof balancer };
      balancer = mod.default ?? mod.balancer;
      if (!balancer) throw new TypeError(`The balancer module ${req.balancerUrl} exports neither a default nor 'balancer'`);
    }
    const e = createEngine({
      ...(balancer ? { balancer } : {}),
      ...(req.adapterWeights !== undefined ? { adapterWeights: req.adapterWeights } : {}),
      ...(req.leases ? { leases: req.leases } : {}),
    });
    engine = e;
    let balanced = 0;
    let during: Promise<EngineReport> | null = null;
    const onBalanced = () => { if (++balanced === req.jobs.length) during = e.report(); };
    const jobs = await Promise.all(req.jobs.map((j) => runEngineJob(e, j, t0, onBalanced)));
    const reportWhileRunning: EngineReport | null = await (during ?? Promise.resolve(null));
    return { ok: jobs.every((j) => j.ok), jobs, reportWhileRunning, reportAfter: await e.report(), openFrames: diagnostics().openFrames, wallMs: performance.now() - t0 };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message }, jobs: [], reportWhileRunning: null, reportAfter: null, openFrames: diagnostics().openFrames, wallMs: performance.now() - t0 };
  } finally {
    await engine?.close();
  }
}

declare global {
  interface Window { runEngineJobs: typeof runEngineJobs }
}
window.runEngineJobs = runEngineJobs;
// ---- end of engine jobs (issue 7) ----------------------------------------------------------------

// ---- scaler timing (npm run bench:scale) -------------------------------------------------------
declare global {
  interface Window { measureScaler: (url: string, width: number, height: number, targets: Array<{ width: number; height: number }>) => ReturnType<typeof measureScaler> }
}
window.measureScaler = async (url, width, height, targets) => {
  const frame = new Uint8Array(await (await fetch(url)).arrayBuffer());
  return measureScaler(frame, width, height, true, targets);
};

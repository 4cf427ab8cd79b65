// Automation harness: exposes window.runJob for the browser CLI and the tests. Each finished rung
// is uploaded (PUT) to the serving CLI as soon as its 'rung-completed' event fires.
import { inspectHardware, openFrameCount, transcode } from '../src/mod.ts';
import type { ProgressEvent } from '../src/mod.ts';
import { makeSampleClip } from './sample.ts';
import './peer.ts';

export interface JobRequest {
  inputUrl: string | null;
  sample?: { seconds: number; width: number; height: number };
  ladder?: number[];
  leases?: number;
  chunkSeconds?: number;
  bitrates?: number[];
  policy?: string;
  uploadBase: string;
}

export interface JobReply {
  ok: boolean;
  error?: { name: string; message: string };
  rungs?: Array<{ label: number; height: number; width: number; codec: string; frames: number; bytes: number; file: string; chunks: unknown[] }>;
  stats?: unknown;
  source?: unknown;
  /** Every progress event (rung outputs left out), with `t`: ms since the job started. */
  events: Array<Omit<ProgressEvent, 'output'> & { t: number }>;
  openFrames: number;
  wallMs: number;
}

async function runJob(req: JobRequest): Promise<JobReply> {
  const t0 = performance.now();
  const events: JobReply['events'] = [];
  const uploads: Array<Promise<void>> = [];
  const upload = async (name: string, bytes: Uint8Array) => {
    const res = await fetch(`${req.uploadBase}${name}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    if (!res.ok) throw new Error(`Upload of ${name} failed: HTTP ${res.status}`);
  };
  try {
    const input = req.inputUrl ?? new Blob([await makeSampleClip(req.sample ?? { seconds: 4, width: 1280, height: 720 })], { type: 'video/mp4' });
    const result = await transcode({
      input,
      ...(req.ladder ? { ladder: req.bitrates ? req.ladder.map((height, i) => ({ height, bitrate: req.bitrates![i]! })) : req.ladder } : {}),
      ...(req.leases ? { leases: req.leases } : {}),
      ...(req.chunkSeconds ? { chunkSeconds: req.chunkSeconds } : {}),
      ...(req.policy ? { policy: req.policy } : {}),
      onProgress: (e) => {
        if (e.type === 'rung-completed') {
          const { output, ...rest } = e;
          events.push({ ...rest, t: performance.now() - t0 });
          uploads.push(upload(`${e.label}p.mp4`, output));
        } else {
          events.push({ ...e, t: performance.now() - t0 });
        }
        if (e.type !== 'chunk-start') console.log(`progress:${JSON.stringify(e.type === 'rung-completed' ? { ...e, output: undefined } : e)}`);
      },
    });
    await Promise.all(uploads);
    return {
      ok: true,
      rungs: result.rungs.map((r) => ({ label: r.label, height: r.height, width: r.width, codec: r.codec, frames: r.frames, bytes: r.bytes, file: `${r.label}p.mp4`, chunks: r.chunks })),
      stats: result.stats,
      source: result.source,
      events,
      openFrames: openFrameCount(),
      wallMs: performance.now() - t0,
    };
  } catch (err) {
    await Promise.allSettled(uploads);
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message }, events, openFrames: openFrameCount(), wallMs: performance.now() - t0 };
  }
}

declare global {
  interface Window { runJob: typeof runJob; inspectHardware: typeof inspectHardware; harnessReady: boolean }
}
window.runJob = runJob;
window.inspectHardware = inspectHardware;
window.harnessReady = true;

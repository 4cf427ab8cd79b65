// Automation harness: exposes window.runJob for the browser CLI and the tests. Each finished rung
// is uploaded (PUT) to the serving CLI as soon as its 'rung-completed' event fires.
import { callbackTarget, inspectHardware, openFrameCount, transcode } from '../src/mod.ts';
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
  format?: 'mp4' | 'hls';
  /** Aborts the job once this many frames are decoded (cancellation tests). */
  abortAfterFrames?: number;
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
  rungs?: Array<{ label: number; height: number; width: number; codec: string; frames: number; bytes: number; file: string; chunks: unknown[] }>;
  stats?: unknown;
  source?: unknown;
  /** Milliseconds from abort() to the job settling, when the job was aborted. */
  abortLatencyMs?: number;
  /** Every progress event (rung outputs left out), with `t`: ms since the job started. */
  events: Array<EventRecord>;
  openFrames: number;
  wallMs: number;
}

async function runJob(req: JobRequest): Promise<JobReply> {
  const t0 = performance.now();
  const events: JobReply['events'] = [];
  const upload = async (name: string, bytes: Uint8Array) => {
    const res = await fetch(`${req.uploadBase}${name}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
    if (!res.ok) throw new Error(`Upload of ${name} failed: HTTP ${res.status}`);
  };
  const controller = new AbortController();
  let abortedAt: number | null = null;
  const settled = () => (abortedAt === null ? {} : { abortLatencyMs: performance.now() - abortedAt });
  try {
    const input = req.inputUrl ?? new Blob([await makeSampleClip(req.sample ?? { seconds: 4, width: 1280, height: 720 })], { type: 'video/mp4' });
    const result = await transcode({
      input,
      ...(req.ladder ? { ladder: req.bitrates ? req.ladder.map((height, i) => ({ height, bitrate: req.bitrates![i]! })) : req.ladder } : {}),
      ...(req.leases ? { leases: req.leases } : {}),
      ...(req.chunkSeconds ? { chunkSeconds: req.chunkSeconds } : {}),
      ...(req.policy ? { policy: req.policy } : {}),
      ...(req.format ? { format: req.format } : {}),
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
      rungs: result.rungs.map((r) => ({ label: r.label, height: r.height, width: r.width, codec: r.codec, frames: r.frames, bytes: r.bytes, file: req.format === 'hls' ? `${r.label}p/video.m3u8` : r.files[0] ?? '', chunks: r.chunks })),
      stats: result.stats,
      source: result.source,
      events,
      openFrames: openFrameCount(),
      wallMs: performance.now() - t0,
      ...settled(),
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const latency = settled();
    return { ok: false, error: { name: e.name, message: e.message }, events, openFrames: openFrameCount(), wallMs: performance.now() - t0, ...latency };
  }
}

declare global {
  interface Window { runJob: typeof runJob; inspectHardware: typeof inspectHardware; harnessReady: boolean }
}
window.runJob = runJob;
window.inspectHardware = inspectHardware;
window.harnessReady = true;

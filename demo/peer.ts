// Benchmark peer (bench/ladder.ts): Mediabunny's own Conversion producing the same rungs in the same
// page. First as one fan-out conversion (one MP4, one video track per rung); if Mediabunny refuses
// or fails that, one conversion per rung in turn, so the benchmark still has a peer to compare.
import { ALL_FORMATS, BufferTarget, Conversion, Input, Mp4OutputFormat, Output, Quality, UrlSource } from 'mediabunny';
import type { ConversionVideoOptions } from 'mediabunny';

export interface PeerRequest {
  inputUrl: string;
  rungs: Array<{ width: number; height: number; bitrate: number }>;
  /** PUT target prefix: the fan-out MP4 goes to `mediabunny.mp4`, per-rung ones to `mediabunny-N.mp4`. */
  uploadBase: string;
  /** Key-frame interval; the engine cuts a fresh GOP every chunk (2 s by default), so match it. */
  keyFrameSeconds?: number;
}

export interface PeerReply {
  ok: boolean;
  error?: string;
  /** 'fan-out': files[0] holds every rung as video tracks; 'per-rung': files[i] is rung i. */
  mode: 'fan-out' | 'per-rung';
  /** Why fan-out was abandoned, when it was. */
  fanOutError?: string;
  /** Milliseconds around the conversions themselves (input opening included, uploads not). */
  ms: number;
  files: string[];
  bytes: number;
}

function videoOptions(r: PeerRequest['rungs'][number], keyFrameSeconds: number): ConversionVideoOptions {
  // Same bitrate and rate-control mode as the engine's encoders ('variable'), fixed size, AV1.
  return {
    width: r.width, height: r.height, fit: 'fill', codec: 'av1', forceTranscode: true,
    quality: new Quality({ bitrate: r.bitrate, bitrateMode: 'variable' }), keyFrameInterval: keyFrameSeconds,
  };
}

/** One Conversion into an in-memory MP4; resolves to its bytes. */
async function convert(inputUrl: string, video: ConversionVideoOptions | ConversionVideoOptions[]): Promise<Uint8Array> {
  const input = new Input({ source: new UrlSource(inputUrl), formats: ALL_FORMATS });
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target: new BufferTarget() });
  try {
    const conversion = await Conversion.init({ input, output, video, audio: { discard: true }, showWarnings: false });
    if (!conversion.isValid) throw new Error(`invalid conversion: ${conversion.discardedTracks.map((d) => d.reason).join(', ')}`);
    const expected = Array.isArray(video) ? video.length : 1;
    if (conversion.utilizedTracks.length !== expected) throw new Error(`${conversion.utilizedTracks.length} output tracks, expected ${expected}`);
    await conversion.execute();
    return new Uint8Array(output.target.buffer!);
  } finally {
    input.dispose();
  }
}

async function upload(url: string, bytes: Uint8Array): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
  if (!res.ok) throw new Error(`upload to ${url} failed: HTTP ${res.status}`);
}

export async function runPeer(req: PeerRequest): Promise<PeerReply> {
  const kf = req.keyFrameSeconds ?? 2;
  let t0 = performance.now();
  try {
    const bytes = await convert(req.inputUrl, req.rungs.map((r) => videoOptions(r, kf)));
    const ms = performance.now() - t0;
    await upload(`${req.uploadBase}mediabunny.mp4`, bytes);
    return { ok: true, mode: 'fan-out', ms, files: ['mediabunny.mp4'], bytes: bytes.byteLength };
  } catch (err) {
    const fanOutError = err instanceof Error ? err.message : String(err);
    // The fallback is timed on its own: the failed fan-out attempt is not charged to it.
    t0 = performance.now();
    const outputs: Uint8Array[] = [];
    try {
      for (const r of req.rungs) outputs.push(await convert(req.inputUrl, videoOptions(r, kf)));
      const ms = performance.now() - t0;
      const files = outputs.map((_, i) => `mediabunny-${i}.mp4`);
      for (const [i, b] of outputs.entries()) await upload(`${req.uploadBase}${files[i]}`, b);
      return { ok: true, mode: 'per-rung', fanOutError, ms, files, bytes: outputs.reduce((s, b) => s + b.byteLength, 0) };
    } catch (err2) {
      const error = `fan-out: ${fanOutError}; per-rung: ${err2 instanceof Error ? err2.message : String(err2)}`;
      return { ok: false, error, mode: 'per-rung', fanOutError, ms: performance.now() - t0, files: [], bytes: 0 };
    }
  }
}

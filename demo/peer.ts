// Benchmark peer (bench/ladder.ts): Mediabunny's own Conversion producing the same rungs in the same
// page, as one fan-out conversion (one MP4 with a video track per rung).
import { ALL_FORMATS, BufferTarget, Conversion, Input, Mp4OutputFormat, Output, UrlSource } from 'mediabunny';

export interface PeerRequest {
  inputUrl: string;
  rungs: Array<{ width: number; height: number; bitrate: number }>;
  keyFrameSeconds: number;
  uploadUrl: string;
}

export interface PeerReply {
  ok: boolean;
  error?: string;
  ms: number;
  bytes: number;
}

async function runPeer(req: PeerRequest): Promise<PeerReply> {
  const t0 = performance.now();
  try {
    const input = new Input({ source: new UrlSource(req.inputUrl), formats: ALL_FORMATS });
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target: new BufferTarget() });
    const conversion = await Conversion.init({
      input,
      output,
      video: req.rungs.map((r) => ({ width: r.width, height: r.height, fit: 'fill' as const, codec: 'av1' as const, bitrate: r.bitrate, keyFrameInterval: req.keyFrameSeconds })),
      audio: { discard: true },
    });
    if (!conversion.isValid) throw new Error(`Mediabunny cannot convert: ${JSON.stringify(conversion.discardedTracks.map((d) => d.reason))}`);
    await conversion.execute();
    const ms = performance.now() - t0;
    const bytes = new Uint8Array(output.target.buffer!);
    const res = await fetch(req.uploadUrl, { method: 'PUT', body: bytes });
    if (!res.ok) throw new Error(`upload failed: HTTP ${res.status}`);
    return { ok: true, ms, bytes: bytes.byteLength };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), ms: performance.now() - t0, bytes: 0 };
  }
}

declare global {
  interface Window { runPeer: typeof runPeer }
}
window.runPeer = runPeer;

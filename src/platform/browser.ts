// The browser runtime: a page's or a worker's own globals. WebCodecs classes as the realm has them,
// encoder leases in Web Workers (workers/encode.worker.ts), shaders fetched from their
// module-relative URLs, navigator.gpu and navigator.hardwareConcurrency. The engine's default
// runtime when the caller names none; it reads the globals when it is made, not at import.
import { workerLease } from '../encode/lease.ts';
import { UnsupportedCodecError } from '../errors.ts';
import type { AudioCodecs, Runtime, WebCodecs } from '../types/mod.ts';
import { fetchShader } from './shaders.ts';

/** The realm's WebCodecs classes, or null without VideoDecoder/VideoEncoder (audio may lack alone). */
export function globalCodecs(): WebCodecs | null {
  const g = globalThis as Partial<WebCodecs & AudioCodecs>;
  if (!g.VideoDecoder || !g.VideoEncoder || !g.VideoFrame || !g.EncodedVideoChunk) return null;
  const audio: AudioCodecs | null = g.AudioDecoder && g.AudioEncoder && g.AudioData && g.EncodedAudioChunk
    ? { AudioData: g.AudioData, AudioDecoder: g.AudioDecoder, AudioEncoder: g.AudioEncoder, EncodedAudioChunk: g.EncodedAudioChunk }
    : null;
  return { VideoDecoder: g.VideoDecoder, VideoEncoder: g.VideoEncoder, VideoFrame: g.VideoFrame, EncodedVideoChunk: g.EncodedVideoChunk, audio };
}

/** What a Deno program without the Deno runtime is told. */
const DENO_HINT = "under Deno, pass runtime: denoRuntime() from the package's deno entry, ladder-engine/deno";

export function browserRuntime(): Runtime {
  const nav = globalThis.navigator as Navigator | undefined;
  const codecs = globalCodecs();
  return {
    name: 'browser',
    codecs,
    gpu: nav?.gpu ?? null,
    cores: nav?.hardwareConcurrency ?? 2,
    leaseMode: 'worker',
    createLease(id, hardware) {
      if (typeof Worker === 'undefined') throw new UnsupportedCodecError(`Cannot start an encoder lease: this runtime has no Web Workers (${DENO_HINT})`);
      return workerLease(id, hardware);
    },
    loadShader: fetchShader,
  };
}

/** The runtime's WebCodecs, or an UnsupportedCodecError that says which runtime lacks them. */
export function requireCodecs(runtime: Runtime): WebCodecs {
  if (runtime.codecs) return runtime.codecs;
  throw new UnsupportedCodecError(`Cannot transcode: the ${runtime.name} runtime has no WebCodecs VideoDecoder/VideoEncoder${runtime.name === 'browser' && typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' ? ` (${DENO_HINT})` : ''}`);
}

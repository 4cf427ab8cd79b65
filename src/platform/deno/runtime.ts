// The Deno runtime: node-av's WebCodecs classes (this folder), inline encoder leases, shaders read
// from disk, Deno's WebGPU (navigator.gpu on wgpu) and the core count. Nothing is put on globalThis:
// a Deno program passes `runtime: denoRuntime()` to transcode(), createEngine() or the distributed
// engine, and constructs frames with `denoRuntime().codecs.VideoFrame`.
//
// Leases run inline because node-av must stay in one isolate: its native classes keep their JS
// constructors in process-wide statics (not per isolate), so loading it in a second isolate (a Deno
// worker) corrupts the first (seen as heap corruption and SIGSEGV inside node-av.node with two lease
// workers). Their encodes still run in parallel, on the threads that node-av's async calls and
// SVT-AV1 use, off the JS thread.
import { inlineLease } from '../../encode/lease.ts';
import type { Runtime, WebCodecs } from '../../types/mod.ts';
import { fetchText, onceEach, shaderUrl } from '../shaders.ts';
import { DenoAudioData, DenoEncodedAudioChunk } from './audio-data.ts';
import { DenoAudioDecoder } from './audio-decoder.ts';
import { DenoAudioEncoder } from './audio-encoder.ts';
import { DenoVideoDecoder } from './decoder.ts';
import { DenoVideoEncoder, hardwareEncoders } from './encoder.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame } from './frame.ts';
import { ensureRuntimeDir } from './runtime-dir.ts';

const codecs = {
  VideoDecoder: DenoVideoDecoder,
  VideoEncoder: DenoVideoEncoder,
  VideoFrame: DenoVideoFrame,
  EncodedVideoChunk: DenoEncodedVideoChunk,
  audio: { AudioData: DenoAudioData, AudioDecoder: DenoAudioDecoder, AudioEncoder: DenoAudioEncoder, EncodedAudioChunk: DenoEncodedAudioChunk },
} as unknown as WebCodecs; // structurally the WebCodecs classes, as far as the engine uses them

/** A WGSL file, read once: from disk for a file: module, else fetched (a package served over https). */
const loadShader = onceEach((file) => {
  const url = shaderUrl(file);
  return url.protocol === 'file:' ? Deno.readTextFile(url) : fetchText(url);
});

let made: Runtime | null = null;

/** The Deno runtime (one per process). The first call prepares WebGPU's runtime directory and detects hardware encoders. */
export function denoRuntime(): Runtime {
  if (made) return made;
  ensureRuntimeDir(); // before WebGPU's first requestAdapter() (runtime-dir.ts)
  hardwareEncoders(); // detected once, in a child process, before any encoder opens (encoder.ts)
  made = {
    name: 'deno',
    codecs,
    gpu: navigator.gpu ?? null,
    cores: navigator.hardwareConcurrency ?? 2,
    leaseMode: 'inline',
    createLease: (id, hardware) => inlineLease(id, hardware, codecs),
    loadShader,
  };
  return made;
}

// Installs the node-av WebCodecs classes as Deno globals, so the unchanged engine (decode stage,
// encoder core, inspection, audio re-encoding) runs on them.
//
// node-av must stay in one isolate: its native classes keep their JS constructors in process-wide
// statics (not per isolate), so loading it in a second isolate (a Deno worker) corrupts the first
// (seen here as heap corruption and SIGSEGV inside node-av.node with two lease workers). The install
// therefore hides `Worker`, and the engine's leases run inline (src/encode/lease.ts falls back to
// that where workers are unavailable); their encodes still run in parallel, on the threads that
// node-av's async calls and SVT-AV1 use, off the JS thread.
import { DenoAudioData, DenoEncodedAudioChunk } from './audio-data.ts';
import { DenoAudioDecoder } from './audio-decoder.ts';
import { DenoAudioEncoder } from './audio-encoder.ts';
import { DenoVideoDecoder } from './decoder.ts';
import { DenoVideoEncoder, hardwareEncoders } from './encoder.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame } from './frame.ts';

/**
 * Puts VideoDecoder, VideoEncoder, VideoFrame, EncodedVideoChunk, AudioDecoder, AudioEncoder,
 * AudioData and EncodedAudioChunk on globalThis (where absent), and hides Worker.
 */
export function installWebCodecs(): void {
  const g = globalThis as Record<string, unknown>;
  if (g.__ladderDenoWebCodecs) return;
  g.__ladderDenoWebCodecs = true;
  const put = (name: string, value: unknown) => {
    if (g[name] === undefined) Object.defineProperty(g, name, { value, writable: true, configurable: true });
  };
  put('VideoDecoder', DenoVideoDecoder);
  put('VideoEncoder', DenoVideoEncoder);
  put('VideoFrame', DenoVideoFrame);
  put('EncodedVideoChunk', DenoEncodedVideoChunk);
  put('AudioDecoder', DenoAudioDecoder);
  put('AudioEncoder', DenoAudioEncoder);
  put('AudioData', DenoAudioData);
  put('EncodedAudioChunk', DenoEncodedAudioChunk);
  hardwareEncoders(); // detected once, at install (see encoder.ts)
  Object.defineProperty(globalThis, 'Worker', { value: undefined, writable: true, configurable: true });
}

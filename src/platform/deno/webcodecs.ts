// Installs the node-av WebCodecs classes as Deno globals, so the unchanged engine (decode stage,
// encoder core, inspection) runs on them. Module workers get the same install before their own
// script: the engine's encoder leases are Deno workers running workers/encode.worker.ts.
import { DenoVideoDecoder } from './decoder.ts';
import { DenoVideoEncoder } from './encoder.ts';
import { DenoEncodedVideoChunk, DenoVideoFrame } from './frame.ts';

const SELF = new URL('./install.ts', import.meta.url).href;

/** Puts VideoDecoder, VideoEncoder, VideoFrame and EncodedVideoChunk on globalThis (where absent). */
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
  wrapWorkers();
}

/** Module workers start with this install, then import the script they were given. */
function wrapWorkers(): void {
  const Base = globalThis.Worker;
  if (!Base) return;
  class InstallingWorker extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (options?.type !== 'module') {
        super(url, options);
        return;
      }
      const target = new URL(String(url), import.meta.url).href;
      const entry = `import ${JSON.stringify(SELF)};\nimport ${JSON.stringify(target)};\n`;
      super(`data:text/javascript,${encodeURIComponent(entry)}`, options);
    }
  }
  Object.defineProperty(globalThis, 'Worker', { value: InstallingWorker, writable: true, configurable: true });
}

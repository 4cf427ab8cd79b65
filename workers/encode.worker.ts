// Thin worker wrapper: exposes the encoder core (src/encode/chunk-encoder.ts) through comlink.
// Chunk outputs go back with their packet buffers transferred, not copied.
import * as Comlink from 'comlink';
import { ChunkEncoderCore } from '../src/encode/chunk-encoder.ts';
import type { ChunkEncoderApi } from '../src/types/mod.ts';

// A worker lease exists only where the realm has WebCodecs (browserRuntime() checks before it starts one).
const core = new ChunkEncoderCore({ VideoEncoder, VideoFrame });
const api: ChunkEncoderApi = {
  begin: (job) => core.begin(job),
  add: (frame) => core.add(frame),
  async end() {
    const out = await core.end();
    return Comlink.transfer(out, out.packets.map((p) => p.data.buffer as ArrayBuffer));
  },
  reset: () => core.reset(),
};
Comlink.expose(api);

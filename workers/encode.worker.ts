// Thin worker wrapper: exposes the encoder core (src/encode/chunk-encoder.ts) through comlink.
// Chunk outputs go back with their packet buffers transferred, not copied.
import * as Comlink from 'comlink';
import { ChunkEncoderCore } from '../src/encode/chunk-encoder.ts';
import type { ChunkEncoderApi } from '../src/types/mod.ts';

// A worker lease exists only where the realm has WebCodecs (browserRuntime() checks before it starts one).
const core = new ChunkEncoderCore({ VideoEncoder, VideoFrame });
const api: ChunkEncoderApi = {
  begin: (job) => core.begin(job),
  async add(frame) {
    // The frame's buffer goes back to the page, which fills it with a later frame.
    const data = await core.add(frame);
    return Comlink.transfer(data, [data]);
  },
  async end() {
    const out = await core.end();
    return Comlink.transfer(out, out.packets.map((p) => p.data.buffer as ArrayBuffer));
  },
  reset: () => core.reset(),
};
Comlink.expose(api);

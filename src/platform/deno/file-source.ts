// A Deno file handle as the engine's RangeReader: the input is read in the byte ranges the demuxer
// asks for, never loaded whole. Reads are serialised (one handle, one file position).
import type { RangeReader } from '../../types/mod.ts';

export async function openFileReader(path: string): Promise<RangeReader> {
  const file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  let queue: Promise<unknown> = Promise.resolve();
  const readRange = async (start: number, end: number): Promise<Uint8Array> => {
    const out = new Uint8Array(end - start);
    await file.seek(start, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < out.length) {
      const n = await file.read(out.subarray(filled));
      if (n === null) break; // the file shrank under us: hand back what there is
      filled += n;
    }
    return filled === out.length ? out : out.subarray(0, filled);
  };
  let closed = false;
  return {
    size,
    read(start, end) {
      const p = queue.then(() => readRange(start, end));
      queue = p.catch(() => {});
      return p;
    },
    close() {
      if (closed) return;
      closed = true;
      queue.finally(() => file.close());
    },
  };
}

// Deno half of `npm run bench:scale`: times the WGSL scaler on Deno's WebGPU adapter (llvmpipe on a
// machine without a GPU). Usage: deno run -A bench/scale-deno.ts FRAME.yuv WIDTH HEIGHT TARGETS
// (TARGETS as 1920x1080,1280x720,…). Prints one JSON line.
import { measureScaler } from '../src/mod.ts';

// The slice of the Deno namespace used here, so the repo-wide tsc (which has no Deno types) passes.
declare const Deno: { args: string[]; readFile(path: string): Promise<Uint8Array> };

const [file, w, h, list] = Deno.args;
if (!file || !w || !h || !list) throw new Error('usage: scale-deno.ts FRAME.yuv WIDTH HEIGHT WxH,WxH,…');
const targets = list.split(',').map((t: string) => {
  const [width, height] = t.split('x').map(Number);
  return { width: width!, height: height! };
});
const timing = await measureScaler(await Deno.readFile(file), Number(w), Number(h), true, targets);
console.log(JSON.stringify(timing));

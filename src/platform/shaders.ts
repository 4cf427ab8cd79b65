// Loads a WGSL file from shaders/ by name, once per name. fetch() of a module-relative URL works
// for Deno's file: URLs and for Vite's emitted assets alike; shared by every stage with kernels.
import { TranscodeError } from '../errors.ts';

const sources = new Map<string, Promise<string>>();

export function loadShader(name: string): Promise<string> {
  let text = sources.get(name);
  if (!text) {
    text = fetch(new URL(`../../shaders/${name}.wgsl`, import.meta.url)).then(async (res) => {
      if (!res.ok) throw new TranscodeError(`Cannot load shader ${name}.wgsl: HTTP ${res.status}`);
      return res.text();
    });
    // A failed load (offline, bad deploy) must not poison later attempts.
    text.catch(() => sources.delete(name));
    sources.set(name, text);
  }
  return text;
}

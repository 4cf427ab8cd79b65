// Loads a WGSL file from shaders/ by name, once per name. fetch() of a module-relative URL works
// for Deno's file: URLs, for a page served without a bundler and for bundlers' emitted assets.
// Each URL is a literal `new URL('…', import.meta.url)`: the form Vite, webpack and Parcel
// recognise and emit as an asset (a template with a variable is not followed by all of them).
import { TranscodeError } from '../errors.ts';

export type ShaderName = 'quality' | 'resample' | 'scale_copy';

function shaderUrl(name: ShaderName): URL {
  switch (name) {
    case 'quality': return new URL('../../shaders/quality.wgsl', import.meta.url);
    case 'resample': return new URL('../../shaders/resample.wgsl', import.meta.url);
    case 'scale_copy': return new URL('../../shaders/scale_copy.wgsl', import.meta.url);
  }
}

const sources = new Map<ShaderName, Promise<string>>();

export function loadShader(name: ShaderName): Promise<string> {
  let text = sources.get(name);
  if (!text) {
    text = fetch(shaderUrl(name)).then(async (res) => {
      if (!res.ok) throw new TranscodeError(`Cannot load shader ${name}.wgsl: HTTP ${res.status}`);
      return res.text();
    });
    // A failed load (offline, bad deploy) must not poison later attempts.
    text.catch(() => sources.delete(name));
    sources.set(name, text);
  }
  return text;
}

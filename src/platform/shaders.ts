// Loads a WGSL kernel from shaders/ by name, once per name, with shaders/prelude.wgsl (the byte
// packing every kernel shares) prepended. fetch() of a module-relative URL works for Deno's file:
// URLs, for a page served without a bundler and for bundlers' emitted assets.
// Each URL is a literal `new URL('…', import.meta.url)`: the form Vite, webpack and Parcel
// recognise and emit as an asset (a template with a variable is not followed by all of them).
import { TranscodeError } from '../errors.ts';

export type ShaderName = 'quality' | 'resample' | 'scale_copy';

type ShaderFile = ShaderName | 'prelude';

function shaderUrl(name: ShaderFile): URL {
  switch (name) {
    case 'prelude': return new URL('../../shaders/prelude.wgsl', import.meta.url);
    case 'quality': return new URL('../../shaders/quality.wgsl', import.meta.url);
    case 'resample': return new URL('../../shaders/resample.wgsl', import.meta.url);
    case 'scale_copy': return new URL('../../shaders/scale_copy.wgsl', import.meta.url);
  }
}

const files = new Map<ShaderFile, Promise<string>>();

function loadFile(name: ShaderFile): Promise<string> {
  let text = files.get(name);
  if (!text) {
    text = fetch(shaderUrl(name)).then(async (res) => {
      if (!res.ok) throw new TranscodeError(`Cannot load shader ${name}.wgsl: HTTP ${res.status}`);
      return res.text();
    });
    // A failed load (offline, bad deploy) must not poison later attempts.
    text.catch(() => files.delete(name));
    files.set(name, text);
  }
  return text;
}

/** The kernel's source as compiled: the prelude, then the kernel's own file. */
export async function loadShader(name: ShaderName): Promise<string> {
  const [prelude, kernel] = await Promise.all([loadFile('prelude'), loadFile(name)]);
  return `${prelude}\n${kernel}`;
}

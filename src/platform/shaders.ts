// The WGSL files under shaders/, by name: where each one is (a literal `new URL('…',
// import.meta.url)`, the form Vite, webpack and Parcel recognise and emit as an asset; a template
// with a variable is not followed by all of them), the browser runtime's loader (fetch, once per
// file), and a kernel's compiled source: shaders/prelude.wgsl (the byte packing every kernel
// shares) prepended to the kernel's own file, through whichever loader the runtime has.
import { TranscodeError } from '../errors.ts';
import type { ShaderFile } from '../types/mod.ts';

export type { ShaderFile } from '../types/mod.ts';
export type ShaderName = Exclude<ShaderFile, 'prelude'>;
export type ShaderLoader = (file: ShaderFile) => Promise<string>;

export function shaderUrl(file: ShaderFile): URL {
  switch (file) {
    case 'prelude': return new URL('../../shaders/prelude.wgsl', import.meta.url);
    case 'quality': return new URL('../../shaders/quality.wgsl', import.meta.url);
    case 'resample': return new URL('../../shaders/resample.wgsl', import.meta.url);
    case 'scale_copy': return new URL('../../shaders/scale_copy.wgsl', import.meta.url);
  }
}

/** Reads a URL's text with fetch(), naming the file when it fails. */
export async function fetchText(url: URL): Promise<string> {
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new TranscodeError(`Cannot load shader ${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!res.ok) throw new TranscodeError(`Cannot load shader ${name}: HTTP ${res.status}`);
  return res.text();
}

/** A loader that reads each file once through `read`; a failed read is forgotten, so a later call tries again. */
export function onceEach(read: ShaderLoader): ShaderLoader {
  const texts = new Map<ShaderFile, Promise<string>>();
  return (file) => {
    let text = texts.get(file);
    if (!text) {
      text = read(file);
      // A failed load (offline, bad deploy) must not poison later attempts.
      text.catch(() => texts.delete(file));
      texts.set(file, text);
    }
    return text;
  };
}

/** The browser runtime's loader: fetch() of the module-relative URL, once per file. */
export const fetchShader: ShaderLoader = onceEach((file) => fetchText(shaderUrl(file)));

/** The kernel's source as compiled: the prelude, then the kernel's own file. */
export async function kernelSource(load: ShaderLoader, name: ShaderName): Promise<string> {
  const [prelude, kernel] = await Promise.all([load('prelude'), load(name)]);
  return `${prelude}\n${kernel}`;
}

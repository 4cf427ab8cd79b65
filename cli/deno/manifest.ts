// The resume manifest of the Deno CLI: DIR/.ladder-manifest.json lists, per finished rung, every
// file with its size and SHA-256, written (temp name, then rename) as each rung completes. With
// --resume, a rung whose files all exist with that size and checksum is skipped; the rest are redone.
import type { OutputFormat } from '../../src/mod.ts';

export interface ManifestFile { path: string; size: number; sha256: string }
export interface ManifestRung { requested: number; label: number; width: number; height: number; codec: string; bitrate: number; frames: number; files: ManifestFile[] }
export interface Manifest {
  version: 1;
  input: { size: number; mtimeMs: number | null };
  format: OutputFormat;
  chunkSeconds: number | null;
  /** --quality as given (a level or quantizers), null for bitrate mode; a resume must match it. */
  quality?: string | null;
  rungs: ManifestRung[];
  /** Requested rungs the planner dropped (larger than the source). */
  dropped?: number[];
}

export const MANIFEST = '.ladder-manifest.json';

export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST}`)) as Manifest;
    return m.version === 1 && Array.isArray(m.rungs) ? m : null;
  } catch {
    return null;
  }
}

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/${MANIFEST}.${Deno.pid}.partial`;
  await Deno.writeTextFile(temp, JSON.stringify(m, null, 1));
  await Deno.rename(temp, `${dir}/${MANIFEST}`);
}

/** True when every file of the rung is on disk with the size and checksum the manifest lists. */
export async function rungIntact(dir: string, rung: ManifestRung): Promise<boolean> {
  for (const f of rung.files) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(`${dir}/${f.path}`);
    } catch {
      return false;
    }
    if (bytes.byteLength !== f.size || (await sha256(bytes)) !== f.sha256) return false;
  }
  return rung.files.length > 0;
}

// Output targets: where finished files go. One small interface, so the engine never knows about
// storage or transport: in memory, a callback per finished file (an uploader), and later the Deno
// filesystem or OPFS. Paths are relative and use '/' ("720p/seg-1.m4s").

import type { OutputTarget } from '../types/mod.ts';

export type { OutputTarget } from '../types/mod.ts';

/** Keeps every file in a map, path → bytes. */
export class MemoryTarget implements OutputTarget {
  readonly files: Map<string, Uint8Array> = new Map();

  write(path: string, bytes: Uint8Array): void {
    this.files.set(path, bytes);
  }
}

/** Calls `onFile` for each finished file, as soon as it is finished. */
export function callbackTarget(onFile: (path: string, bytes: Uint8Array) => Promise<void> | void): OutputTarget {
  return { write: onFile };
}

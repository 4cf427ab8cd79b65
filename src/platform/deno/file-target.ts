// An output target on the Deno filesystem: each file is written under a temporary name beside
// its final path and renamed when complete, so no reader ever sees a half-written file under the
// real name. `discard()` removes what a failed job wrote, so nothing partial looks complete.
import type { OutputTarget } from '../../types/mod.ts';

export class DenoFileTarget implements OutputTarget {
  readonly root: string;
  readonly written: string[] = [];
  #dirs = new Set<string>();

  constructor(root: string) {
    this.root = root.replace(/\/+$/, '');
  }

  async write(path: string, bytes: Uint8Array): Promise<void> {
    if (path.startsWith('/') || path.split('/').includes('..')) throw new TypeError(`Cannot write ${path}: output paths must be relative and stay inside the output folder`);
    const full = `${this.root}/${path}`;
    const dir = full.slice(0, full.lastIndexOf('/'));
    if (!this.#dirs.has(dir)) {
      await Deno.mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    const temp = `${dir}/.${full.slice(dir.length + 1)}.${Deno.pid}.partial`;
    try {
      await Deno.writeFile(temp, bytes);
      await Deno.rename(temp, full);
    } catch (err) {
      await Deno.remove(temp).catch(() => {});
      throw err;
    }
    this.written.push(full);
  }

  /** Removes every file this target wrote (and any folder left empty). */
  async discard(): Promise<void> {
    for (const f of this.written.splice(0)) await Deno.remove(f).catch(() => {});
    for (const d of [...this.#dirs].sort((a, b) => b.length - a.length)) {
      if (d !== this.root) await Deno.remove(d).catch(() => {}); // fails (kept) when not empty
    }
  }
}

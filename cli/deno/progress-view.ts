// The CLI's progress display: on a TTY one bar per rung (encoded frames of the total) with
// throughput and ETA, redrawn in place; elsewhere a plain line per finished rung and requeue.
import type { ProgressEvent } from '../../src/mod.ts';

const WIDTH = 28;
const encoder = new TextEncoder();

interface RungState { label: number; size: string; done: number; chunks: number; finished: boolean }

export class ProgressView {
  #tty: boolean;
  #rungs: RungState[] = [];
  #total = 0;
  #decoded = 0;
  #start = performance.now();
  #lines = 0;
  #lastDraw = 0;
  #notes: string[] = [];

  constructor(tty: boolean) {
    this.#tty = tty;
  }

  update(e: ProgressEvent): void {
    switch (e.type) {
      case 'job-start':
        this.#total = e.totalFrames;
        this.#start = performance.now();
        this.#rungs = e.rungs.map((r) => ({ label: r.label, size: `${r.width}x${r.height}`, done: 0, chunks: 0, finished: false }));
        this.#note(`${e.rungs.length} rungs, ${e.leases.length} leases (${e.leases.filter((l) => l.hardware).length} hardware), GPU: ${e.adapter.description || e.adapter.vendor || 'unknown'}`);
        break;
      case 'decode':
        this.#decoded = e.frames;
        break;
      case 'chunk-done': {
        const r = this.#rungs[e.rung];
        if (r) { r.done += e.frames; r.chunks++; }
        break;
      }
      case 'rung-completed': {
        const r = this.#rungs[e.rung];
        if (r) { r.finished = true; r.done = Math.max(r.done, e.frames); }
        if (!this.#tty) this.#note(`rung ${e.label}p done: ${e.width}x${e.height} ${e.codec}, ${e.frames} frames, ${e.bytes} bytes`);
        break;
      }
      case 'requeue':
        this.#note(`requeued rung ${e.rung} chunk ${e.chunk} (lease ${e.leaseId}): ${e.reason}`);
        break;
      case 'lease-retired':
        this.#note(`lease ${e.leaseId} retired: ${e.reason}`);
        break;
      default:
        break;
    }
    // A rung's bar moves when one of its chunks is done: always drawn, so every step is seen.
    if (this.#tty) this.#draw(e.type === 'rung-completed' || e.type === 'job-start' || e.type === 'chunk-done');
  }

  #note(line: string): void {
    if (this.#tty) this.#notes.push(line);
    else Deno.stderr.writeSync(encoder.encode(`${line}\n`));
  }

  #draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const secs = (now - this.#start) / 1000;
    const out: string[] = [];
    if (this.#lines > 0) out.push(`\x1b[${this.#lines}F`);
    for (const n of this.#notes.splice(0)) out.push(`\x1b[2K${n}\n`);
    const lines: string[] = [];
    const total = Math.max(1, this.#total);
    lines.push(`decode ${this.#decoded}/${this.#total} frames, ${(this.#decoded / Math.max(secs, 1e-3)).toFixed(1)} fps`);
    for (const r of this.#rungs) {
      const frac = Math.min(1, r.done / total);
      const filled = Math.round(frac * WIDTH);
      const rate = r.done / Math.max(secs, 1e-3);
      const eta = r.finished ? 'done' : rate > 0 ? `eta ${Math.ceil((total - r.done) / rate)} s` : 'eta ?';
      lines.push(`${`${r.label}p`.padStart(6)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${rate.toFixed(1).padStart(6)} fps  ${eta}`);
    }
    for (const l of lines) out.push(`\x1b[2K${l}\n`);
    this.#lines = lines.length;
    Deno.stderr.writeSync(encoder.encode(out.join('')));
  }

  stop(): void {
    if (this.#tty) this.#draw(true);
  }
}

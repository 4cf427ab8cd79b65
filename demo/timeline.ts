// The lease timeline: one lane per encoder lease, one block per chunk, coloured by rung, built only
// from progress events (job-start, chunk-start, chunk-done, helper-attached, requeue, lease-retired;
// chunk-quality adds a chunk's PSNR and SSIM to its block's tooltip when the job has qualityReport).
import type { ProgressEvent } from '../src/mod.ts';
import { formatDb, rungColour } from './ui.ts';

interface Block {
  el: HTMLDivElement;
  start: number;
  end: number | null;
}

export class LeaseTimeline {
  readonly #root: HTMLElement;
  readonly #lanes = new Map<number, { lane: HTMLDivElement; label: HTMLDivElement; hardware: boolean; helping: Set<string> }>();
  readonly #open = new Map<string, Block>();
  /** The accepted block of each rung:chunk, for its quality figures. */
  readonly #done = new Map<string, Block>();
  readonly #blocks: Block[] = [];
  #labels: number[] = [];
  #t0 = 0;
  #frame = 0;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Number of lanes drawn (one per lease). */
  get lanes(): number {
    return this.#lanes.size;
  }

  on(e: ProgressEvent, now = performance.now()): void {
    switch (e.type) {
      case 'job-start':
        this.#reset(e.leases, e.rungs.map((r) => r.label), now);
        break;
      case 'chunk-start': {
        const block = this.#add(e.leaseId, e.rung, e.chunk, now);
        block.el.classList.add('running');
        if (e.helper) block.el.classList.add('helper');
        block.el.title = `${this.#name(e.rung)} chunk ${e.chunk} on lease ${e.leaseId} (${e.encoder}${e.helper ? ', helper' : ''})`;
        this.#open.set(`${e.leaseId}:${e.rung}:${e.chunk}`, block);
        break;
      }
      case 'chunk-done': {
        const key = `${e.leaseId}:${e.rung}:${e.chunk}`;
        const block = this.#open.get(key) ?? this.#add(e.leaseId, e.rung, e.chunk, now - e.ms);
        this.#open.delete(key);
        block.end = now;
        block.el.classList.remove('running');
        block.el.title = `${this.#name(e.rung)} chunk ${e.chunk} on lease ${e.leaseId}: ${e.frames} frames, ${(e.bytes / 1024).toFixed(0)} KiB, ${e.ms.toFixed(0)} ms (${e.encoder}${e.helper ? ', helper' : ''})`;
        this.#done.set(`${e.rung}:${e.chunk}`, block);
        break;
      }
      case 'chunk-quality': {
        const block = this.#done.get(`${e.rung}:${e.chunk}`);
        if (!block) return;
        block.el.title += `\nquality: PSNR ${formatDb(e.psnr)} (Y ${formatDb(e.psnrY)}), SSIM ${e.ssim.toFixed(4)} over ${e.frames} frames`;
        block.el.dataset.psnr = String(e.psnr);
        return;
      }
      case 'requeue': {
        const key = `${e.leaseId}:${e.rung}:${e.chunk}`;
        const block = this.#open.get(key) ?? this.#add(e.leaseId, e.rung, e.chunk, now);
        this.#open.delete(key);
        block.end = now;
        block.el.classList.remove('running');
        block.el.classList.add('requeued');
        block.el.title = `${this.#name(e.rung)} chunk ${e.chunk} requeued from lease ${e.leaseId}: ${e.reason}`;
        break;
      }
      case 'helper-attached': {
        const lane = this.#lanes.get(e.leaseId);
        if (lane) {
          lane.helping.add(this.#name(e.rung));
          this.#label(e.leaseId);
        }
        break;
      }
      case 'lease-retired': {
        const lane = this.#lanes.get(e.leaseId);
        if (lane) lane.label.textContent += ' (retired)';
        break;
      }
      default:
        return;
    }
    this.#schedule();
  }

  /** Ends blocks still open (a cancelled or failed job). */
  stop(now = performance.now()): void {
    for (const b of this.#open.values()) b.end = now;
    this.#open.clear();
    this.#render();
  }

  #name(rung: number): string {
    return `${this.#labels[rung] ?? rung}p`;
  }

  #reset(leases: Array<{ id: number; hardware: boolean }>, labels: number[], now: number): void {
    this.#root.textContent = '';
    this.#lanes.clear();
    this.#open.clear();
    this.#done.clear();
    this.#blocks.length = 0;
    this.#labels = labels;
    this.#t0 = now;
    for (const l of leases) {
      const lane = document.createElement('div');
      lane.className = 'lane';
      lane.dataset.lease = String(l.id);
      const label = document.createElement('div');
      label.className = 'lane-label';
      lane.append(label);
      this.#root.append(lane);
      this.#lanes.set(l.id, { lane, label, hardware: l.hardware, helping: new Set() });
      this.#label(l.id);
    }
  }

  #label(id: number): void {
    const lane = this.#lanes.get(id)!;
    const helping = lane.helping.size ? ` +${[...lane.helping].join(',')}` : '';
    lane.label.textContent = `lease ${id} ${lane.hardware ? 'HW' : 'SW'}${helping}`;
    lane.label.title = lane.label.textContent;
  }

  #add(leaseId: number, rung: number, chunk: number, start: number): Block {
    const el = document.createElement('div');
    el.className = 'block';
    el.style.background = rungColour(rung);
    el.textContent = String(chunk);
    el.dataset.rung = String(rung);
    this.#lanes.get(leaseId)?.lane.append(el);
    const block = { el, start, end: null };
    this.#blocks.push(block);
    return block;
  }

  #schedule(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => { this.#frame = 0; this.#render(); });
  }

  #render(): void {
    const now = performance.now();
    const span = Math.max(1, ...this.#blocks.map((b) => (b.end ?? now) - this.#t0));
    for (const b of this.#blocks) {
      b.el.style.left = `${((b.start - this.#t0) / span) * 100}%`;
      b.el.style.width = `${(((b.end ?? now) - b.start) / span) * 100}%`;
    }
  }
}

// The GPU side of the quality report: compares pairs of tightly packed I420 pictures with
// shaders/quality.wgsl and sums the per-workgroup partials it reads back. A batch is one chunk:
// each pair is uploaded and compared in its own submit (queue order keeps the shared input buffers
// safe), and the partials of every pair are read back with one mapAsync at the end.
import { TranscodeError } from '../errors.ts';
import { kernelSource } from '../platform/shaders.ts';
import type { ShaderLoader } from '../platform/shaders.ts';

/** One picture pair's sums, as ffmpeg's psnr and ssim filters add them up. */
export interface FrameSums {
  /** Sums of squared differences of Y, U and V. */
  sse: [number, number, number];
  /** Sum of the SSIM scores of every 8x8 luma window (stepping 4 px), and how many windows. */
  ssimSum: number;
  windows: number;
}

const ENTRIES = ['main_sse', 'main_blocks', 'main_windows'] as const;
type Entry = typeof ENTRIES[number];
type Pipelines = Record<Entry, GPUComputePipeline>;

const pipelines = new WeakMap<GPUDevice, Promise<Pipelines>>();

function compile(device: GPUDevice, load: ShaderLoader): Promise<Pipelines> {
  let p = pipelines.get(device);
  if (!p) {
    p = (async () => {
      const module = device.createShaderModule({ label: 'quality shader', code: await kernelSource(load, 'quality') });
      const built = await Promise.all(ENTRIES.map((entryPoint) => device.createComputePipelineAsync({
        label: `quality ${entryPoint} pipeline`, layout: 'auto', compute: { module, entryPoint },
      })));
      return Object.fromEntries(ENTRIES.map((e, i) => [e, built[i]!])) as Pipelines;
    })();
    p.catch(() => pipelines.delete(device));
    pipelines.set(device, p);
  }
  return p;
}

/** Sizes derived from the picture; all the dispatches of a pair use them. */
interface Layout {
  width: number;
  height: number;
  yBytes: number;
  cBytes: number;
  words: number;
  blocksX: number;
  blocksY: number;
  sseGroups: number;
  windowGroupsX: number;
  windowGroupsY: number;
  windows: number;
}

function layoutOf(width: number, height: number): Layout {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 || height % 2) {
    throw new TranscodeError(`Cannot compare ${width}x${height} pictures: sizes must be even and at least 2`);
  }
  const yBytes = width * height;
  const cBytes = (width / 2) * (height / 2);
  const words = Math.ceil((yBytes + 2 * cBytes) / 4);
  const blocksX = width >> 2;
  const blocksY = height >> 2;
  const wx = Math.max(0, blocksX - 1);
  const wy = Math.max(0, blocksY - 1);
  return {
    width, height, yBytes, cBytes, words, blocksX, blocksY,
    sseGroups: Math.ceil(words / 4 / 256),
    windowGroupsX: Math.ceil(wx / 16),
    windowGroupsY: Math.ceil(wy / 16),
    windows: wx * wy,
  };
}

export class PictureComparer {
  readonly #device: GPUDevice;
  readonly #pipelines: Pipelines;

  private constructor(device: GPUDevice, p: Pipelines) {
    this.#device = device;
    this.#pipelines = p;
  }

  /** Compiles the kernels, so a shader problem surfaces before any chunk is measured. */
  /** `load` reads the WGSL files: the runtime's loadShader. */
  static async create(device: GPUDevice, load: ShaderLoader): Promise<PictureComparer> {
    return new PictureComparer(device, await compile(device, load));
  }

  /** Starts comparing up to `frames` pairs of width x height pictures. */
  batch(width: number, height: number, frames: number): ComparisonBatch {
    return new ComparisonBatch(this.#device, this.#pipelines, layoutOf(width, height), frames);
  }
}

export class ComparisonBatch {
  readonly #device: GPUDevice;
  readonly #layout: Layout;
  readonly #capacity: number;
  readonly #buffers: GPUBuffer[] = [];
  readonly #params: GPUBuffer;
  readonly #orig: GPUBuffer;
  readonly #back: GPUBuffer;
  readonly #sse: GPUBuffer;
  readonly #ssim: GPUBuffer;
  readonly #groups: Array<[Entry, GPUComputePipeline, GPUBindGroup]>;
  #count = 0;
  #destroyed = false;

  constructor(device: GPUDevice, p: Pipelines, layout: Layout, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Cannot compare ${capacity} frames: need a positive count`);
    this.#device = device;
    this.#layout = layout;
    this.#capacity = capacity;
    const make = (label: string, size: number, usage: number) => {
      const b = device.createBuffer({ label: `quality ${label}`, size: Math.max(16, Math.ceil(size / 16) * 16), usage });
      this.#buffers.push(b);
      return b;
    };
    const S = GPUBufferUsage;
    this.#params = make('params', 48, S.UNIFORM | S.COPY_DST);
    this.#orig = make('encoded picture', layout.words * 4, S.STORAGE | S.COPY_DST);
    this.#back = make('decoded picture', layout.words * 4, S.STORAGE | S.COPY_DST);
    const blocks = make('4x4 block sums', layout.blocksX * layout.blocksY * 16, S.STORAGE);
    this.#sse = make('sse partials', capacity * layout.sseGroups * 12, S.STORAGE | S.COPY_SRC);
    this.#ssim = make('ssim partials', capacity * layout.windowGroupsX * layout.windowGroupsY * 4, S.STORAGE | S.COPY_SRC);
    const resources: Record<number, GPUBuffer> = { 0: this.#params, 1: this.#orig, 2: this.#back, 3: this.#sse, 4: blocks, 5: this.#ssim };
    // Each entry point's 'auto' layout holds only the bindings it uses.
    const used: Record<Entry, number[]> = { main_sse: [0, 1, 2, 3], main_blocks: [0, 1, 2, 4], main_windows: [0, 4, 5] };
    this.#groups = ENTRIES.map((e) => [e, p[e], device.createBindGroup({
      label: `quality ${e} bind group`,
      layout: p[e].getBindGroupLayout(0),
      entries: used[e].map((binding) => ({ binding, resource: { buffer: resources[binding]! } })),
    })]);
  }

  /** Queues the comparison of one pair; both are tightly packed I420 of the batch's size. */
  add(orig: Uint8Array, back: Uint8Array): void {
    if (this.#destroyed) throw new TranscodeError('Cannot compare: the batch is finished');
    const l = this.#layout;
    const bytes = l.yBytes + 2 * l.cBytes;
    if (this.#count >= this.#capacity) throw new RangeError(`Cannot compare more than ${this.#capacity} frames in this batch`);
    if (orig.byteLength !== bytes || back.byteLength !== bytes) {
      throw new TranscodeError(`Cannot compare ${l.width}x${l.height} pictures: expected ${bytes} bytes each, got ${orig.byteLength} and ${back.byteLength}`);
    }
    const slot = this.#count++;
    const q = this.#device.queue;
    q.writeBuffer(this.#params, 0, new Uint32Array([
      l.width, l.height, l.yBytes, l.cBytes,
      l.blocksX, l.blocksY, l.words, slot,
      l.sseGroups, l.windowGroupsX * l.windowGroupsY, l.windowGroupsX, 0,
    ]));
    q.writeBuffer(this.#orig, 0, padded(orig));
    q.writeBuffer(this.#back, 0, padded(back));
    const enc = this.#device.createCommandEncoder({ label: `quality frame ${slot}` });
    const pass = enc.beginComputePass({ label: `quality frame ${slot}` });
    const sizes: Record<Entry, [number, number]> = {
      main_sse: [l.sseGroups, 1],
      main_blocks: [Math.ceil(l.blocksX / 16), Math.ceil(l.blocksY / 16)],
      main_windows: [l.windowGroupsX, l.windowGroupsY],
    };
    for (const [entry, pipeline, group] of this.#groups) {
      const [x, y] = sizes[entry];
      if (x === 0 || y === 0) continue;
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y);
    }
    pass.end();
    q.submit([enc.finish()]);
  }

  /** Resolves once the GPU has done every pair queued so far. */
  async drained(): Promise<void> {
    await this.#device.queue.onSubmittedWorkDone();
  }

  /** Frames queued so far. */
  get count(): number {
    return this.#count;
  }

  /** Reads back every queued pair's partials and adds them up; destroys the batch. */
  async finish(): Promise<FrameSums[]> {
    if (this.#destroyed) throw new TranscodeError('Cannot read the comparison: the batch is finished');
    const l = this.#layout;
    const n = this.#count;
    const ssimGroups = l.windowGroupsX * l.windowGroupsY;
    const sseBytes = n * l.sseGroups * 12;
    const ssimBytes = n * ssimGroups * 4;
    const staging = this.#device.createBuffer({ label: 'quality readback', size: Math.max(16, Math.ceil((sseBytes + ssimBytes) / 16) * 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.#buffers.push(staging);
    try {
      if (n === 0) return [];
      const enc = this.#device.createCommandEncoder({ label: 'quality readback' });
      enc.copyBufferToBuffer(this.#sse, 0, staging, 0, Math.ceil(sseBytes / 4) * 4);
      if (ssimBytes > 0) enc.copyBufferToBuffer(this.#ssim, 0, staging, sseBytes, ssimBytes);
      this.#device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const mapped = staging.getMappedRange();
      const sse = new Uint32Array(mapped, 0, sseBytes / 4);
      const ssim = new Float32Array(mapped, sseBytes, ssimBytes / 4);
      const out: FrameSums[] = [];
      for (let f = 0; f < n; f++) {
        const s: [number, number, number] = [0, 0, 0];
        for (let g = 0; g < l.sseGroups; g++) for (let p = 0; p < 3; p++) s[p]! += sse[(f * l.sseGroups + g) * 3 + p]!;
        let ssimSum = 0;
        for (let g = 0; g < ssimGroups; g++) ssimSum += ssim[f * ssimGroups + g]!;
        out.push({ sse: s, ssimSum, windows: l.windows });
      }
      staging.unmap();
      return out;
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const b of this.#buffers.splice(0)) b.destroy();
  }
}

/** writeBuffer takes whole words: a picture whose size is not a multiple of 4 gets zero padding. */
function padded(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteLength % 4 === 0 && bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

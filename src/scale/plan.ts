// The GPU resources for one frame geometry (source layout + ladder + rotation + range): filter
// tables, per-plane uniforms and bind groups, the upload/intermediate/output buffers and a small
// pool of staging buffers. Built once and reused for every frame with that geometry, so the
// per-frame cost is one writeBuffer, one submit and one mapAsync.
import { InputTooLargeError } from '../errors.ts';
import { buildFilter } from './filters.ts';
import type { FilterTable } from './filters.ts';
import { variantKey } from './pipelines.ts';
import type { KernelVariant } from './pipelines.ts';

/** One source plane as the kernels read it (bytes, not words). */
export interface PlaneGeometry {
  offset: number;
  stride: number;
  /** Bytes between neighbouring samples: 1 for planar, 2 for NV12's interleaved UV. */
  step: number;
  width: number;
  height: number;
}

export interface Geometry {
  key: string;
  /** Upload size: the end of the last plane byte, rounded up to whole words. */
  sourceBytes: number;
  planes: [PlaneGeometry, PlaneGeometry, PlaneGeometry];
  targets: ReadonlyArray<{ width: number; height: number }>;
  rotation: 0 | 90 | 180 | 270;
  fullRange: boolean;
}

/** Where one output plane sits in the readback: rows padded to whole words. */
interface OutputPlane {
  offset: number;
  stride: number;
  width: number;
  height: number;
}

interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  groups: [number, number];
}

interface Placed {
  table: FilterTable;
  /** Word index of the first-sample indices in the filter buffer. */
  starts: number;
  /** vec4 index of the weights in the filter buffer. */
  weights: number;
}

// Sample sites in 1/256 of a sample (swscale's get_local_pos). ffmpeg's scale filter treats an
// unspecified 4:2:0 source as chroma centred both ways (MPEG-1/JPEG siting), so we do too: it is
// what makes PSNR against ffmpeg high, and it keeps rotation free of siting shifts.
const SITE = 128;
const UNIFORM_SLOT = 256;
const STAGING_POOL = 3;

/** GPU buffer bytes the scalers hold now and at most since the page (or process) started. */
const gpuBytes = { live: 0, peak: 0 };

export function gpuBufferBytes(): { live: number; peak: number } {
  return { ...gpuBytes };
}

function createTracked(device: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
  const b = device.createBuffer(desc);
  gpuBytes.live += b.size;
  gpuBytes.peak = Math.max(gpuBytes.peak, gpuBytes.live);
  return b;
}

export function destroyTracked(b: GPUBuffer): void {
  gpuBytes.live -= b.size;
  b.destroy();
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;
const isCopy = (g: Geometry, t: { width: number; height: number }) => {
  const turned = g.rotation === 90 || g.rotation === 270;
  return (turned ? t.height : t.width) === g.planes[0].width && (turned ? t.width : t.height) === g.planes[0].height;
};

/** The pipeline variants a geometry needs, to be loaded before the plan is built. */
export function kernelsFor(g: Geometry): KernelVariant[] {
  const ROTATION = g.rotation / 90;
  const steps = [...new Set(g.planes.map((p) => p.step))];
  const out: KernelVariant[] = [];
  for (const t of g.targets) {
    if (isCopy(g, t)) out.push(...steps.map((STEP) => ({ kernel: 'copy' as const, constants: { ROTATION, STEP } })));
    else out.push(...steps.map((STEP) => ({ kernel: 'horizontal' as const, constants: { STEP } })), { kernel: 'vertical', constants: { ROTATION } });
  }
  return out;
}

export class ScalePlan {
  /** In-flight scale() calls; a retired plan is destroyed when this drops to zero. */
  inFlight = 0;
  retired = false;
  private readonly device: GPUDevice;
  private readonly source: GPUBuffer;
  private readonly output: GPUBuffer;
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Dispatch[] = [];
  private readonly rungs: OutputPlane[][] = [];
  private readonly outBytes: number;
  private readonly sourceBytes: number;
  private readonly freeStaging: GPUBuffer[] = [];
  private destroyed = false;

  constructor(device: GPUDevice, kernels: Map<string, GPUComputePipeline>, g: Geometry) {
    this.device = device;
    this.sourceBytes = g.sourceBytes;
    const limits = device.limits;
    const label = `scale ${g.planes[0].width}x${g.planes[0].height}`;
    const rotated = g.rotation === 90 || g.rotation === 270;
    const ROTATION = g.rotation / 90;
    const kernel = (v: KernelVariant) => kernels.get(variantKey(v))!;

    // Filter tables, shared between rungs and planes where the axis is the same. Each is stored as
    // its first-sample indices, then (16-byte aligned, for vec4 loads) its weights.
    const tables = new Map<string, Placed>();
    let filterWords = 0;
    const table = (src: number, dst: number): Placed => {
      const key = `${src}>${dst}`;
      let t = tables.get(key);
      if (!t) {
        const built = buildFilter(src, dst, SITE, SITE, 4);
        const starts = filterWords;
        const weights = align(starts + dst, 4);
        filterWords = weights + dst * built.taps;
        t = { table: built, starts, weights: weights / 4 };
        tables.set(key, t);
      }
      return t;
    };

    // Output and intermediate layout. Output rows are padded to whole words so every invocation
    // writes one word of one row; read() drops the padding.
    interface PlaneJob { src: PlaneGeometry; out: OutputPlane; word: number; width: number; base: number; h: Placed | null; v: Placed | null }
    const jobs: Array<{ copy: boolean; planes: PlaneJob[] }> = [];
    let words = 0;
    let interElements = 0;
    let widest = 0;
    for (const t of g.targets) {
      const copy = isCopy(g, t);
      // The unrotated picture the filter passes produce before the vertical pass turns it.
      const sw = rotated ? t.height : t.width;
      const sh = rotated ? t.width : t.height;
      const planes: PlaneJob[] = [];
      let base = 0;
      for (const [i, src] of g.planes.entries()) {
        const div = i === 0 ? 1 : 2;
        const out = { offset: words * 4, stride: align(t.width / div, 4), width: t.width / div, height: t.height / div };
        planes.push({
          src, out, word: words, width: sw / div, base,
          h: copy ? null : table(src.width, sw / div),
          v: copy ? null : table(src.height, sh / div),
        });
        words += (out.stride / 4) * out.height;
        if (!copy) base += (sw / div) * src.height;
      }
      jobs.push({ copy, planes });
      this.rungs.push(planes.map((p) => p.out));
      interElements = Math.max(interElements, base);
      if (!copy) widest = Math.max(widest, sw);
    }
    this.outBytes = Math.max(4, words * 4);

    // Slack for the zero-weight tap padding: up to three rows past the last plane (vertical pass)
    // and a few bytes past the end of the frame data (horizontal pass, copy).
    const interBytes = (interElements + 3 * widest + 4) * 4;
    const sourceBytes = g.sourceBytes + 16;
    const maxBinding = limits.maxStorageBufferBindingSize;
    const largest = Math.max(interBytes, sourceBytes, this.outBytes);
    if (largest > maxBinding) {
      throw new InputTooLargeError(`Cannot scale ${label}: needs a ${largest}-byte GPU buffer, the device allows ${maxBinding}`);
    }

    const filterData = new Uint32Array(align(Math.max(4, filterWords), 4));
    const filterFloats = new Float32Array(filterData.buffer);
    for (const t of tables.values()) {
      filterData.set(t.table.starts, t.starts);
      filterFloats.set(t.table.weights, t.weights * 4);
    }

    const create = (name: string, size: number, usage: number) => {
      const b = createTracked(device, { label: `${label} ${name}`, size, usage });
      this.buffers.push(b);
      return b;
    };
    const S = GPUBufferUsage;
    this.source = create('source planes', sourceBytes, S.STORAGE | S.COPY_DST);
    this.output = create('output', this.outBytes, S.STORAGE | S.COPY_SRC);
    const filters = create('filter tables', filterData.byteLength, S.STORAGE | S.COPY_DST);
    device.queue.writeBuffer(filters, 0, filterData);
    const inter = create('intermediate rows', interBytes, S.STORAGE);

    // One uniform slot per dispatch: three for a 1:1 rung (copy), six for a scaled one.
    const slots = jobs.reduce((n, j) => n + (j.copy ? 3 : 6), 0);
    const params = new ArrayBuffer(slots * UNIFORM_SLOT);
    const u32 = new Uint32Array(params);
    const f32 = new Float32Array(params);
    const uniforms = create('params', params.byteLength, S.UNIFORM | S.COPY_DST);
    const cScale = g.fullRange ? 224 / 255 : 1;
    const ranges = g.fullRange ? [[219 / 255, 16], [cScale, 128 - 128 * cScale], [cScale, 128 - 128 * cScale]] : [[1, 0], [1, 0], [1, 0]];

    let slot = 0;
    // Every kernel covers 64 columns (or words) by 4 rows per workgroup.
    const dispatch = (pipeline: GPUComputePipeline, name: string, values: number[], floats: number[], resources: GPUBindingResource[], size: [number, number]) => {
      const at = (slot * UNIFORM_SLOT) / 4;
      u32.set(values, at);
      f32.set(floats, at + values.length);
      const bindGroup = device.createBindGroup({
        label: `${label} ${name}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms, offset: slot * UNIFORM_SLOT, size: (values.length + floats.length) * 4 } },
          ...resources.map((resource, i) => ({ binding: i + 1, resource })),
        ],
      });
      this.dispatches.push({ pipeline, bindGroup, groups: [Math.ceil(size[0] / 64), Math.ceil(size[1] / 4)] });
      slot++;
    };
    const source = { buffer: this.source };
    const output = { buffer: this.output };
    jobs.forEach((job, r) => {
      job.planes.forEach((p, i) => {
        const rowWords = p.out.stride / 4;
        const out = [p.out.width, p.out.height, p.word, rowWords];
        const STEP = p.src.step;
        if (job.copy) {
          dispatch(kernel({ kernel: 'copy', constants: { ROTATION, STEP } }), `rung ${r} plane ${i} copy`,
            [p.src.offset, p.src.stride, 0, 0, ...out], [...ranges[i]!, 0, 0], [source, output], [rowWords, p.out.height]);
          return;
        }
        const h = p.h!;
        dispatch(kernel({ kernel: 'horizontal', constants: { STEP } }), `rung ${r} plane ${i} horizontal`,
          [p.src.offset, p.src.stride, 0, 0, p.width, p.src.height, p.base, 0, h.starts, h.table.taps / 4, h.weights, 0], [],
          [source, { buffer: filters }, { buffer: filters }, { buffer: inter }], [p.width, p.src.height]);
        const v = p.v!;
        dispatch(kernel({ kernel: 'vertical', constants: { ROTATION } }), `rung ${r} plane ${i} vertical`,
          [...out, p.base, p.width, v.starts, v.table.taps / 4, v.weights, 0, 0, 0], [...ranges[i]!, 0, 0],
          [{ buffer: inter }, { buffer: filters }, { buffer: filters }, output], [rowWords, p.out.height]);
      });
    });
    device.queue.writeBuffer(uniforms, 0, params);
  }

  /**
   * Queues the upload, every rung's dispatches and the copy into a staging buffer, in one submit.
   * Synchronous on purpose: concurrent calls share the source/intermediate/output buffers, which is
   * safe only because each call's writeBuffer and submit reach the queue back to back.
   */
  submit(data: Uint8Array): GPUBuffer {
    const { device } = this;
    // WebGPU takes views of SharedArrayBuffers too (AllowSharedBufferSource); @webgpu/types is stricter.
    const bytes = data as Uint8Array<ArrayBuffer>;
    const length = Math.min(data.byteLength, this.sourceBytes);
    const whole = length & ~3;
    if (whole > 0) device.queue.writeBuffer(this.source, 0, bytes, 0, whole);
    if (whole < length) {
      const tail = new Uint8Array(4);
      tail.set(data.subarray(whole, length));
      device.queue.writeBuffer(this.source, whole, tail);
    }
    const staging = this.freeStaging.pop() ?? createTracked(device, {
      label: `scale staging ${this.outBytes}`,
      size: this.outBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder({ label: 'scale frame' });
    // One pass: WebGPU orders the dispatches and makes each one's storage writes visible to the next.
    const pass = encoder.beginComputePass({ label: 'scale passes' });
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1]);
    }
    pass.end();
    encoder.copyBufferToBuffer(this.output, 0, staging, 0, this.outBytes);
    device.queue.submit([encoder.finish()]);
    return staging;
  }

  /** Unpacks a mapped readback into one tightly packed I420 buffer per rung. */
  read(mapped: ArrayBuffer): Uint8Array[] {
    return this.rungs.map((planes) => {
      const out = new Uint8Array(planes.reduce((n, p) => n + p.width * p.height, 0));
      let at = 0;
      for (const p of planes) {
        const rows = new Uint8Array(mapped, p.offset, p.stride * p.height);
        if (p.stride === p.width) out.set(rows, at);
        else for (let y = 0; y < p.height; y++) out.set(rows.subarray(y * p.stride, y * p.stride + p.width), at + y * p.width);
        at += p.width * p.height;
      }
      return out;
    });
  }

  /** Returns an unmapped staging buffer to the pool (or destroys it if the pool is full or the plan is gone). */
  release(staging: GPUBuffer): void {
    if (this.destroyed || this.freeStaging.length >= STAGING_POOL) destroyTracked(staging);
    else this.freeStaging.push(staging);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.buffers) destroyTracked(b);
    for (const b of this.freeStaging) destroyTracked(b);
    this.freeStaging.length = 0;
  }
}

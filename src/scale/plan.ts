// The GPU resources for one frame geometry (source layout + ladder + rotation + range): filter
// tables, per-plane uniforms and bind groups, the upload/intermediate/output buffers and a small
// pool of staging buffers. Built once and reused for every frame with that geometry, so the
// per-frame cost is one writeBuffer, one submit and one mapAsync.
import { InputTooLargeError } from '../errors.ts';
import { blockFilter, buildFilter } from './filters.ts';
import type { BlockTable } from './filters.ts';
import { variantKey } from './pipelines.ts';
import type { KernelVariant } from './pipelines.ts';

/** One source plane as the kernels read it: 8-bit, offset and stride in bytes, both multiples of 16. */
export interface PlaneGeometry {
  offset: number;
  stride: number;
  width: number;
  height: number;
}

export interface Geometry {
  key: string;
  /** Upload size: the end of the last plane byte, rounded up to whole 16-byte units. */
  sourceBytes: number;
  planes: [PlaneGeometry, PlaneGeometry, PlaneGeometry];
  targets: ReadonlyArray<{ width: number; height: number }>;
  rotation: 0 | 90 | 180 | 270;
  fullRange: boolean;
}

/** Where one output plane sits in a readback or turn buffer: rows padded to whole words. */
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

/** What one frame's command encoder records, in order: compute passes and the copies between them. */
// The copy's argument types by position: Deno's lib and @webgpu/types name them differently.
type CopyArgs = Parameters<GPUCommandEncoder['copyBufferToTexture']>;
type Step = { pass: Dispatch[] } | { copy: CopyArgs[0]; to: CopyArgs[1]; size: [number, number] };

interface Placed {
  table: BlockTable;
  /** Word index of the block starts in the starts buffer. */
  starts: number;
  /** First texel row of the block weights in the weights texture (one row per block). */
  weights: number;
}

// Sample sites in 1/256 of a sample (swscale's get_local_pos). ffmpeg's scale filter treats an
// unspecified 4:2:0 source as chroma centred both ways (MPEG-1/JPEG siting), so we do too: it is
// what makes PSNR against ffmpeg high, and it keeps rotation free of siting shifts.
const SITE = 128;
const UNIFORM_SLOT = 256;
const STAGING_POOL = 3;

/** GPU buffer and texture bytes the scalers hold now and at most since the page (or process) started. */
const gpuBytes = { live: 0, peak: 0 };

export function gpuBufferBytes(): { live: number; peak: number } {
  return { ...gpuBytes };
}

function track(bytes: number): void {
  gpuBytes.live += bytes;
  gpuBytes.peak = Math.max(gpuBytes.peak, gpuBytes.live);
}

function createTracked(device: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
  const b = device.createBuffer(desc);
  track(b.size);
  return b;
}

export function destroyTracked(b: GPUBuffer): void {
  gpuBytes.live -= b.size;
  b.destroy();
}

/** A texture counted in gpuBufferBytes() like the buffers: `bytes` is its texel bytes. */
interface TrackedTexture {
  texture: GPUTexture;
  bytes: number;
}

function createTrackedTexture(device: GPUDevice, desc: GPUTextureDescriptor, texelBytes: number): TrackedTexture {
  const texture = device.createTexture(desc);
  const [w, h] = desc.size as [number, number];
  const bytes = w * h * texelBytes;
  track(bytes);
  return { texture, bytes };
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** Full → limited range per plane (Y, U, V): `value * scale + offset`, as the filter passes apply it. */
export function rangeConversion(fullRange: boolean): [[number, number], [number, number], [number, number]] {
  if (!fullRange) return [[1, 0], [1, 0], [1, 0]];
  const c = 224 / 255;
  return [[219 / 255, 16], [c, 128 - 128 * c], [c, 128 - 128 * c]];
}

/**
 * One table per plane for a full-range source's 1:1 rung: the range conversion rounded half up and
 * clamped, as the GPU passes round it, for every pair of neighbouring bytes (entry v maps byte
 * v & 255 and byte v >> 8), so a word of four samples takes two lookups. Exact in any float
 * precision: 8-bit values never land within 1/510 of a rounding boundary under these scales
 * (2·219·v and 2·224·(v − 128) are even, 255·(2k + 1) is odd). Null for a limited-range source,
 * whose 1:1 rung is the bytes as they are.
 */
export function rangeTables(fullRange: boolean): readonly Uint16Array[] | null {
  if (!fullRange) return null;
  if (!fullToLimited) {
    const [y, c] = rangeConversion(true).map(([scale, offset]) => {
      const byte = Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.max(0, Math.floor(v * scale + offset + 0.5))));
      return Uint16Array.from({ length: 65536 }, (_, v) => byte[v & 255]! | (byte[v >> 8]! << 8));
    });
    fullToLimited = [y!, c!, c!];
  }
  return fullToLimited;
}
let fullToLimited: Uint16Array[] | undefined;

/** One plane's rows through its pair table into `out` at `at`: four samples a step where the rows allow. */
function mapPlane(bytes: Uint8Array, p: { offset: number; stride: number; width: number; height: number }, table: Uint16Array, out: Uint8Array, at: number): void {
  const from = bytes.byteOffset + p.offset;
  if (from % 4 === 0 && p.stride % 4 === 0 && p.width % 4 === 0 && (out.byteOffset + at) % 4 === 0) {
    const src = new Uint32Array(bytes.buffer, from, ((p.height - 1) * p.stride + p.width) / 4);
    const dst = new Uint32Array(out.buffer, out.byteOffset + at, (p.width * p.height) / 4);
    const words = p.width / 4;
    let d = 0;
    for (let y = 0; y < p.height; y++) {
      const row = (y * p.stride) / 4;
      for (let x = 0; x < words; x++) {
        const v = src[row + x]!;
        dst[d++] = table[v & 0xffff]! | (table[v >>> 16]! << 16);
      }
    }
    return;
  }
  for (let y = 0; y < p.height; y++) {
    const row = p.offset + y * p.stride;
    for (let x = 0; x < p.width; x++) out[at++] = table[bytes[row + x]!]! & 0xff;
  }
}

/** Where an output picture's bytes come from: exactly `size` bytes, contents overwritten (a pool's take()). */
export type PictureAlloc = (size: number) => Uint8Array;

const fresh: PictureAlloc = (size) => new Uint8Array(size);

function picture(alloc: PictureAlloc, size: number): Uint8Array {
  const out = alloc(size);
  if (!(out instanceof Uint8Array) || out.byteLength !== size) {
    throw new TypeError(`A picture allocator must return a Uint8Array of ${size} bytes, got ${out instanceof Uint8Array ? `${out.byteLength} bytes` : String(out)}`);
  }
  return out;
}

/**
 * Planes laid out with row strides inside `bytes`, copied out as one tightly packed picture; with
 * `tables`, each plane's bytes are mapped through its table (a full-range source's 1:1 rung).
 */
export function packPlanes(
  bytes: Uint8Array,
  planes: ReadonlyArray<{ offset: number; stride: number; width: number; height: number }>,
  tables: ReadonlyArray<Uint16Array> | null = null,
  alloc: PictureAlloc = fresh,
): Uint8Array {
  const out = picture(alloc, planes.reduce((n, p) => n + p.width * p.height, 0));
  let at = 0;
  for (const [i, p] of planes.entries()) {
    const table = tables?.[i];
    if (table) mapPlane(bytes, p, table, out, at);
    else if (p.stride === p.width) out.set(bytes.subarray(p.offset, p.offset + p.width * p.height), at);
    else for (let y = 0; y < p.height; y++) out.set(bytes.subarray(p.offset + y * p.stride, p.offset + y * p.stride + p.width), at + y * p.width);
    at += p.width * p.height;
  }
  return out;
}

const isCopy = (g: Geometry, t: { width: number; height: number }) => {
  const turned = g.rotation === 90 || g.rotation === 270;
  return (turned ? t.height : t.width) === g.planes[0].width && (turned ? t.width : t.height) === g.planes[0].height;
};

// Pass 1 filters the transposed source's rows (horizontal), pass 2 the intermediate's (vertical).
const RESAMPLE_H: KernelVariant = { kernel: 'resample', entry: 'main_u16', constants: { IN16: 0 } };
const RESAMPLE_V: KernelVariant = { kernel: 'resample', entry: 'main_u8', constants: { IN16: 1 } };
const TRANSPOSE: KernelVariant = { kernel: 'copy', entry: 'main_transpose', constants: {} };
/** What an unrotated ladder needs: compiled up front so shader problems surface at once. */
export const COMMON_KERNELS: readonly KernelVariant[] = [TRANSPOSE, RESAMPLE_H, RESAMPLE_V];
const turn = (rotation: number): KernelVariant => ({ kernel: 'copy', entry: 'main_turn', constants: { ROTATION: rotation / 90 } });

/** The pipeline variants a geometry needs, to be loaded before the plan is built. */
export function kernelsFor(g: Geometry): KernelVariant[] {
  const out: KernelVariant[] = [];
  for (const t of g.targets) {
    if (!isCopy(g, t)) out.push(TRANSPOSE, RESAMPLE_H, RESAMPLE_V);
    if (g.rotation !== 0) out.push(turn(g.rotation));
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
  private readonly textures: TrackedTexture[] = [];
  private readonly steps: Step[] = [];
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
    const kernel = (v: KernelVariant) => kernels.get(variantKey(v))!;

    // Block filter tables, shared between rungs and planes where the axis is the same: each is its
    // block starts (a storage buffer) and its dense block weights (texel rows of a texture).
    const tables = new Map<string, Placed>();
    let startWords = 0;
    let weightRows = 0;
    let span = 1;
    const table = (src: number, dst: number): Placed => {
      const key = `${src}>${dst}`;
      let t = tables.get(key);
      if (!t) {
        const built = blockFilter(buildFilter(src, dst, SITE, SITE));
        t = { table: built, starts: startWords, weights: weightRows };
        startWords += built.blocks;
        weightRows += built.blocks;
        span = Math.max(span, built.span);
        tables.set(key, t);
      }
      return t;
    };

    // Output layout: every rung's planes back to back, rows padded to 16 bytes (pass 2 stores 16
    // samples at once). A scaled rung with a turn is first written unturned into the turn buffer.
    interface PlaneJob { src: PlaneGeometry; out: OutputPlane; flat: OutputPlane; v: Placed | null; h: Placed | null }
    const jobs: Array<{ copy: boolean; planes: PlaneJob[] }> = [];
    let words = 0;
    // The intermediate texture: one texel per block and pair of source rows (4 samples of each, 16
    // rows of slack for pass 1's last columns); wide enough for pass 2's four texels per 16 columns.
    let interWidth = 1;
    let interHeight = 1;
    let turnWords = 1;
    let scaled = false;
    for (const t of g.targets) {
      const copy = isCopy(g, t);
      // The unrotated picture the filter passes produce.
      const sw = rotated ? t.height : t.width;
      const sh = rotated ? t.width : t.height;
      const planes: PlaneJob[] = [];
      let flatWords = 0;
      for (const [i, src] of g.planes.entries()) {
        const div = i === 0 ? 1 : 2;
        const out = { offset: words * 4, stride: align(t.width / div, 16), width: t.width / div, height: t.height / div };
        const flat = { offset: flatWords * 4, stride: align(sw / div, 16), width: sw / div, height: sh / div };
        words += (out.stride / 4) * out.height;
        flatWords += (flat.stride / 4) * flat.height;
        planes.push({ src, out, flat, v: copy ? null : table(src.height, flat.height), h: copy ? null : table(src.width, flat.width) });
        if (!copy) {
          interWidth = Math.max(interWidth, align(flat.width, 16) / 4);
          interHeight = Math.max(interHeight, align(src.height, 16));
        }
      }
      scaled ||= !copy;
      if (!copy && g.rotation !== 0) turnWords = Math.max(turnWords, flatWords);
      jobs.push({ copy, planes });
      this.rungs.push(planes.map((p) => p.out));
    }
    this.outBytes = Math.max(4, words * 4);

    const sourceBytes = g.sourceBytes + 16;
    // Every scaled rung reads the same transposed source planes, made once per frame: one row per
    // source column (16 rows of slack), each padded to 256 bytes (what copying them into their
    // textures needs).
    let transposedBytes = 0;
    const transposed = g.planes.map((p) => {
      const t = { offset: transposedBytes, stride: align(p.height, 256), texels: align(p.height, 16) / 16, rows: align(p.width, 16) };
      transposedBytes += t.stride * t.rows;
      return t;
    });
    const maxBinding = limits.maxStorageBufferBindingSize;
    const largest = Math.max(sourceBytes, this.outBytes, scaled ? transposedBytes : 0);
    if (largest > maxBinding) {
      throw new InputTooLargeError(`Cannot scale ${label}: needs a ${largest}-byte GPU buffer, the device allows ${maxBinding}`);
    }
    const maxTexture = limits.maxTextureDimension2D;
    // Weight texture rows: a zero texel, the block's `span` weight texels, then zeros (see resample.wgsl).
    const weightWidth = span + 2;
    const side = scaled ? Math.max(interWidth, interHeight / 2, weightWidth, weightRows, ...transposed.map((t) => t.rows)) : 0;
    if (side > maxTexture) {
      throw new InputTooLargeError(`Cannot scale ${label}: needs a GPU texture ${side} texels on a side, the device allows ${maxTexture}`);
    }

    const startData = new Uint32Array(Math.max(4, startWords));
    const weightData = new Float32Array(weightWidth * weightRows * 4);
    for (const t of tables.values()) {
      startData.set(t.table.starts, t.starts);
      const w = t.table.weights;
      for (let b = 0; b < t.table.blocks; b++) {
        weightData.set(w.subarray(b * t.table.span * 4, (b + 1) * t.table.span * 4), ((t.weights + b) * weightWidth + 1) * 4);
      }
    }

    const create = (name: string, size: number, usage: number) => {
      const b = createTracked(device, { label: `${label} ${name}`, size, usage });
      this.buffers.push(b);
      return b;
    };
    const S = GPUBufferUsage;
    this.source = create('source planes', sourceBytes, S.STORAGE | S.COPY_DST);
    this.output = create('output', this.outBytes, S.STORAGE | S.COPY_SRC);
    const turned = g.rotation === 0 ? null : create('unturned rung', turnWords * 4, S.STORAGE);
    const T = GPUTextureUsage;
    const texture = (name: string, size: [number, number], format: GPUTextureFormat, texelBytes: number, usage: number) => {
      const t = createTrackedTexture(device, { label: `${label} ${name}`, size, format, usage }, texelBytes);
      this.textures.push(t);
      return t.texture;
    };
    let filters: GPUBuffer | null = null;
    let weights: GPUTexture | null = null;
    let inter: GPUTexture | null = null;
    let flipped: GPUBuffer | null = null;
    let planeTextures: GPUTexture[] = [];
    if (scaled) {
      filters = create('block starts', startData.byteLength, S.STORAGE | S.COPY_DST);
      device.queue.writeBuffer(filters, 0, startData);
      weights = texture('block weights', [weightWidth, weightRows], 'rgba32float', 16, T.TEXTURE_BINDING | T.COPY_DST);
      device.queue.writeTexture({ texture: weights }, weightData, { bytesPerRow: weightWidth * 16, rowsPerImage: weightRows }, [weightWidth, weightRows]);
      inter = texture('intermediate columns', [interWidth, interHeight / 2], 'rgba32uint', 16, T.STORAGE_BINDING | T.TEXTURE_BINDING);
      flipped = create('transposed source', transposedBytes, S.STORAGE | S.COPY_SRC);
      planeTextures = g.planes.map((_, i) => texture(`transposed plane ${i}`, [transposed[i]!.texels, transposed[i]!.rows], 'rgba32uint', 16, T.TEXTURE_BINDING | T.COPY_DST));
    }

    // One uniform slot per dispatch: one per plane to copy or turn, two more per plane to filter.
    const slots = (scaled ? 3 : 0) + jobs.reduce((n, j) => n + (j.copy ? 3 : g.rotation === 0 ? 6 : 9), 0);
    const params = new ArrayBuffer(slots * UNIFORM_SLOT);
    const u32 = new Uint32Array(params);
    const f32 = new Float32Array(params);
    const uniforms = create('params', params.byteLength, S.UNIFORM | S.COPY_DST);
    const ranges = rangeConversion(g.fullRange);
    const identity = [1, 0];

    let slot = 0;
    let pass: Dispatch[] = [];
    const dispatch = (v: KernelVariant, name: string, values: number[], floats: number[], resources: Array<[number, GPUBindingResource]>, groups: [number, number]) => {
      const pipeline = kernel(v);
      const at = (slot * UNIFORM_SLOT) / 4;
      u32.set(values, at);
      f32.set(floats, at + values.length);
      const bindGroup = device.createBindGroup({
        label: `${label} ${name}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: uniforms, offset: slot * UNIFORM_SLOT, size: (values.length + floats.length) * 4 } },
          ...resources.map(([binding, resource]) => ({ binding, resource })),
        ],
      });
      pass.push({ pipeline, bindGroup, groups });
      slot++;
    };
    const groups = (x: number, y: number, wx: number, wy: number): [number, number] => [Math.ceil(x / wx), Math.ceil(y / wy)];
    // The resample passes: strips of 16 columns x blocks, as one row of 64-invocation workgroups.
    const strips = (columns: number) => Math.ceil(columns / 16);
    const cells = (n: number, blocks: number): [number, number] => [Math.ceil((n * blocks) / 64), 1];
    const buf = (buffer: GPUBuffer) => ({ buffer });
    const view = (texture: GPUTexture) => texture.createView();
    if (flipped) {
      // The transposes, then each transposed plane copied into the texture the first passes read.
      g.planes.forEach((p, i) => {
        const t = transposed[i]!;
        dispatch(TRANSPOSE, `plane ${i} transpose`, [p.offset, p.stride, 0, 0, p.width, p.height, t.offset / 4, t.stride / 4], [0, 0, 0, 0],
          [[3, buf(this.source)], [2, buf(flipped)]], groups(Math.ceil(p.width / 16), Math.ceil(p.height / 4), 16, 4));
      });
      this.steps.push({ pass });
      pass = [];
      transposed.forEach((t, i) => this.steps.push({
        copy: { buffer: flipped!, offset: t.offset, bytesPerRow: t.stride, rowsPerImage: t.rows },
        to: { texture: planeTextures[i]! },
        size: [t.texels, t.rows],
      }));
    }
    jobs.forEach((job, r) => {
      job.planes.forEach((p, i) => {
        const out = [p.out.width, p.out.height, p.out.offset / 4, p.out.stride / 4];
        if (job.copy) {
          // A 1:1 rung on the GPU is a rotated one (an upright one never gets here: see Scaler).
          dispatch(turn(g.rotation), `rung ${r} plane ${i} turn`, [p.src.offset, p.src.stride, 0, 0, ...out], [...ranges[i]!, 0, 0],
            [[1, buf(this.source)], [2, buf(this.output)]], groups(p.out.stride / 4, p.out.height, 64, 4));
          return;
        }
        const v = p.v!;
        const h = p.h!;
        // Pass 1: the transposed source's rows (horizontal filter) into the intermediate, one texel
        // row per two source rows.
        dispatch(RESAMPLE_H, `rung ${r} plane ${i} horizontal`,
          [0, strips(p.src.height), p.src.width, p.src.height, 0, 0, h.table.blocks, 0, h.weights, h.table.span, h.starts, 0],
          [0, 0, 0, 0],
          [[1, view(planeTextures[i]!)], [2, buf(filters!)], [3, view(weights!)], [4, view(inter!)]], cells(strips(p.src.height), h.table.blocks));
        // Pass 2: the intermediate's rows (vertical filter) into the output plane, or the turn buffer.
        const dest = turned ? p.flat : p.out;
        dispatch(RESAMPLE_V, `rung ${r} plane ${i} vertical`,
          [0, strips(p.flat.width), p.src.height, p.flat.width, dest.offset / 16, dest.stride / 16, v.table.blocks, p.flat.height, v.weights, v.table.span, v.starts, 0],
          [...ranges[i]!, 0, 0],
          [[1, view(inter!)], [2, buf(filters!)], [3, view(weights!)], [5, buf(turned ?? this.output)]], cells(strips(p.flat.width), v.table.blocks));
        if (turned) {
          dispatch(turn(g.rotation), `rung ${r} plane ${i} turn`, [p.flat.offset, p.flat.stride, 0, 0, ...out], [...identity, 0, 0],
            [[1, buf(turned)], [2, buf(this.output)]], groups(p.out.stride / 4, p.out.height, 64, 4));
        }
      });
    });
    this.steps.push({ pass });
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
    // WebGPU orders the dispatches and copies and makes each one's writes visible to the next.
    for (const step of this.steps) {
      if ('copy' in step) {
        encoder.copyBufferToTexture(step.copy, step.to, step.size);
        continue;
      }
      const pass = encoder.beginComputePass({ label: 'scale passes' });
      for (const d of step.pass) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.groups[0], d.groups[1]);
      }
      pass.end();
    }
    encoder.copyBufferToBuffer(this.output, 0, staging, 0, this.outBytes);
    device.queue.submit([encoder.finish()]);
    return staging;
  }

  /** Unpacks a mapped readback into one tightly packed I420 buffer per rung. */
  read(mapped: ArrayBuffer, alloc: PictureAlloc = fresh): Uint8Array[] {
    const bytes = new Uint8Array(mapped);
    return this.rungs.map((planes) => packPlanes(bytes, planes, null, alloc));
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
    for (const t of this.textures) {
      gpuBytes.live -= t.bytes;
      t.texture.destroy();
    }
    for (const b of this.freeStaging) destroyTracked(b);
    this.freeStaging.length = 0;
  }
}

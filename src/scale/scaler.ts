// The GPU scaler: one decoded 4:2:0 frame in (as VideoFrame.copyTo plane bytes), one limited-range
// I420 picture per ladder rung out, Lanczos-3 resampled, rotated upright, in a single submit and a
// single mapAsync. See shaders/resample.wgsl and shaders/scale_copy.wgsl for the kernels and
// plan.ts for the per-geometry cache.
import { CorruptInputError, TranscodeError } from '../errors.ts';
import { loadKernels } from './pipelines.ts';
import type { ShaderLoader } from '../platform/shaders.ts';
import { COMMON_KERNELS, ScalePlan, destroyTracked, kernelsFor, packPlanes, rangeTables } from './plan.ts';
import type { Geometry, PictureAlloc } from './plan.ts';
import type { PlaneFormat, SourcePlanes } from '../types/mod.ts';

export type { PlaneFormat, SourcePlanes } from '../types/mod.ts';
export type { PictureAlloc } from './plan.ts';

/** An output size; both dimensions even. With rotation 90/270 this is the rotated (display) size. */
export interface ScaleTarget {
  width: number;
  height: number;
}

export interface ScaleOptions {
  /** Clockwise rotation applied so the output is upright. */
  rotation?: 0 | 90 | 180 | 270;
  /** Where each output picture's buffer comes from (a pool); default a fresh one per picture. */
  alloc?: PictureAlloc | undefined;
}

// A video keeps one geometry; a few more cover a ladder change or a mid-stream resolution switch.
const MAX_PLANS = 4;

/** Where a scaler's time went, summed over its scale() calls (ms). */
export interface ScalerTimings {
  frames: number;
  /** Repacking planes the kernels cannot read as they are (NV12, unaligned strides), on the CPU. */
  repackMs: number;
  /** Queueing the upload and the passes (writeBuffer copies the frame). */
  uploadMs: number;
  /** From the submit until the readback is mapped: the passes and the copy out, plus queueing. */
  gpuMs: number;
  /** Unpacking the mapped readback into one buffer per rung. */
  readbackMs: number;
}

export class Scaler {
  private readonly device: GPUDevice;
  private readonly times: ScalerTimings = { frames: 0, repackMs: 0, uploadMs: 0, gpuMs: 0, readbackMs: 0 };
  private readonly plans = new Map<string, ScalePlan>();
  private destroyed = false;

  private constructor(device: GPUDevice, private readonly load: ShaderLoader) {
    this.device = device;
  }

  /**
   * Compiles the common kernels up front (I420, no rotation) so shader problems surface here.
   * `load` reads the WGSL files: the runtime's loadShader.
   */
  static async create(device: GPUDevice, load: ShaderLoader): Promise<Scaler> {
    await loadKernels(device, COMMON_KERNELS, load);
    return new Scaler(device, load);
  }

  /**
   * Scales one frame to every target. Returns one tightly packed limited-range I420 buffer per
   * target (Y w*h, then U and V (w/2)*(h/2)), in target order. Concurrent calls are safe: they share
   * the geometry's GPU buffers in queue order and each reads back through its own staging buffer.
   */
  async scale(src: SourcePlanes, targets: ScaleTarget[], options: ScaleOptions = {}): Promise<Uint8Array[]> {
    if (this.destroyed) throw new TranscodeError('Cannot scale: the scaler has been destroyed');
    if (targets.length === 0) return [];
    const t0 = performance.now();
    const { geometry, data, same } = describe(src, targets, options.rotation ?? 0);
    this.times.repackMs += performance.now() - t0;
    this.times.frames++;
    const scaled = geometry.targets.length > 0 ? await this.run(geometry, data, options.alloc) : [];
    // Rungs of the source's size, upright, need no GPU pass: their bytes as they are, or range-converted
    // through a table (cheaper on the CPU than a GPU pass and its readback, above all on CPU adapters).
    let next = 0;
    const tables = same.includes(true) ? rangeTables(src.fullRange) : null;
    return same.map((isSame) => (isSame ? packPlanes(data, geometry.planes, tables, options.alloc) : scaled[next++]!));
  }

  private async run(geometry: Geometry, data: Uint8Array, alloc: PictureAlloc | undefined): Promise<Uint8Array[]> {
    let plan = this.plans.get(geometry.key);
    if (plan) {
      // Re-insert so Map order is least-recently-used first.
      this.plans.delete(geometry.key);
      this.plans.set(geometry.key, plan);
    } else {
      const kernels = await loadKernels(this.device, kernelsFor(geometry), this.load);
      if (this.destroyed) throw new TranscodeError('Cannot scale: the scaler has been destroyed');
      // A concurrent call may have built it while this one waited for the kernels.
      plan = this.plans.get(geometry.key) ?? this.addPlan(new ScalePlan(this.device, kernels, geometry), geometry.key);
    }
    plan.inFlight++;
    let staging: GPUBuffer | null = null;
    try {
      // From here to the submit nothing awaits: see ScalePlan.submit.
      const t0 = performance.now();
      staging = plan.submit(data);
      const t1 = performance.now();
      await staging.mapAsync(GPUMapMode.READ);
      const t2 = performance.now();
      const out = plan.read(staging.getMappedRange(), alloc);
      staging.unmap();
      this.times.uploadMs += t1 - t0;
      this.times.gpuMs += t2 - t1;
      this.times.readbackMs += performance.now() - t2;
      return out;
    } finally {
      plan.inFlight--;
      // A buffer left mapped by a failed read must not go back to the pool.
      if (staging?.mapState === 'unmapped') plan.release(staging);
      else if (staging) destroyTracked(staging);
      if (plan.retired && plan.inFlight === 0) plan.destroy();
    }
  }

  /** Time spent so far; with several calls in flight, gpuMs counts their overlap more than once. */
  timings(): ScalerTimings {
    return { ...this.times };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const plan of this.plans.values()) this.retire(plan);
    this.plans.clear();
  }

  private addPlan(plan: ScalePlan, key: string): ScalePlan {
    while (this.plans.size >= MAX_PLANS) {
      const [oldKey, old] = this.plans.entries().next().value as [string, ScalePlan];
      this.plans.delete(oldKey);
      this.retire(old);
    }
    this.plans.set(key, plan);
    return plan;
  }

  // A plan still being read back is destroyed by its last call instead, so its mapAsync survives.
  private retire(plan: ScalePlan): void {
    plan.retired = true;
    if (plan.inFlight === 0) plan.destroy();
  }
}

function isDim(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

/** A source plane as laid out in the frame bytes (step 2: NV12's interleaved chroma). */
interface SourcePlane {
  offset: number;
  stride: number;
  step: number;
  width: number;
  height: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Validates the frame and targets, and lays the planes out as the kernels read them. */
function describe(src: SourcePlanes, targets: ScaleTarget[], rotation: 0 | 90 | 180 | 270): { geometry: Geometry; data: Uint8Array; same: boolean[] } {
  const { width, height, format, data, layout } = src;
  if (!isDim(width) || !isDim(height)) throw new CorruptInputError(`Cannot scale: invalid frame size ${width}x${height}`);
  if (format !== 'I420' && format !== 'NV12') throw new TranscodeError(`Cannot scale: unsupported plane format ${String(format)}`);
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) {
    throw new TranscodeError(`Cannot scale: rotation must be 0, 90, 180 or 270, got ${String(rotation)}`);
  }
  for (const t of targets) {
    if (!isDim(t.width) || !isDim(t.height) || t.width % 2 !== 0 || t.height % 2 !== 0) {
      throw new TranscodeError(`Cannot scale to ${t.width}x${t.height}: target sizes must be positive and even`);
    }
  }
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const plane = (i: number, w: number, h: number, step: number, shift = 0): SourcePlane => {
    const l = layout[i];
    if (!l) throw new CorruptInputError(`Cannot scale ${format}: plane ${i} is missing from the layout`);
    if (!Number.isInteger(l.offset) || !Number.isInteger(l.stride) || l.offset < 0 || l.stride < w * step) {
      throw new CorruptInputError(`Cannot scale ${format}: plane ${i} has offset ${l.offset}, stride ${l.stride} for ${w} samples`);
    }
    const end = l.offset + (h - 1) * l.stride + w * step;
    if (end > data.byteLength) {
      throw new CorruptInputError(`Cannot scale ${format}: plane ${i} needs ${end} bytes, frame data has ${data.byteLength}`);
    }
    return { offset: l.offset + shift, stride: l.stride, step, width: w, height: h };
  };
  const given = format === 'I420'
    ? [plane(0, width, height, 1), plane(1, cw, ch, 1), plane(2, cw, ch, 1)]
    : [plane(0, width, height, 1), plane(1, cw, ch, 2), plane(1, cw, ch, 2, 1)];
  const { bytes, planes } = alignPlanes(data, given);
  const same = targets.map((t) => rotation === 0 && t.width === width && t.height === height);
  const onGpu = targets.filter((_, i) => !same[i]);
  const sourceBytes = align16(Math.max(...planes.map((p) => p.offset + (p.height - 1) * p.stride + p.width)));
  const key = [
    sourceBytes, rotation, src.fullRange ? 'full' : 'tv',
    planes.map((p) => `${p.offset}/${p.stride}/${p.width}x${p.height}`).join(','),
    onGpu.map((t) => `${t.width}x${t.height}`).join(','),
  ].join('|');
  const geometry = { key, sourceBytes, planes, targets: onGpu.map((t) => ({ width: t.width, height: t.height })), rotation, fullRange: src.fullRange };
  return { geometry, data: bytes, same };
}

/**
 * The kernels load 16 samples of a row at once, so each plane must be planar with a 16-byte aligned
 * offset and stride. Frames from readPlanes() already are (no copy); anything else (NV12, tight
 * odd strides) is repacked here.
 */
function alignPlanes(data: Uint8Array, given: SourcePlane[]): { bytes: Uint8Array; planes: Geometry['planes'] } {
  if (given.every((p) => p.step === 1 && p.offset % 16 === 0 && p.stride % 16 === 0)) {
    const [y, u, v] = given.map(({ offset, stride, width, height }) => ({ offset, stride, width, height }));
    return { bytes: data, planes: [y!, u!, v!] };
  }
  let size = 0;
  const planes = given.map((p) => {
    const out = { offset: size, stride: align16(p.width), width: p.width, height: p.height };
    size += out.stride * p.height;
    return out;
  });
  const bytes = new Uint8Array(size);
  given.forEach((p, i) => {
    const out = planes[i]!;
    for (let y = 0; y < p.height; y++) {
      const from = p.offset + y * p.stride;
      const to = out.offset + y * out.stride;
      if (p.step === 1) bytes.set(data.subarray(from, from + p.width), to);
      else for (let x = 0; x < p.width; x++) bytes[to + x] = data[from + x * p.step]!;
    }
  });
  return { bytes, planes: [planes[0]!, planes[1]!, planes[2]!] };
}

// Loads the scaler's WGSL kernels and builds their compute pipelines, once per GPUDevice and
// variant (entry point and pipeline constants), on first use.
import { kernelSource } from '../platform/shaders.ts';
import type { ShaderLoader, ShaderName } from '../platform/shaders.ts';

export type KernelName = 'resample' | 'copy';

/** A kernel's entry point with its `override` constants (ROTATION = clockwise / 90, IN16 = 16-bit input). */
export interface KernelVariant {
  kernel: KernelName;
  entry: string;
  constants: Record<string, number>;
}

export function variantKey(v: KernelVariant): string {
  return `${v.kernel}.${v.entry}${Object.entries(v.constants).sort().map(([k, n]) => `:${k}=${n}`).join('')}`;
}

const FILES: Record<KernelName, ShaderName> = { resample: 'resample', copy: 'scale_copy' };

interface DeviceKernels {
  modules: Map<KernelName, Promise<GPUShaderModule>>;
  pipelines: Map<string, Promise<GPUComputePipeline>>;
}

const cache = new WeakMap<GPUDevice, DeviceKernels>();

function remember<K, V>(map: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let value = map.get(key);
  if (!value) {
    value = make();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}

function pipeline(device: GPUDevice, v: KernelVariant, load: ShaderLoader): Promise<GPUComputePipeline> {
  let kernels = cache.get(device);
  if (!kernels) {
    kernels = { modules: new Map(), pipelines: new Map() };
    cache.set(device, kernels);
  }
  const { modules, pipelines } = kernels;
  const key = variantKey(v);
  return remember(pipelines, key, async () => {
    const module = await remember(modules, v.kernel, async () =>
      device.createShaderModule({ label: `scale ${v.kernel} shader`, code: await kernelSource(load, FILES[v.kernel]) }));
    return device.createComputePipelineAsync({
      label: `scale ${key} pipeline`,
      layout: 'auto',
      compute: { module, entryPoint: v.entry, constants: v.constants },
    });
  });
}

/** Resolves every requested variant, keyed by variantKey(); `load` reads the WGSL files (the runtime's loadShader). */
export async function loadKernels(device: GPUDevice, variants: readonly KernelVariant[], load: ShaderLoader): Promise<Map<string, GPUComputePipeline>> {
  const keys = [...new Set(variants.map(variantKey))];
  const built = await Promise.all(keys.map((k) => pipeline(device, variants.find((v) => variantKey(v) === k)!, load)));
  return new Map(keys.map((k, i) => [k, built[i]!]));
}

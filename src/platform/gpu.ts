// WebGPU device acquisition, the same call in browsers and Deno.
import { TranscodeError } from '../errors.ts';

export async function requestGpuDevice(label = 'ladder-engine'): Promise<GPUDevice> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new TranscodeError('Cannot scale: WebGPU (navigator.gpu) is not available in this runtime');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new TranscodeError('Cannot scale: no WebGPU adapter was found');
  return adapter.requestDevice({ label });
}

export function defaultLeaseCount(): number {
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 2;
  return Math.max(1, cores - 1);
}

// WebGPU adapters and devices (the same calls in browsers and Deno, on the runtime's `gpu`), and
// the default lease count, from the runtime's cores and lease mode.
import { TranscodeError } from '../errors.ts';
import type { AdapterInfo, Runtime } from '../types/mod.ts';

export type { AdapterInfo } from '../types/mod.ts';

export interface FoundAdapter {
  info: AdapterInfo;
  adapter: GPUAdapter;
}

/**
 * The adapters a runtime's WebGPU (`gpu`, its navigator.gpu) offers. Browsers expose at most one
 * per power preference, so both are asked for and duplicates dropped.
 */
export async function listAdapters(gpu: GPU | null): Promise<FoundAdapter[]> {
  if (!gpu) return [];
  const found: FoundAdapter[] = [];
  const seen = new Set<string>();
  for (const powerPreference of ['high-performance', 'low-power'] as const) {
    const adapter = await gpu.requestAdapter({ powerPreference }).catch(() => null);
    if (!adapter) continue;
    const i = adapter.info;
    const key = `${i.vendor}|${i.architecture}|${i.device}|${i.description}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({
      adapter,
      info: {
        index: found.length,
        vendor: i.vendor,
        architecture: i.architecture,
        description: i.description,
        isFallback: (i as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
      },
    });
  }
  return found;
}

export async function requestGpuDevice(adapter: GPUAdapter | null, label = 'ladder-engine'): Promise<GPUDevice> {
  if (!adapter) throw new TranscodeError('Cannot scale: WebGPU (navigator.gpu) has no adapter in this runtime');
  return adapter.requestDevice({ label });
}

/**
 * Software encoder leases when the caller names none: max(2, min(rungs, cores)). At least 2, so one
 * lease's encoder start-up and flush overlap another's frames, and rung chunks do not queue behind
 * one encoder; no more than one per core, since each software encoder keeps a core busy; no more
 * than one per rung, since beyond that a lease finds work only once whole chunks pile up. On the
 * 2-core reference machine, where scaling bounds the wall time, 2 leases were within run-to-run
 * noise of 1 and 3 or 4 gained nothing (README, "The default `leases`"). Without a rung count (an
 * engine's shared budget) it is max(2, cores).
 *
 * Where leases run inline (Deno, whose node-av lives in one isolate: its runtime's leaseMode) the
 * default is min(2, cores, rungs): SVT-AV1 threads itself (more than two sessions were not measured),
 * but the second overlaps one chunk's encoder start and drain with another's frames (about
 * 2 s per 1080p chunk that does not grow with its frames): `npm run bench:deno-ladder -- --leases
 * 1,2` on video.mp4, 2 cores, 2026-12-07 21:08: 27.8 s with 2 against 34.1 s with 1.
 */
export function defaultLeaseCount(runtime: Pick<Runtime, 'cores' | 'leaseMode'>, rungs?: number): number {
  if (runtime.leaseMode === 'inline') return Math.max(1, Math.min(2, runtime.cores, rungs ?? 2));
  const cores = runtime.cores;
  return Math.max(2, rungs === undefined ? cores : Math.min(rungs, cores));
}

// Times the scaler on one frame, the same way in a page and under Deno, for `npm run bench:scale`:
// milliseconds per frame one at a time (latency) and with several frames in flight (throughput, as
// the engine feeds it). Not used by the engine itself.
import { browserRuntime } from '../platform/browser.ts';
import { Scaler } from './scaler.ts';
import type { ScaleTarget } from './scaler.ts';
import type { Runtime, SourcePlanes } from '../types/mod.ts';

export interface ScaleTiming {
  adapter: string;
  sequentialMs: number;
  pipelinedMs: number;
  inFlight: number;
  frames: number;
}

/** `frame` is a tightly packed I420 picture of width x height. */
export async function measureScaler(
  frame: Uint8Array, width: number, height: number, fullRange: boolean, targets: ScaleTarget[],
  { runtime = browserRuntime(), frames = 16, inFlight = 4 }: { runtime?: Pick<Runtime, 'gpu' | 'loadShader'>; frames?: number; inFlight?: number } = {},
): Promise<ScaleTiming> {
  const adapter = await runtime.gpu?.requestAdapter() ?? null;
  if (!adapter) throw new Error('Cannot time the scaler: no WebGPU adapter');
  const device = await adapter.requestDevice({ label: 'scale timing' });
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const src: SourcePlanes = {
    format: 'I420', width, height, data: frame, fullRange,
    layout: [{ offset: 0, stride: width }, { offset: width * height, stride: cw }, { offset: width * height + cw * ch, stride: cw }],
  };
  const scaler = await Scaler.create(device, runtime.loadShader);
  try {
    await scaler.scale(src, targets); // builds the plan and compiles the kernels
    let t0 = performance.now();
    for (let i = 0; i < frames; i++) await scaler.scale(src, targets);
    const sequentialMs = (performance.now() - t0) / frames;
    t0 = performance.now();
    const running = new Set<Promise<unknown>>();
    for (let i = 0; i < frames; i++) {
      const p: Promise<unknown> = scaler.scale(src, targets).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= inFlight) await Promise.race(running);
    }
    await Promise.all(running);
    const pipelinedMs = (performance.now() - t0) / frames;
    const info = adapter.info;
    return { adapter: info.description || `${info.vendor} ${info.architecture}`.trim() || 'unknown', sequentialMs, pipelinedMs, inFlight, frames };
  } finally {
    scaler.destroy();
    device.destroy();
  }
}

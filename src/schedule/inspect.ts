// Hardware inspection: WebGPU adapters, core count, and which codecs encode in hardware and in
// software at each rung size. A plain JSON-able report, shared by the CLI, the demo and the pool.
import { browserRuntime } from '../platform/browser.ts';
import { listAdapters } from '../platform/gpu.ts';
import type { EncodeSupport, HardwareReport, Runtime } from '../types/mod.ts';
import { av1CodecStringFor } from '../av1/level.ts';

export type { EncodeSupport, HardwareReport } from '../types/mod.ts';

const SIZES: ReadonlyArray<[number, number]> = [[1920, 1080], [1280, 720], [854, 480], [640, 360]];

function codecsFor(width: number, height: number): string[] {
  return [av1CodecStringFor({ width, height, frameRate: 30 }), 'vp09.00.40.08', 'avc1.640028'];
}

async function supported(VideoEncoder: typeof globalThis.VideoEncoder | undefined, codec: string, width: number, height: number, hardwareAcceleration: HardwareAcceleration): Promise<boolean> {
  if (!VideoEncoder) return false;
  const r = await VideoEncoder.isConfigSupported({ codec, width, height, bitrate: 2e6, framerate: 30, hardwareAcceleration }).catch(() => null);
  return r?.supported === true;
}

/** What `runtime` offers (a runtime without WebCodecs reports no encoder). Default: the browser runtime. */
export async function inspectHardware(runtime: Runtime = browserRuntime()): Promise<HardwareReport> {
  const adapters = (await listAdapters(runtime.gpu)).map((a) => a.info);
  const encoder = runtime.codecs?.VideoEncoder;
  const encode: EncodeSupport[] = [];
  for (const [width, height] of SIZES) {
    for (const codec of codecsFor(width, height)) {
      const [hardware, software] = await Promise.all([
        supported(encoder, codec, width, height, 'prefer-hardware'),
        supported(encoder, codec, width, height, 'prefer-software'),
      ]);
      encode.push({ codec, width, height, hardware, software });
    }
  }
  return { adapters, cores: runtime.cores, encode };
}

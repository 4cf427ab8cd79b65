// probe(): the hardware inspection report under Deno (WebGPU adapters, cores, the codec × size
// matrix from the same inspectHardware() as browsers), plus the FFmpeg encoders node-av has for AV1
// and whether each actually opens at 1080p (hardware is detected this way). `deno task probe`
// prints it as JSON.
import { inspectHardware } from '../../schedule/inspect.ts';
import type { HardwareReport } from '../../types/mod.ts';
import { encoderCandidates } from './codecs.ts';
import { opensFor } from './encoder.ts';
import { denoRuntime } from './runtime.ts';

export interface EncoderProbe {
  /** FFmpeg's encoder name, e.g. "libsvtav1". */
  name: string;
  hardware: boolean;
  opens: boolean;
}

export interface ProbeReport extends HardwareReport {
  /** "deno 2.x.y". */
  runtime: string;
  encoders: EncoderProbe[];
}

export async function probe(): Promise<ProbeReport> {
  const report = await inspectHardware(denoRuntime());
  const encoders: EncoderProbe[] = [];
  for (const hardware of [true, false]) {
    for (const spec of encoderCandidates('av01.0.08M.08', hardware)) {
      const opens = await opensFor(spec, { codec: 'av01.0.08M.08', width: 1920, height: 1080, bitrate: 4e6, framerate: 30 });
      encoders.push({ name: spec.name, hardware, opens });
    }
  }
  return { runtime: `deno ${Deno.version.deno}`, ...report, encoders };
}

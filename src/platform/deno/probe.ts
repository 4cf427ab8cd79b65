// `deno task probe`: the hardware inspection report under Deno as one JSON document: WebGPU
// adapters, the FFmpeg encoders node-av has and whether each actually opens, and the engine's
// codec × size matrix (hardware and software support), from the same inspectHardware() as browsers.
import './install.ts';
import { inspectHardware } from '../../schedule/inspect.ts';
import { encoderCandidates } from './codecs.ts';
import { opensFor } from './encoder.ts';

const report = await inspectHardware();
// Each encoder the engine could use for AV1, opened on its own at 1080p (hardware is detected this way).
const encoders = [];
for (const hardware of [true, false]) {
  for (const spec of encoderCandidates('av01.0.08M.08', hardware)) {
    const opens = await opensFor(spec, { codec: 'av01.0.08M.08', width: 1920, height: 1080, bitrate: 4e6, framerate: 30 });
    encoders.push({ name: spec.name, hardware, opens });
  }
}
console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, ...report, encoders }, null, 2));
Deno.exit(0);

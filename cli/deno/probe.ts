// `deno task probe`: the hardware inspection report under Deno as one JSON document: WebGPU
// adapters, the FFmpeg encoders node-av has and whether each actually opens, and the engine's
// codec × size matrix (hardware and software support), from the same inspectHardware() as browsers.
// The report is the Deno entry's probe().
import { probe } from '../../src/platform/deno/mod.ts';

console.log(JSON.stringify(await probe(), null, 2));
Deno.exit(0);

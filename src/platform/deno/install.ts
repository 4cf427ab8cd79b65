// Side-effect entry: importing this module prepares Deno for the engine: a runtime directory for
// WebGPU's Vulkan loader (runtime-dir.ts) and the WebCodecs globals (webcodecs.ts).
import { ensureRuntimeDir } from './runtime-dir.ts';
import { installWebCodecs } from './webcodecs.ts';

ensureRuntimeDir();
installWebCodecs();

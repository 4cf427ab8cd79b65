// The Deno entry of the package (`ladder-engine/deno`): importing it installs the WebCodecs classes
// over node-av and prepares WebGPU's runtime directory (install.ts), and it exports the file input
// and output a Deno script needs. The engine itself is the main entry (`ladder-engine`).
import './install.ts';

export { DenoFileTarget } from './file-target.ts';
export { openFileReader } from './file-source.ts';

// Side-effect entry: importing this module installs the Deno WebCodecs globals (see webcodecs.ts).
import { installWebCodecs } from './webcodecs.ts';

installWebCodecs();

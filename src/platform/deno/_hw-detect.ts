// Child process of hardwareEncoders() (encoder.ts): opens each AV1 hardware encoder FFmpeg has
// and prints the names that opened, as a JSON array. A crash here costs only this process.
import { Log } from 'node-av/lib';
import { AV_LOG_QUIET } from 'node-av/constants';
import { encoderCandidates } from './codecs.ts';
import { opensSync } from './encoder.ts';

Log.setLevel(AV_LOG_QUIET);
console.log(JSON.stringify(encoderCandidates('av01.0.05M.08', true).filter((spec) => opensSync(spec)).map((s) => s.name)));
Deno.exit(0);

// `deno task worker --nats nats://HOST:PORT [--leases N] [--policy ...]`: a segment worker on this
// machine (src/distributed/worker.ts), until Ctrl-C or SIGTERM. Progress lines go to stderr.
import { parseArgs } from 'node:util';
import { loadDistributed, openFileReader } from '../../src/platform/deno/mod.ts';

const { SegmentWorker } = await loadDistributed();

const USAGE = `usage: deno task worker --nats nats://HOST:PORT [--leases N] [--policy all|software|...] [--id NAME]

Pulls segments of ladder jobs from NATS JetStream, decodes each once, scales it to every rung and
encodes each rung's chunk on N encoder leases (default 1), and stores the chunks in the job's
object store. Runs until Ctrl-C (SIGINT) or SIGTERM.`;

function main(): Promise<number> | number {
  let v;
  try {
    v = parseArgs({
      args: Deno.args,
      options: {
        nats: { type: 'string' }, leases: { type: 'string' }, policy: { type: 'string' }, id: { type: 'string' },
        // Test-only: encode with another colour description, so this worker's chunks break the rung contract.
        'test-force-colour': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 2;
  }
  if (v.help) { console.log(USAGE); return 0; }
  if (!v.nats) { console.error('error: missing --nats nats://HOST:PORT'); return 2; }
  const leases = v.leases === undefined ? undefined : Number(v.leases);
  if (leases !== undefined && (!Number.isInteger(leases) || leases < 1)) { console.error(`error: bad --leases ${JSON.stringify(v.leases)}: expected a positive integer`); return 2; }
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener('SIGINT', stop);
  Deno.addSignalListener('SIGTERM', stop);
  const worker = new SegmentWorker({
    nats: v.nats, openPath: openFileReader, leases, policy: v.policy, id: v.id, signal: controller.signal,
    log: (line) => console.error(line),
    ...(v['test-force-colour'] ? { colorOverride: { primaries: 'bt470bg', transfer: 'smpte170m', matrix: 'bt470bg', fullRange: false } } : {}),
  });
  return worker.run().then(() => 0);
}

let code: number;
try {
  code = await main();
} catch (err) {
  console.error(`error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  code = 1;
}
Deno.exit(code);

// `deno task worker --nats nats://HOST:PORT [--leases N] [--policy ...]`: a segment worker on this
// machine (src/distributed/worker.ts), until Ctrl-C or SIGTERM. Progress lines go to stderr.
import { denoRuntime, loadDistributed, openFileReader } from '../../src/platform/deno/mod.ts';
import { formatHelp, parseCommandLine } from '../../src/mod.ts';

const { SegmentWorker } = await loadDistributed();
// Made first, at start-up, before the signal handlers: its one-time hardware-encoder probe runs a
// child process synchronously (src/platform/deno/encoder.ts), and a signal then would wait for it.
const runtime = denoRuntime();

// The flags and their bounds come from the option schema (src/options.ts), shared with the CLIs.
const USAGE = formatHelp('worker', `Pulls segments of ladder jobs from NATS JetStream, decodes each once, scales it to every rung and
encodes each rung's chunk on N encoder leases (default 1), and stores the chunks in the job's
object store. Runs until Ctrl-C (SIGINT) or SIGTERM.`);

function main(): Promise<number> | number {
  let parsed;
  try {
    parsed = parseCommandLine('worker', Deno.args);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 2;
  }
  if (parsed.help) { console.log(USAGE); return 0; }
  const { leases, policy } = parsed.options;
  const v = { nats: parsed.flags.nats as string | undefined, id: parsed.flags.id as string | undefined, 'test-force-colour': parsed.flags['test-force-colour'] === true };
  if (!v.nats) { console.error('error: missing --nats nats://HOST:PORT'); return 2; }
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener('SIGINT', stop);
  Deno.addSignalListener('SIGTERM', stop);
  const worker = new SegmentWorker({
    nats: v.nats, runtime, openPath: openFileReader, leases, policy, id: v.id, signal: controller.signal,
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

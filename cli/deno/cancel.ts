// `deno task cancel JOB --nats nats://HOST:PORT`: cancels a distributed job everywhere (its state
// in KV, its queued segments, its object store); workers drop its segments within seconds.
import { parseArgs } from 'node:util';
import { loadDistributed } from '../../src/platform/deno/mod.ts';

const { cancelJob, isJobId, openCluster } = await loadDistributed();

let code = 0;
try {
  const { values: v, positionals } = parseArgs({ args: Deno.args, allowPositionals: true, options: { nats: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const job = positionals[0];
  if (!job || !isJobId(job)) throw new TypeError(`usage: deno task cancel JOB --nats nats://HOST:PORT (got ${JSON.stringify(job ?? null)})`);
  if (!v.nats) throw new TypeError('missing --nats nats://HOST:PORT');
  const c = await openCluster(v.nats, 'ladder-cancel');
  try {
    const r = await cancelJob(c, job, 'cancelled by deno task cancel');
    console.error(`cancelled job ${job}: ${r.purged} queued segments purged, object store ${r.storeRemoved ? 'removed' : 'already gone'}`);
    if (v.json) console.log(JSON.stringify({ job, ...r }));
  } finally {
    await c.close();
  }
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  code = 1;
}
Deno.exit(code);

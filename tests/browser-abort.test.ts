// Acceptance for abort at any point in Chromium: an AbortSignal fired at 20 seeded moments of a
// job (spread over its demux, decode, encode and mux phases, MP4 and HLS alike) settles within 1 s
// with an AbortError, leaves no VideoFrame open and no encoder worker alive, and leaves no output
// that looks complete: every file at a final path is a whole rung that ffmpeg decodes in full,
// and there is no HLS master playlist. Prints the table: seed → abort time → phase → settle.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { JobReply, JobRequest } from '../tools/harness.ts';
import { prng } from './corpus/make.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount } from './lib/media.ts';

const SOURCE = join(MEDIA, 'frames.webm');
const FRAMES = 100;
const POINTS = 20;
/** The acceptance's settle bound, measured in the page from abort() to the promise settling. */
const SETTLE_MS = 1000;

/** What the job was doing when it was aborted: the last progress event before the abort. */
function phase(reply: JobReply, atMs: number): string {
  const before = reply.events.filter((e) => e.t <= atMs);
  const last = before.at(-1);
  if (!last) return 'demux';
  if (last.type === 'decode') return `decode ${last.frames}/${FRAMES}`;
  if (last.type === 'rung-completed' || (last.type === 'chunk-done' && reply.events.some((e) => e.type === 'chunk-done' && e.t > atMs) === false && before.filter((e) => e.type === 'chunk-done').length >= 4)) return `mux/${last.type}`;
  return last.type;
}

describe('abort at any point in Chromium', () => {
  let browser: Browser;
  let fullMs = 0;
  const table: string[] = [];

  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
  });
  after(async () => {
    console.log(`\nseed format abort@ms  phase                 settle ms  outcome\n${table.join('\n')}`);
    await browser?.close();
  });

  async function job(req: Omit<JobRequest, 'inputUrl' | 'uploadBase'>, out: string): Promise<JobReply> {
    const server = await serve({ inputPath: SOURCE, outDir: out });
    try {
      const { page, errors } = await openHarness(browser, server.origin);
      const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ...req });
      assert.deepEqual(errors.pageErrors, [], 'no uncaught page error');
      await page.close();
      return reply;
    } finally {
      await server.close();
    }
  }

  it('an unaborted job completes (the time base for the abort points)', async () => {
    const reply = await job({ ladder: [360, 240], leases: 2, chunkSeconds: 1 }, tempDir('abort-full'));
    assert.equal(reply.ok, true, reply.error?.message);
    assert.equal(reply.liveWorkers, 0);
    fullMs = reply.wallMs;
    console.log(`unaborted job: ${fullMs.toFixed(0)} ms`);
  });

  it(`${POINTS} seeded abort points settle within ${SETTLE_MS} ms with AbortError, no open frame, no live worker, no incomplete output`, async () => {
    assert.ok(fullMs > 0);
    const rand = prng(42);
    const problems: string[] = [];
    let aborted = 0;
    for (let seed = 0; seed < POINTS; seed++) {
      const format = seed % 2 === 0 ? 'mp4' : 'hls';
      // Within the first 80% of the unaborted run's time: later runs are warm and may finish sooner.
      const at = Math.round(rand() * 0.8 * fullMs);
      const out = tempDir('abort-at');
      const reply = await job({ ladder: [360, 240], leases: 2, chunkSeconds: 1, format, abortAfterMs: at }, out);
      const where = phase(reply, at);
      const outcome = reply.ok ? 'completed before the abort' : `${reply.error!.name}`;
      table.push(`${String(seed).padEnd(4)} ${format.padEnd(6)} ${String(at).padStart(7)}  ${where.padEnd(21)} ${reply.abortLatencyMs === undefined ? '-'.padStart(9) : reply.abortLatencyMs.toFixed(0).padStart(9)}  ${outcome}`);
      const p = (m: string) => problems.push(`seed ${seed} (${format}, abort at ${at} ms, ${where}): ${m}`);
      if (reply.openFrames !== 0) p(`${reply.openFrames} VideoFrames open`);
      if (reply.liveWorkers !== 0) p(`${reply.liveWorkers} encoder workers alive`);
      if (reply.ok) {
        // The abort came after the job finished: a whole, verified output.
        for (const r of reply.rungs!) if (format === 'mp4' && dav1dFrameCount(join(out, r.file)) !== FRAMES) p(`${r.file} incomplete`);
        continue;
      }
      aborted++;
      if (reply.error!.name !== 'AbortError') p(`rejected with ${reply.error!.name}: ${reply.error!.message}`);
      if (reply.abortLatencyMs === undefined || reply.abortLatencyMs > SETTLE_MS) p(`settled ${reply.abortLatencyMs?.toFixed(0)} ms after abort()`);
      if (reply.events.some((e) => e.type === 'job-done')) p('job-done reported');
      if (existsSync(join(out, 'master.m3u8'))) p('an HLS master playlist was written by an aborted job');
      const files = existsSync(out) ? readdirSync(out, { recursive: true }).map(String) : [];
      if (files.some((f) => f.endsWith('.partial'))) p('a partial upload was left behind');
      for (const f of files.filter((x) => x.endsWith('.mp4') && !x.includes('/'))) {
        const completed = reply.events.some((e) => e.type === 'rung-completed' && e.files.includes(f));
        if (!completed) p(`${f} exists but its rung never completed`);
        else if (dav1dFrameCount(join(out, f)) !== FRAMES) p(`${f} is at its final path but incomplete`);
      }
    }
    assert.deepEqual(problems, []);
    // The test's subject is aborting a running job: most points must land inside one.
    assert.ok(aborted >= 15, `only ${aborted} of ${POINTS} abort points aborted a running job`);
  });
});

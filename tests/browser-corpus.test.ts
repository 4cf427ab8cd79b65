// Acceptance for the bad-input corpus in Chromium (tests/corpus/make.ts builds it): every file
// ends either in a complete output that libdav1d decodes with the frame count the engine reports
// (every rung agreeing), or in a typed error that names the problem within 10 s. Never a hang, an
// uncaught page error, an open VideoFrame, a live encoder worker, or a rung reported complete by a
// failed job. Prints the
// table: input → outcome → time to settle.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { JobReply, PageErrors } from '../tools/harness.ts';
import { TYPED_ERRORS, expectedOutcome, makeCorpus, selected } from './corpus/make.ts';
import type { CorpusEntry } from './corpus/make.ts';
import { tempDir } from './lib/cli.ts';
import { dav1dFrameCount } from './lib/media.ts';

const TYPED = new RegExp(`^(${TYPED_ERRORS.join('|')})$`);
/** The verdict deadline for a failing input; also the hang guard for a run that never settles. */
const ERROR_DEADLINE_MS = 10_000;
const RUN_GUARD_MS = 120_000;

function guard<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what}: did not settle within ${ms} ms (hang)`)), ms))]);
}

describe('bad-input corpus in Chromium', () => {
  const dir = tempDir('corpus');
  let corpus: CorpusEntry[] = [];
  let browser: Browser;
  let page: Page;
  let errors: PageErrors;
  const table: string[] = [];

  before(async () => {
    corpus = selected(makeCorpus(dir));
    await ensureBuild();
    browser = await launchChromium();
  });
  after(async () => {
    console.log(`\n${'input'.padEnd(24)} ${'outcome'.padEnd(40)} settle\n${table.join('\n')}`);
    await browser?.close();
  });

  it('every corpus file ends in a verified complete output or a typed error in time', async () => {
    if (!process.env.CORPUS_ONLY) assert.ok(corpus.length >= 28, `corpus has ${corpus.length} files`);
    const failures: string[] = [];
    for (const entry of corpus) {
      const out = tempDir('corpus-out');
      const server = await serve({ inputPath: entry.file, outDir: out });
      try {
        ({ page, errors } = await openHarness(browser, server.origin));
        const reply: JobReply = await guard(RUN_GUARD_MS, runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder: [240, 144], leases: 2, chunkSeconds: 1 }), entry.name);
        const problems = check(entry, reply, out, errors);
        const outcome = reply.ok
          ? `ok: ${reply.rungs!.map((r) => `${r.width}x${r.height}`).join(',')} ${reply.rungs![0]!.frames} frames${skipped(reply) ? `, ${skipped(reply)} skipped` : ''}`
          : `${reply.error!.name}`;
        table.push(`${entry.name.padEnd(24)} ${outcome.padEnd(40)} ${(reply.wallMs / 1000).toFixed(2)} s${reply.ok ? '' : `  (${reply.error!.message.slice(0, 90)})`}`);
        for (const p of problems) failures.push(`${entry.name}: ${p}`);
      } catch (err) {
        table.push(`${entry.name.padEnd(24)} ${'HANG/CRASH'.padEnd(40)} -`);
        failures.push(`${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await page?.close().catch(() => {});
        await server.close();
      }
    }
    assert.deepEqual(failures, []);
  });
});

function skipped(reply: JobReply): number {
  return (reply.stats as { skippedFrames?: number } | undefined)?.skippedFrames ?? 0;
}

/** Everything wrong with one run, by the corpus rule. */
function check(entry: CorpusEntry, reply: JobReply, out: string, errors: PageErrors): string[] {
  const problems: string[] = [];
  const outcome = reply.ok ? 'ok' : reply.error!.name;
  const expected = expectedOutcome(entry.name, 'chromium');
  if (!expected.test(outcome)) problems.push(`expected ${expected}, got ${outcome}${reply.ok ? '' : `: ${reply.error!.message}`}`);
  if (reply.openFrames !== 0) problems.push(`${reply.openFrames} VideoFrames left open`);
  if (reply.liveWorkers !== 0) problems.push(`${reply.liveWorkers} encoder workers still alive`);
  if (errors.pageErrors.length) problems.push(`uncaught page errors: ${errors.pageErrors.join('; ')}`);
  if (entry.name === 'no-key-first.mp4' && reply.ok && !(skipped(reply) > 0)) problems.push('frames before the first key frame were not reported as skipped');
  if (entry.name === 'two-video.mp4') {
    const start = reply.events.find((e) => e.type === 'job-start');
    const notices = start?.type === 'job-start' ? start.notices : [];
    if (!notices.some((n) => /2 video tracks/.test(n))) problems.push(`no notice that only one of 2 video tracks is used: ${JSON.stringify(notices)}`);
  }
  if (reply.ok) {
    const rungs = reply.rungs ?? [];
    if (rungs.length === 0) problems.push('ok with no rungs');
    const frames = new Set(rungs.map((r) => r.frames));
    if (frames.size !== 1) problems.push(`rungs disagree on the frame count: ${[...frames].join(', ')}`);
    const decoded = (reply.stats as { decodedFrames?: number }).decodedFrames;
    for (const r of rungs) {
      if (r.frames !== decoded) problems.push(`${r.label}p: ${r.frames} frames written, ${decoded} decoded`);
      const file = join(out, r.file);
      if (!existsSync(file)) { problems.push(`${r.label}p: ${r.file} missing`); continue; }
      try {
        const n = dav1dFrameCount(file);
        if (n !== r.frames) problems.push(`${r.label}p: libdav1d decodes ${n} frames, the engine reports ${r.frames}`);
      } catch (err) {
        problems.push(`${r.label}p: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } else {
    if (!TYPED.test(reply.error!.name)) problems.push(`untyped error ${reply.error!.name}: ${reply.error!.message}`);
    if (reply.error!.message.length < 15) problems.push(`the message does not name the problem: "${reply.error!.message}"`);
    if (reply.wallMs > ERROR_DEADLINE_MS) problems.push(`the error came after ${reply.wallMs.toFixed(0)} ms (limit ${ERROR_DEADLINE_MS})`);
    const completed = reply.events.filter((e) => e.type === 'rung-completed').length;
    if (completed) problems.push(`${completed} rungs reported complete by a failed job`);
  }
  return problems;
}

// Acceptance: bad inputs reject quickly with a typed error naming the problem, and leave no
// VideoFrame open. Runs the harness in one Chromium page; the CLI's error exit is checked too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { PageErrors, Served } from '../tools/harness.ts';
import { runCli, tempDir } from './lib/cli.ts';
import { MEDIA } from './lib/media.ts';

const dir = tempDir('bad');
const files = {
  empty: join(dir, 'empty.mp4'),
  audioOnly: join(dir, 'audio-only.m4a'),
  truncated: join(dir, 'truncated.mp4'),
  text: join(dir, 'text.mp4'),
};

/** A hang guard, not a speed assertion: the acceptance asks for a verdict within 10 s. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what}: no verdict within ${ms} ms`)), ms))]);
}

describe('bad inputs in Chromium', () => {
  let browser: Browser;
  const jobs: Array<{ name: string; file: string; expect: RegExp }> = [
    { name: 'an empty file', file: files.empty, expect: /^CorruptInputError$/ },
    { name: 'a text file named .mp4', file: files.text, expect: /^CorruptInputError$/ },
    { name: 'a file with no video track', file: files.audioOnly, expect: /^NoVideoTrackError$/ },
    { name: 'the first 30% of video.mp4', file: files.truncated, expect: /^CorruptInputError$/ },
  ];

  before(async () => {
    writeFileSync(files.empty, new Uint8Array(0));
    writeFileSync(files.text, 'this is not a video\n'.repeat(50));
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'aac', '-y', files.audioOnly]);
    const full = readFileSync(join(MEDIA, 'video.mp4'));
    writeFileSync(files.truncated, full.subarray(0, Math.floor(full.length * 0.3)));
    await ensureBuild();
    browser = await launchChromium();
  });
  after(async () => { await browser?.close(); });

  for (const job of jobs) {
    it(`rejects ${job.name} with a typed error and no open frames`, async () => {
      let server: Served | null = null;
      let page: Page | null = null;
      let errors: PageErrors | null = null;
      try {
        server = await serve({ inputPath: job.file, outDir: tempDir('bad-out') });
        ({ page, errors } = await openHarness(browser, server.origin));
        const reply = await within(10_000, runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder: [360] }), job.name);
        assert.equal(reply.ok, false, 'the job must fail');
        assert.match(reply.error!.name, job.expect, `error ${reply.error!.name}: ${reply.error!.message}`);
        assert.ok(reply.error!.message.length > 10, 'the message names the problem');
        assert.equal(reply.openFrames, 0, 'no VideoFrame left open');
        assert.equal(reply.events.filter((e) => e.type === 'rung-completed').length, 0, 'no rung reported complete');
        assert.deepEqual(errors.pageErrors, [], 'no uncaught page error');
      } finally {
        await page?.close();
        await server?.close();
      }
    });
  }

  it('the CLI exits non-zero with a readable message', async () => {
    const r = await runCli([files.audioOnly, '--out', tempDir('bad-cli')], 120_000);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error: NoVideoTrackError: .*no video track/i);
    const missing = await runCli([join(dir, 'does-not-exist.mp4'), '--out', dir], 60_000);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /input file not found/);
  });

  it('a file that cannot be written (a folder where master.m3u8 goes) fails the CLI by name, and leaves none of the files the job wrote', async () => {
    const out = tempDir('bad-cli-write');
    mkdirSync(join(out, 'master.m3u8'));
    writeFileSync(join(out, 'master.m3u8', 'keep'), 'not the engine\'s');
    // HLS writes every rung's segments and playlists first, then the master: all of them land before the failure.
    const r = await runCli([join(MEDIA, 'video.mp4'), '--out', out, '--format', 'hls', '--ladder', '144', '--leases', '1', '--chunk-seconds', '1'], 240_000);
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    assert.match(r.stderr, /error: .*Upload of master\.m3u8 failed: HTTP 500: cannot write .*master\.m3u8: /);
    assert.match(r.stderr, /rung 144p done/, 'the rung was written before the master failed');
    const left = readdirSync(out, { recursive: true }).map(String).sort();
    assert.deepEqual(left, ['master.m3u8', join('master.m3u8', 'keep')], 'only what was there before the job');
  });
});

describe('cancellation in Chromium', () => {
  it('an AbortSignal mid-decode rejects with AbortError, closes every frame, and a next job completes', async () => {
    await ensureBuild();
    const browser = await launchChromium();
    const server = await serve({ inputPath: join(MEDIA, 'video.mp4'), outDir: tempDir('abort') });
    try {
      const { page, errors } = await openHarness(browser, server.origin);
      const base = { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/` };
      const aborted = await within(30_000, runJob(page, { ...base, ladder: [1080, 360], leases: 2, abortAfterFrames: 30 }), 'abort');
      assert.equal(aborted.ok, false);
      assert.equal(aborted.error!.name, 'AbortError');
      assert.equal(aborted.openFrames, 0, 'no VideoFrame left open');
      assert.equal(aborted.events.filter((e) => e.type === 'rung-completed').length, 0, 'nothing reported complete');
      console.log(`abort settled ${aborted.abortLatencyMs?.toFixed(0)} ms after abort()`);
      const next = await runJob(page, { ...base, ladder: [360] });
      assert.equal(next.ok, true, next.error?.message);
      assert.equal(next.openFrames, 0);
      assert.deepEqual(errors.pageErrors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

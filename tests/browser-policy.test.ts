// Encode policies and hardware inspection in Chromium: a policy that selects no adapter fails with
// EmptyPoolError before any decoding, and the inspection report describes the real adapter.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { Served } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA } from './lib/media.ts';

describe('policies and inspection in Chromium', () => {
  let browser: Browser;
  let server: Served;
  let page: Page;

  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
    server = await serve({ inputPath: join(MEDIA, 'sar_2x1.mp4'), outDir: tempDir('policy') });
    ({ page } = await openHarness(browser, server.origin));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('inspectHardware reports the WebGPU adapter, cores, and AV1 software encoding', async () => {
    const report = await page.evaluate(() => window.inspectHardware());
    assert.ok(report.adapters.length >= 1);
    assert.equal(report.adapters[0]!.vendor, 'google', 'SwiftShader here');
    assert.ok(report.cores >= 1);
    const av1 = report.encode.filter((e) => e.codec.startsWith('av01'));
    assert.equal(av1.length, 4, 'one AV1 entry per rung size');
    assert.ok(av1.every((e) => e.software), 'software AV1 encoding works at every size');
    JSON.parse(JSON.stringify(report)); // plain JSON
  });

  for (const policy of ['adapter:7', 'family:nvidia']) {
    it(`policy ${policy} selects no adapter: EmptyPoolError before decoding`, async () => {
      const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder: [360], policy });
      assert.equal(reply.ok, false);
      assert.equal(reply.error!.name, 'EmptyPoolError');
      assert.match(reply.error!.message, new RegExp(policy));
      assert.deepEqual(reply.events, [], 'no job-start, no decode event');
    });
  }

  it('a malformed policy is a TypeError naming the option', async () => {
    const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, policy: 'gpu-please' });
    assert.equal(reply.error?.name, 'TypeError');
    assert.match(reply.error!.message, /options\.policy/);
  });

  it("policy 'software' and 'adapter:0' both complete", async () => {
    for (const policy of ['software', 'adapter:0']) {
      const reply = await runJob(page, { inputUrl: `${server.origin}/input`, uploadBase: `${server.origin}/out/`, ladder: [360], policy });
      assert.equal(reply.ok, true, `${policy}: ${reply.error?.message}`);
      const start = reply.events.find((e) => e.type === 'job-start');
      assert.ok(start && start.type === 'job-start' && start.leases.length >= 1);
      if (policy === 'software') assert.ok(start.leases.every((l) => !l.hardware));
      const done = reply.events.find((e) => e.type === 'rung-completed');
      assert.ok(done && done.type === 'rung-completed');
      assert.equal(done.packetCount, done.frames, 'the event carries every packet of the rung');
      assert.equal(done.packetsOrdered, true, 'in presentation order');
    }
  });
});

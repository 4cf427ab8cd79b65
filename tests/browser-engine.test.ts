// Two real jobs at once over one engine in headless Chromium: both are placed by the default
// balancer (the second sees the first's load), run overlapping, and complete with outputs that
// libdav1d decodes frame-exact; the engine's load and leases are all released afterwards. And the
// CLI's --balancer: a balancer module bundled into the page gets every hook and is obeyed.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright';
import { ensureBuild, launchChromium, openHarness, runEngineJobs, serve } from '../tools/harness.ts';
import type { Served } from '../tools/harness.ts';
import { runCli, tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount, ffprobe, sourceFrameCount } from './lib/media.ts';

const INPUTS = [
  { file: 'edts.mp4', size: [640, 360] }, // 854x480 → 360p
  { file: 'sar_2x1.mp4', size: [1280, 360] }, // 640x360 at 2:1 SAR displays 1280x360 → 360p
] as const;

describe('one engine, two jobs at once in Chromium', () => {
  let browser: Browser;
  let server: Served;
  let page: Page;
  const out = tempDir('engine');

  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
    server = await serve({ outDir: out, mounts: { '/media/': MEDIA } });
    ({ page } = await openHarness(browser, server.origin));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('both complete frame-exact, overlapping, each placed with the loads it was decided on', async () => {
    const reply = await runEngineJobs(page, {
      jobs: INPUTS.map((input, i) => ({ inputUrl: `${server.origin}/media/${input.file}`, uploadBase: `${server.origin}/out/job${i}/`, ladder: [360] })),
    });
    assert.equal(reply.ok, true, JSON.stringify(reply.error ?? reply.jobs.map((j) => j.error)));
    assert.equal(reply.openFrames, 0, 'every VideoFrame was closed');

    const span = reply.jobs.map((j) => {
      const balanced = j.events.find((e) => e.type === 'job-balanced');
      const done = j.events.find((e) => e.type === 'job-done');
      assert.ok(balanced && balanced.type === 'job-balanced' && done);
      return { balanced, start: balanced.t, end: done.t };
    });
    // Overlap: each job was placed before the other finished.
    assert.ok(Math.max(...span.map((s) => s.start)) < Math.min(...span.map((s) => s.end)), `jobs ran one after the other: ${JSON.stringify(span.map((s) => [s.start, s.end]))}`);
    // The later decision saw the earlier job's load on the adapter it took.
    const [first, second] = [...span].sort((a, b) => a.start - b.start);
    assert.ok(first!.balanced.jobLoad !== null && first!.balanced.jobLoad > 0);
    const seen = second!.balanced.loads.find((l) => l.index === first!.balanced.adapter.index);
    assert.equal(seen?.load, first!.balanced.jobLoad, 'the second decision reports the first job\'s load');

    assert.equal(reply.reportWhileRunning?.jobs.length, 2, 'the report lists both running jobs');
    assert.deepEqual(reply.reportAfter?.jobs, []);
    assert.deepEqual(reply.reportAfter?.hardwareSessions, {});
    assert.equal(reply.reportAfter?.softwareLeases.inUse, 0);

    INPUTS.forEach((input, i) => {
      const job = reply.jobs[i]!;
      assert.equal(job.rungs?.length, 1);
      const rung = job.rungs![0]!;
      const file = join(out, `job${i}`, rung.file);
      const stream = ffprobe(file).streams.find((s) => s.codec_type === 'video');
      assert.equal(stream?.codec_name, 'av1');
      assert.deepEqual([stream?.width, stream?.height], [...input.size]);
      const frames = sourceFrameCount(join(MEDIA, input.file));
      assert.equal(rung.frames, frames, `${input.file}: frames written`);
      assert.equal(dav1dFrameCount(file), frames, `${input.file}: libdav1d frame count`);
    });
  });
});

describe('the browser CLI with --balancer', () => {
  it('runs the job through an engine with the bundled balancer: every hook in order, its answer honoured', async () => {
    const out = tempDir('cli-balancer');
    const fixture = resolve(import.meta.dirname, 'fixtures/balancer/logging.ts');
    const r = await runCli([join(MEDIA, 'sar_2x1.mp4'), '--out', out, '--ladder', '360', '--balancer', fixture, '--adapter-weights', '100']);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const hooks = r.stderr.split('\n').filter((l) => l.startsWith('balancer-hook: ')).map((l) => l.slice(15));
    assert.deepEqual(hooks, [
      'init {"adapterWeights":"100"}', 'onHardwareInspection adapters=1',
      'onJobCreate 1', 'onJobInit 1 rungs=360', 'onJobLoadBalance 1 -> 0', 'onJobDestroy 1 done',
    ]);
    const balanced = (r.summary as unknown as { balanced?: { adapter: number; softwareLeases: number; jobLoad: number } }).balanced;
    assert.equal(balanced?.adapter, 0);
    assert.equal(balanced?.softwareLeases, 3, 'the balancer asked for 3 software leases');
    // 640x360 at 30 fps decoded, one 1280x360 rung scaled (2:1 SAR), no hardware encoder: (decode + scale) ÷ 1000.
    assert.equal(balanced?.jobLoad, (640 * 360 * 30 + 1280 * 360 * 30) / 1000);
    assert.match(r.stderr, /job placed on adapter 0/);
    const rung = r.summary!.rungs[0]!;
    assert.equal(dav1dFrameCount(rung.file), sourceFrameCount(join(MEDIA, 'sar_2x1.mp4')));
  });
});

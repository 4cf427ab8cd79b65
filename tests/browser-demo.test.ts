// Acceptance for the demo pages (built by Vite, driven like a person would in Chromium): a full job
// from a picked file with playback, timeline and a zip checked by ffmpeg; cancel and a second job;
// the canvas frame-source example; a dropped non-video file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright';
import type { DemoJob } from '../demo/main.ts';
import type { FramesReport } from '../demo/frames.ts';
import { ensureBuild, launchChromium, serve } from '../tools/harness.ts';
import type { Served } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import { MEDIA, dav1dFrameCount, ffprobe, sourceFrameCount } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const JOB_TIMEOUT = 8 * 60_000;

interface Watched { page: Page; pageErrors: string[]; consoleErrors: string[] }

async function open(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage();
  const w: Watched = { page, pageErrors: [], consoleErrors: [] };
  page.on('pageerror', (e) => w.pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') w.consoleErrors.push(m.text()); });
  await page.goto(url);
  return w;
}

/** Waits for the page's job to settle (body[data-state] leaves 'running'). */
async function settled(page: Page): Promise<string> {
  await page.waitForFunction(() => document.body.dataset.state !== undefined && document.body.dataset.state !== 'running', null, { timeout: JOB_TIMEOUT, polling: 100 });
  return (await page.getAttribute('body', 'data-state'))!;
}

const lastJob = (page: Page) => page.evaluate(() => window.demoJobs.at(-1)!) as Promise<DemoJob>;

async function startJob(page: Page, opts: { preset: string; format: 'hls' | 'dash' | 'cmaf' | 'mp4'; leases: number }): Promise<void> {
  await page.setInputFiles('#file', SOURCE);
  await page.selectOption('#preset', opts.preset);
  await page.selectOption('#format', opts.format);
  await page.fill('#leases', String(opts.leases));
  await page.click('#start');
}

describe('demo page in Chromium', () => {
  let browser: Browser;
  let server: Served;
  const artifacts = tempDir('demo-artifacts');
  const sourceFrames = sourceFrameCount(SOURCE);

  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
    server = await serve({});
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a full HLS + DASH (cmaf) job from a picked file: dash.js and hls.js both play it, ≥ 2 lease lanes, and its zip decodes in ffmpeg', async () => {
    const { page, pageErrors } = await open(browser, `${server.origin}/index.html`);
    try {
      await startJob(page, { preset: '360,240', format: 'cmaf', leases: 2 });
      assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
      const job = await lastJob(page);
      assert.equal(job.decodedFrames, sourceFrames);
      assert.deepEqual(job.rungs!.map((r) => r.height), [360, 240]);

      const lanes = await page.$$eval('#timeline .lane', (ls) => ls.map((l) => l.querySelectorAll('.block').length));
      console.log(`timeline: ${lanes.length} lanes, blocks per lane ${lanes.join(',')}`);
      assert.ok(lanes.length >= 2, `${lanes.length} lanes`);
      assert.ok(lanes.filter((n) => n > 0).length >= 2, 'at least 2 lanes hold chunks');

      // The player offers both engines for 'cmaf'; dash.js first, then hls.js over the same segments.
      for (const engine of ['dash', 'hls']) {
        await page.selectOption('#player-engine', engine);
        await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).currentTime > 0.5, undefined, { timeout: 30_000 });
        const levels = await page.$$eval('#level option', (os) => os.map((o) => o.textContent));
        assert.deepEqual(levels.slice(1).map((l) => l?.split(',')[0]).sort(), ['240p', '360p'], `${engine}: a level per rung after Auto`);
      }

      const shot = join(artifacts, 'demo-full-job.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#zip')]);
      const zipPath = join(artifacts, 'ladder.zip');
      await download.saveAs(zipPath);
      const dir = join(artifacts, 'unzipped');
      for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zipPath)))) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), bytes);
      }
      for (const manifest of ['master.m3u8', 'manifest.mpd']) {
        const heights = ffprobe(join(dir, manifest)).streams.filter((s) => s.codec_type === 'video').map((s) => s.height).sort();
        assert.deepEqual(heights, [240, 360], manifest);
      }
      for (const label of [360, 240]) assert.equal(dav1dFrameCount(join(dir, `${label}p/video.m3u8`)), sourceFrames, `${label}p frames`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('Cancel rejects with AbortError within 1 s, ends the workers, closes every frame, and a second job completes', async () => {
    const { page, pageErrors } = await open(browser, `${server.origin}/index.html`);
    try {
      await startJob(page, { preset: '360,240', format: 'mp4', leases: 2 });
      await page.waitForFunction(() => Number((document.getElementById('decode-bar') as HTMLProgressElement).value) >= 0.25, null, { timeout: JOB_TIMEOUT });
      const workersBefore = page.workers().length;
      await page.click('#cancel');
      assert.equal(await settled(page), 'cancelled');
      const job = await lastJob(page);
      assert.equal(job.error?.name, 'AbortError');
      const settleMs = job.settledAt! - job.abortedAt!;
      console.log(`cancel settled ${settleMs.toFixed(0)} ms after the click (page clock); encoder workers before: ${workersBefore}`);
      assert.ok(settleMs <= 1000, `settled ${settleMs} ms after abort (the issue asks for 1 s)`);
      assert.equal(job.openFrames, 0, 'no VideoFrame left open');
      assert.ok(workersBefore >= 2, `${workersBefore} workers while running`);
      const deadline = Date.now() + 5000;
      while (page.workers().length > 0 && Date.now() < deadline) await page.waitForTimeout(50);
      assert.equal(page.workers().length, 0, 'every encoder worker ended');

      await page.click('#start');
      assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
      const second = await lastJob(page);
      assert.equal(second.decodedFrames, sourceFrames);
      assert.equal(second.openFrames, 0);
      // The MP4 result plays in the <video>, and the rendition selector switches to the other rung.
      await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).currentTime > 0.5, null, { timeout: 30_000 });
      const firstSrc = await page.$eval('#player', (v) => (v as HTMLVideoElement).src);
      await page.selectOption('#level', '1');
      await page.waitForFunction((src) => {
        const v = document.getElementById('player') as HTMLVideoElement;
        return v.src !== src && v.videoHeight === 240;
      }, firstSrc, { timeout: 30_000 });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('the canvas frame-source example: every rung decodes to exactly the frames supplied, with the tone as Opus', async () => {
    const { page, pageErrors } = await open(browser, `${server.origin}/frames.html`);
    try {
      await page.fill('#seconds', '2');
      await page.fill('#fps', '25');
      await page.fill('#ladder', '360,240');
      await page.click('#start');
      assert.equal(await settled(page), 'done', await page.textContent('#status') ?? '');
      const report = await page.evaluate(() => window.framesReport!) as FramesReport;
      assert.equal(report.supplied, 50);
      assert.equal(report.decodedFrames, report.supplied, 'stats.decodedFrames equals the frames supplied');
      assert.equal(report.openFrames, 0);
      assert.equal(report.stillOpen, 0, 'the engine closed every frame it was given');
      for (const r of report.rungs!) {
        const b64 = await page.evaluate(async (url) => {
          const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
          let s = '';
          for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(s);
        }, r.url);
        const file = join(artifacts, `canvas-${r.label}p.mp4`);
        writeFileSync(file, Buffer.from(b64, 'base64'));
        const v = ffprobe(file).streams.find((s) => s.codec_type === 'video')!;
        assert.equal(v.codec_name, 'av1');
        assert.equal(v.height, r.label);
        assert.equal(dav1dFrameCount(file), report.supplied, `${r.label}p: libdav1d frames`);
        const a = ffprobe(file).streams.find((s) => s.codec_type === 'audio');
        assert.equal(a?.codec_name, 'opus', `${r.label}p: the AudioData became an Opus track`);
        const decoded = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 'null', '-', '-progress', 'pipe:1'], { encoding: 'utf8' });
        assert.equal(decoded.status, 0, decoded.stderr);
        assert.equal(decoded.stderr.trim(), '', 'no audio decode errors');
        const us = Number([...decoded.stdout.matchAll(/out_time_us=(\d+)/g)].at(-1)?.[1]);
        console.log(`${r.label}p: audio decodes to ${(us / 1e6).toFixed(3)} s`);
        assert.ok(Math.abs(us / 1e6 - 2) <= 0.05, `audio ${us / 1e6} s for 2 s of tone`);
      }
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('the frame-source example cancels within 1 s and every frame it handed over is closed', async () => {
    const { page, pageErrors } = await open(browser, `${server.origin}/frames.html`);
    try {
      await page.fill('#seconds', '20');
      await page.fill('#ladder', '360,240');
      await page.click('#start');
      await page.waitForFunction(() => Number((document.getElementById('bar') as HTMLProgressElement).value) >= 0.2, null, { timeout: JOB_TIMEOUT });
      await page.click('#cancel');
      assert.equal(await settled(page), 'cancelled');
      const report = await page.evaluate(() => window.framesReport!) as FramesReport;
      console.log(`frame source: cancel settled ${report.settleMs?.toFixed(0)} ms after the click, ${report.supplied} of 500 frames supplied`);
      assert.equal(report.error?.name, 'AbortError');
      assert.ok(report.supplied > 0 && report.supplied < 500, `${report.supplied} frames supplied`);
      assert.equal(report.stillOpen, 0, 'every frame handed over is closed');
      assert.equal(report.openFrames, 0);
      assert.ok(report.settleMs! <= 1000, `settled ${report.settleMs} ms after abort`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('a frame of the wrong size fails the job with a RangeError naming it, and every frame handed over is closed', async () => {
    const { page, pageErrors } = await open(browser, `${server.origin}/frames.html?misfit=30`);
    try {
      await page.fill('#seconds', '4');
      await page.click('#start');
      assert.equal(await settled(page), 'error');
      const report = await page.evaluate(() => window.framesReport!) as FramesReport;
      assert.equal(report.error?.name, 'RangeError');
      assert.match(report.error!.message, /frame 30 is 320x180, the source declared 640x360/);
      assert.match(await page.textContent('#status') ?? '', /out of range.*frame 30/);
      assert.ok(report.supplied >= 31 && report.supplied < 100, `${report.supplied} frames supplied`);
      assert.equal(report.stillOpen, 0, 'every frame handed over is closed');
      assert.equal(report.openFrames, 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('a dropped non-video file gets a readable message and no uncaught error', async () => {
    const { page, pageErrors, consoleErrors } = await open(browser, `${server.origin}/index.html`);
    try {
      const dt = await page.evaluateHandle(() => {
        const d = new DataTransfer();
        d.items.add(new File(['shopping list\n'.repeat(40)], 'notes.txt', { type: 'text/plain' }));
        return d;
      });
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
      assert.match(await page.textContent('#picked') ?? '', /notes\.txt/);
      await page.click('#start');
      assert.equal(await settled(page), 'error');
      const message = await page.textContent('#status') ?? '';
      console.log(`message: ${message}`);
      assert.match(message, /cannot be read as a video/);
      assert.equal((await lastJob(page)).error?.name, 'CorruptInputError');
      assert.deepEqual(pageErrors, [], 'no uncaught exception');
      assert.deepEqual(consoleErrors, [], 'nothing logged as an error');
    } finally {
      await page.close();
    }
  });
});

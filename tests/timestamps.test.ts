// Acceptance for exact timestamps (issue 14): sources at 30 fps with B-frames, 60 fps and
// 30000/1001 fps, made here by ffmpeg, go through Chromium (the harness page) and the Deno CLI to
// MP4 and HLS. Every output frame's presentation time (ffprobe) must equal its source frame's
// within half a tick of the source's timescale, and here exactly, and ffmpeg's psnr must score the
// same whether it pairs frames by timestamp (its default) or by index: a frame time rounded down
// to the µs pairs every third 30 fps frame with the previous source frame. For HLS, the tfdt of
// every segment and the EXTINF durations must follow the same times.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright';
import { findPaths, payload } from '../src/mux/isobmff.ts';
import { ROOT, ensureBuild, launchChromium, openHarness, runJob, serve } from '../tools/harness.ts';
import type { Served } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import { parseM3u8 } from './lib/m3u8.ts';

const WIDTH = 320;
const HEIGHT = 180;
const SOURCES = [
  { name: '30fps-bframes.mp4', rate: '30', x264: ['-bf', '2'] },
  { name: '60fps.mp4', rate: '60', x264: ['-bf', '0'] },
  { name: '29.97fps.mp4', rate: '30000/1001', x264: ['-bf', '2'] },
] as const;
const FORMATS = ['mp4', 'hls'] as const;
const CHUNK_SECONDS = 1; // two HLS segments per 2 s source: one boundary to check

interface Times {
  /** Ticks per second of the stream. */
  timescale: number;
  /** Presentation times in ticks, ascending. */
  pts: number[];
  /** End of the last frame, in ticks. */
  end: number;
}

/** Video packet times as ffprobe reads them (presentation order). */
function probeTimes(file: string): Times {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:packet=pts,duration', '-of', 'json', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const j = JSON.parse(out) as { streams: Array<{ time_base: string }>; packets: Array<{ pts: number; duration?: number }> };
  const [num, den] = j.streams[0]!.time_base.split('/').map(Number) as [number, number];
  assert.equal(num, 1, `${file}: time base ${j.streams[0]!.time_base}`);
  const packets = [...j.packets].sort((a, b) => a.pts - b.pts);
  const last = packets[packets.length - 1]!;
  return { timescale: den, pts: packets.map((p) => p.pts), end: last.pts + (last.duration ?? 0) };
}

/** Average PSNR of the output against the source (same size), frames paired by timestamp or by index. */
function psnr(output: string, source: string, pairing: 'timestamp' | 'index'): number {
  const pre = pairing === 'index' ? 'settb=1/1000,setpts=N,' : 'setpts=PTS-STARTPTS,';
  const graph = `[0:v]${pre}format=yuv420p[o];[1:v]${pre}format=yuv420p[r];[o][r]psnr`;
  const r = spawnSync('ffmpeg', ['-v', 'info', '-nostats', '-c:v', 'libdav1d', '-i', output, '-i', source, '-lavfi', graph, '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /PSNR y:\S+ u:\S+ v:\S+ average:([\d.]+|inf)/.exec(r.stderr);
  if (!m) throw new Error(`no PSNR in ffmpeg output: ${r.stderr.slice(-2000)}`);
  return m[1] === 'inf' ? Infinity : Number(m[1]);
}

/** tfdt of each media segment (the engine's box walker; ffprobe's reading is checked separately). */
function tfdt(file: string): number {
  const buf = new Uint8Array(readFileSync(file));
  const box = findPaths(buf, ['moof', 'traf', 'tfdt'])[0]?.at(-1);
  assert.ok(box, `${file}: a tfdt box`);
  const p = payload(buf, box);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return p[0] === 1 ? Number(v.getBigUint64(4)) : v.getUint32(4);
}

/**
 * The checks on one output against its source. For HLS, `file` is the rung's init segment and
 * media segments joined, which ffprobe and ffmpeg read as one fragmented MP4.
 */
function checkOutput(label: string, source: string, file: string, hls: { dir: string; segments: string[] } | null): void {
  const src = probeTimes(source);
  const out = probeTimes(file);
  const T = src.timescale;
  const base = src.pts[0]!;
  const srcSeconds = src.pts.map((t) => (t - base) / T);
  assert.equal(out.pts.length, src.pts.length, `${label}: ${out.pts.length} output frames for ${src.pts.length} source frames`);
  // Errors in source ticks: ½ tick is the acceptance bound.
  const errs = out.pts.map((t, i) => Math.abs(t / out.timescale - srcSeconds[i]!) * T);
  const worst = Math.max(...errs);
  const at = errs.indexOf(worst);
  const ts = psnr(file, source, 'timestamp');
  const byIndex = psnr(file, source, 'index');
  console.log(`${label}: timescale ${out.timescale} (source ${T}), worst frame time error ${worst.toFixed(3)} source ticks (frame ${at}); PSNR by timestamp ${ts.toFixed(2)} dB, by index ${byIndex.toFixed(2)} dB`);
  assert.ok(worst <= 0.5, `${label}: frame ${at} at ${out.pts[at]}/${out.timescale} s, source ${src.pts[at]! - base}/${T} s: ${worst.toFixed(3)} ticks apart`);
  // Stricter than ½ tick (which a time rounded to the µs meets): no rounding survives at all.
  const inexact = out.pts.findIndex((t, i) => t * T !== (src.pts[i]! - base) * out.timescale);
  assert.equal(inexact, -1, `${label}: frame ${inexact} at ${out.pts[inexact]}/${out.timescale} s is not exactly the source's ${src.pts[inexact]! - base}/${T} s`);
  assert.ok(Math.abs(ts - byIndex) <= 0.1, `${label}: PSNR paired by timestamp ${ts.toFixed(2)} dB, by index ${byIndex.toFixed(2)} dB`);
  if (!hls) return;

  // Each segment starts (tfdt) at a source frame's time and lasts (EXTINF) until the next one
  // starts, the last until the source's end. EXTINF is written with up to 6 decimals.
  const playlist = parseM3u8(readFileSync(join(hls.dir, 'video.m3u8'), 'utf8'));
  assert.deepEqual(playlist.segments.map((s) => s.uri), hls.segments, `${label}: the playlist lists the segments`);
  const starts = hls.segments.map((s) => tfdt(join(hls.dir, s)) / out.timescale);
  const srcEnd = (src.end - base) / T;
  starts.forEach((start, k) => {
    const frame = srcSeconds.findIndex((s) => Math.abs(s - start) * T <= 0.5);
    assert.ok(frame >= 0, `${label}: segment ${k + 1} starts at ${start} s (tfdt), at no source frame's time`);
    const expected = (k + 1 < starts.length ? srcSeconds[srcSeconds.findIndex((s) => Math.abs(s - starts[k + 1]!) * T <= 0.5)]! : srcEnd) - srcSeconds[frame]!;
    const extinf = playlist.segments[k]!.duration;
    assert.ok(Math.abs(extinf - expected) <= 0.5e-6 + 0.5 / T, `${label}: segment ${k + 1} EXTINF ${extinf} s, the source frames it holds last ${expected} s`);
  });
  const total = playlist.segments.reduce((n, s) => n + s.duration, 0);
  assert.ok(Math.abs(total - srcEnd) <= playlist.segments.length * 0.5e-6 + 0.5 / T, `${label}: EXTINF sum ${total} s, source ${srcEnd} s`);
}

/** The rung's HLS output as one file (init + segments) for ffprobe and ffmpeg, and its segment names in order. */
function joinHls(dir: string): { file: string; segments: string[] } {
  const segments = readdirSync(dir).filter((f) => /^seg-\d+\.m4s$/.test(f)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  assert.ok(segments.length >= 2, `${dir}: ${segments.length} segments`);
  const file = join(dir, 'joined.mp4');
  writeFileSync(file, Buffer.concat(['init.mp4', ...segments].map((f) => readFileSync(join(dir, f)))));
  return { file, segments };
}

function check(label: string, source: string, format: 'mp4' | 'hls', out: string): void {
  const rungDir = join(out, `${HEIGHT}p`);
  if (format === 'mp4') checkOutput(label, source, join(out, `${HEIGHT}p.mp4`), null);
  else {
    const { file, segments } = joinHls(rungDir);
    checkOutput(label, source, file, { dir: rungDir, segments });
  }
}

const media = tempDir('timestamps-src');

before(() => {
  for (const s of SOURCES) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${s.rate}`, '-t', '2',
      '-c:v', 'libx264', '-preset', 'veryfast', ...s.x264, '-g', '30', '-pix_fmt', 'yuv420p', join(media, s.name)]);
  }
});

describe('exact timestamps in Chromium', () => {
  let browser: Browser;
  let server: Served;
  let page: Page;
  const out = tempDir('timestamps-chromium');

  before(async () => {
    await ensureBuild();
    browser = await launchChromium();
    server = await serve({ outDir: out, mounts: { '/media/': media } });
    ({ page } = await openHarness(browser, server.origin));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const s of SOURCES) {
    for (const format of FORMATS) {
      it(`${s.name} → ${format}: frame times within ½ source tick, PSNR the same by timestamp and by index`, async () => {
        const name = `${s.name}-${format}`;
        const reply = await runJob(page, { inputUrl: `${server.origin}/media/${s.name}`, uploadBase: `${server.origin}/out/${name}/`, ladder: [HEIGHT], chunkSeconds: CHUNK_SECONDS, format });
        assert.equal(reply.ok, true, JSON.stringify(reply.error));
        check(`chromium ${name}`, join(media, s.name), format, join(out, name));
      });
    }
  }
});

function denoTranscode(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A', 'cli/deno/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

describe('exact timestamps under Deno', () => {
  const out = tempDir('timestamps-deno');
  for (const s of SOURCES) {
    for (const format of FORMATS) {
      it(`${s.name} → ${format}: frame times within ½ source tick, PSNR the same by timestamp and by index`, async () => {
        const name = `${s.name}-${format}`;
        const dir = join(out, name);
        const r = await denoTranscode([join(media, s.name), '--out', dir, '--format', format, '--ladder', String(HEIGHT), '--chunk-seconds', String(CHUNK_SECONDS)]);
        assert.equal(r.code, 0, r.stderr.slice(-3000));
        check(`deno ${name}`, join(media, s.name), format, dir);
      });
    }
  }
});

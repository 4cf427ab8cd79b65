// Acceptance for the Deno CLI (`deno task transcode`): video.mp4 → HLS and MP4 ladders checked
// with the same shared checks as the Chromium CLI (tests/lib/ladder-checks.ts); an HEVC source made
// by ffmpeg (which Chromium here cannot decode) → frame-exact AV1; and the error cases: one-line
// message, non-zero exit, nothing left that looks like output.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT } from '../tools/harness.ts';
import { tempDir } from './lib/cli.ts';
import {
  checkHlsAudioDuration, checkHlsBandwidthAndCodecs, checkHlsBoundaries, checkHlsDecodes, checkHlsPlayback, checkHlsPlaylists, checkMp4Rung, checkPsnr,
  readHlsLadder,
} from './lib/ladder-checks.ts';
import type { HlsLadder } from './lib/ladder-checks.ts';
import {
  checkDashAudioDuration, checkDashBandwidth, checkDashDecodes, checkDashManifest, checkDashPlayback, checkDashTimeline, readDashLadder,
} from './lib/dash-checks.ts';
import type { DashLadder } from './lib/dash-checks.ts';
import { MEDIA, sourceFrameCount } from './lib/media.ts';

const SOURCE = join(MEDIA, 'video.mp4');
const DENO = join(ROOT, 'node_modules', '.bin', 'deno');

interface Chunk { index: number; leaseId: number; helper: boolean; hardware: boolean; encoder: string; frames: number }
interface Summary {
  rungs: Array<{ height: number; width: number; label: number; codec: string; frames: number; bytes: number; file: string; chunks: Chunk[] }>;
  master?: string; decodedFrames: number; openFrames: number; wallMs: number;
  stats: { chunks: number; softwareChunks: number; hardwareChunks: number };
  timeline: Array<{ lease: number; rung: number; chunk: number; startMs: number; endMs: number }>;
}

function denoCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; lines: string[]; summary: Summary | null }> {
  return new Promise((resolve) => {
    const child = spawn(DENO, ['task', 'transcode', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (code) => {
      let summary: Summary | null = null;
      try { summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Summary; } catch { /* an error run */ }
      // The task echo is deno task's, not the CLI's. (Nothing else is filtered: see the stderr test.)
      const lines = stderr.split('\n').filter((l) => l.trim() && !/^Task /.test(l));
      resolve({ code: code ?? 1, stdout, stderr, lines, summary });
    });
  });
}

/** Files under `dir` that a reader would take for output (anything but our temporary names). */
function outputs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

function overlaps(t: Summary['timeline']): boolean {
  return t.some((a) => t.some((b) => a.lease !== b.lease && a.startMs < b.endMs && b.startMs < a.endMs));
}

describe('deno task transcode video.mp4 --format hls (480,360, 2 leases)', () => {
  const out = tempDir('deno-hls');
  let s: Summary;
  let l: HlsLadder;
  before(async () => {
    const r = await denoCli([SOURCE, '--out', out, '--format', 'hls', '--ladder', '480,360', '--leases', '2', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.ok(r.summary, 'a JSON summary line');
    s = r.summary;
    l = readHlsLadder(out);
  });

  it('playlists parse (m3u8-parser), every listed file exists, boundaries match across rungs', () => {
    assert.equal(s.master, join(out, 'master.m3u8'));
    checkHlsPlaylists(out, l, 2, true);
    checkHlsBoundaries(l, 5, 1 / 25);
    assert.equal(existsSync(join(out, 'manifest.mpd')), false, "'hls' writes no MPD");
  });

  it('ffprobe opens master.m3u8; libdav1d decodes 125 frames from every rung', () => {
    checkHlsDecodes(out, l, [{ width: 854, height: 480 }, { width: 640, height: 360 }], 125, true);
  });

  it('AVERAGE-BANDWIDTH matches the bytes on disk, CODECS matches the sequence header', () => {
    checkHlsBandwidthAndCodecs(out, l);
  });

  it("the audio rendition decodes to the source's audio duration within 50 ms", () => {
    const a = checkHlsAudioDuration(out, l, SOURCE, 0.05);
    console.log(`audio rendition ${a.rendition.toFixed(3)} s, source ${a.source.toFixed(3)} s`);
  });

  it('hls.js in Chromium plays master.m3u8 past 4 s, switching to both rungs, with no fatal error', async () => {
    const r = await checkHlsPlayback(out, 2, 4);
    console.log(`hls.js: currentTime ${r.currentTime.toFixed(2)} s, switched to ${r.switched.sort().join(',')}`);
  });

  it('both leases encoded, at the same time (lease timeline), with SVT-AV1 in software', () => {
    const leases = new Set(s.timeline.map((t) => t.lease));
    console.log(`timeline: ${s.timeline.map((t) => `L${t.lease}:${t.rung}/${t.chunk}@${t.startMs}-${t.endMs}`).join(' ')}`);
    assert.equal(leases.size, 2, 'two leases took chunks');
    assert.ok(overlaps(s.timeline), 'chunks of different leases ran at the same time');
    assert.equal(s.timeline.length, s.stats.chunks, 'every chunk is on the timeline');
    assert.equal(s.openFrames, 0);
  });
});

describe('deno task transcode video.mp4 --format dash (480,360)', () => {
  const out = tempDir('deno-dash');
  const RUNGS = [{ width: 854, height: 480 }, { width: 640, height: 360 }];
  let s: Summary & { mpd?: string };
  let l: DashLadder;
  before(async () => {
    const r = await denoCli([SOURCE, '--out', out, '--format', 'dash', '--ladder', '480,360', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.ok(r.summary, 'a JSON summary line');
    s = r.summary;
    l = await readDashLadder(out);
  });

  it('DOMParser reads manifest.mpd (codecs = sequence header, audio with channels), every file exists, no HLS playlist is written', () => {
    assert.equal(s.mpd, join(out, 'manifest.mpd'));
    assert.equal(s.master, undefined);
    checkDashManifest(out, l, RUNGS, '25', true);
    assert.deepEqual(readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.m3u8')), []);
  });

  it('SegmentTimelines add up to the duration within a frame; @bandwidth is the peak segment rate', () => {
    checkDashTimeline(l, 5, 1 / 25);
    checkDashBandwidth(out, l);
  });

  it('ffprobe opens manifest.mpd; libdav1d decodes 125 frames from each Representation; the audio decodes to the source duration', () => {
    checkDashDecodes(out, l, RUNGS, 125, true);
    checkDashAudioDuration(out, l, SOURCE, 0.05);
  });

  it('dash.js in Chromium plays manifest.mpd past 4 s, rendering both Representations after a switch, with no error', async () => {
    const r = await checkDashPlayback(out, 2, 4);
    console.log(`dash.js: currentTime ${r.currentTime.toFixed(2)} s, rendered ${r.rendered.join(',')}`);
  });
});

describe('deno task transcode video.mp4 --format mp4 (480,360)', () => {
  const out = tempDir('deno-mp4');
  let s: Summary;
  let stderr = '';
  before(async () => {
    const r = await denoCli([SOURCE, '--out', out, '--ladder', '480,360', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.ok(r.summary, 'a JSON summary line');
    s = r.summary;
    stderr = r.stderr;
  });

  it('stderr (a pipe, not a TTY) holds no line that starts with error or warning (issue 18 item 4: no XDG_RUNTIME_DIR message)', () => {
    const bad = stderr.split('\n').filter((l) => /^\s*(error|warning)/i.test(l));
    assert.deepEqual(bad, [], stderr);
    assert.doesNotMatch(stderr, /XDG_RUNTIME_DIR/);
  });

  it('decodes every source frame once, leaves no frame open, chunks in order', () => {
    assert.equal(s.decodedFrames, 125);
    assert.equal(s.openFrames, 0);
    assert.deepEqual(s.rungs.map((r) => `${r.width}x${r.height}`), ['854x480', '640x360']);
    for (const r of s.rungs) {
      assert.deepEqual(r.chunks.map((c) => c.index), [0, 1, 2], `${r.label}p: 2 s chunks of a 5 s source`);
      assert.equal(r.chunks.reduce((n, c) => n + c.frames, 0), 125);
    }
  });

  it('AV1 MP4s at the expected sizes with 125 frames (libdav1d), AAC carried, av1C = first sample', () => {
    for (const r of s.rungs) {
      assert.equal(r.file, join(out, `${r.label}p.mp4`));
      checkMp4Rung(r.file, r, 125, true);
    }
  });

  it('at least 35 dB PSNR per rung against the ffmpeg-scaled source', () => {
    for (const r of s.rungs) console.log(`PSNR ${r.label}p: ${checkPsnr(r.file, SOURCE, r, 35).toFixed(2)} dB (${(r.bytes * 8 / 5 / 1000).toFixed(0)} kbit/s)`);
  });
});

describe('deno task transcode: an HEVC source (which Chromium here cannot decode)', () => {
  const dir = tempDir('deno-hevc');
  const src = join(dir, 'hevc.mp4');
  const out = join(dir, 'out');
  let s: Summary;
  before(async () => {
    // B-frames make presentation order differ from decode order; 2.4 s at 25 fps = 60 frames.
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2.4', '-pix_fmt', 'yuv420p',
      '-c:v', 'libx265', '-x265-params', 'log-level=error:bframes=3:keyint=25', '-tag:v', 'hvc1', src], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const r = await denoCli([src, '--out', out, '--ladder', '360,180', '--json']);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    s = r.summary!;
  });

  it('every rung has exactly the source\'s frames (libdav1d) and looks like the source (PSNR)', () => {
    const frames = sourceFrameCount(src);
    assert.equal(frames, 60);
    assert.equal(s.decodedFrames, frames);
    assert.deepEqual(s.rungs.map((r) => `${r.width}x${r.height}`), ['640x360', '320x180']);
    for (const r of s.rungs) {
      checkMp4Rung(r.file, r, frames, false);
      console.log(`HEVC → ${r.label}p: PSNR ${checkPsnr(r.file, src, r, 35).toFixed(2)} dB`);
    }
  });
});

describe('deno task transcode: errors', () => {
  const dir = tempDir('deno-errors');
  const cases: Array<{ name: string; args: (out: string) => string[]; message: RegExp }> = [
    { name: 'a missing input path', args: (out) => [join(dir, 'nope.mp4'), '--out', out], message: /^error: input not found: .*nope\.mp4$/ },
    { name: 'a folder as input', args: (out) => [dir, '--out', out], message: /^error: input is not a file: / },
    { name: 'a file that is not media', args: (out) => [join(dir, 'garbage.mp4'), '--out', out], message: /^error: CorruptInputError: Cannot read input/ },
    { name: 'a truncated file', args: (out) => [join(dir, 'truncated.mp4'), '--out', out, '--ladder', '360', '--format', 'hls'], message: /^error: CorruptInputError: Input is truncated/ },
    { name: 'a bad --ladder value', args: (out) => [SOURCE, '--out', out, '--ladder', '720,abc'], message: /^error: bad --ladder "720,abc"/ },
    { name: 'a bad --format value', args: (out) => [SOURCE, '--out', out, '--format', 'avi'], message: /^error: bad --format "avi"/ },
    { name: 'a missing --out', args: () => [SOURCE], message: /^error: missing --out/ },
  ];
  before(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'garbage.mp4'), 'this is not a video file\n'.repeat(40));
    // The first 60 % of video.mp4: the container lists 125 frames, fewer can be read.
    const cut = spawnSync('sh', ['-c', `head -c $(( $(stat -c %s "${SOURCE}") * 6 / 10 )) "${SOURCE}" > "${join(dir, 'truncated.mp4')}"`]);
    assert.equal(cut.status, 0);
  });
  for (const c of cases) {
    it(`${c.name}: non-zero exit, one line naming the problem, no output left`, async () => {
      const out = join(dir, `out-${c.name.replace(/\W+/g, '-')}`);
      const r = await denoCli(c.args(out));
      assert.notEqual(r.code, 0, 'exit code');
      const errors = r.lines.filter((x) => x.startsWith('error:'));
      assert.equal(errors.length, 1, `one error line: ${r.stderr}`);
      assert.equal(r.lines.at(-1), errors[0], 'the error is the last line');
      assert.match(errors[0]!, c.message);
      assert.equal(r.summary, null, 'no JSON summary');
      assert.deepEqual(outputs(out), [], 'nothing written under --out');
    });
  }
  it('--help prints the usage and exits 0', async () => {
    const r = await denoCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: deno task transcode INPUT --out DIR/m);
    for (const opt of ['--ladder', '--format', '--policy', '--leases', '--json']) assert.ok(r.stdout.includes(opt), opt);
  });
});

describe('deno task transcode on a terminal, and deno task probe', () => {
  it('draws a progress bar per rung with throughput and ETA on a TTY (script(1) gives it one)', () => {
    const out = join(tempDir('deno-tty'), 'out');
    const cmd = [DENO, 'task', 'transcode', SOURCE, '--out', out, '--ladder', '360,240'].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stdout.slice(-2000));
    const screen = r.stdout.replace(/\r/g, '\n');
    for (const label of ['360p', '240p']) {
      assert.match(screen, new RegExp(`${label} \\[#+\\.*\\]\\s+\\d+%\\s+[\\d.]+ fps\\s+eta \\d+ s`), `${label}: a bar with throughput and ETA while running`);
      assert.match(screen, new RegExp(`${label} \\[#{28}\\] 100%\\s+[\\d.]+ fps\\s+done`), `${label}: a full bar at the end`);
    }
    assert.ok(existsSync(join(out, '360p.mp4')) && existsSync(join(out, '240p.mp4')));
  });

  it('probe prints one JSON report: adapters, encoders that open, and a codec × size matrix consistent with them', () => {
    const r = spawnSync(DENO, ['task', 'probe'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const report = JSON.parse(r.stdout) as {
      adapters: Array<{ description: string }>; cores: number;
      encode: Array<{ codec: string; width: number; height: number; hardware: boolean; software: boolean }>;
      encoders: Array<{ name: string; hardware: boolean; opens: boolean }>;
    };
    assert.ok(report.adapters.length >= 1, 'a WebGPU adapter');
    assert.ok(report.cores >= 1);
    assert.equal(report.encode.length, 12, '3 codecs × 4 sizes');
    const svt = report.encoders.find((e) => e.name === 'libsvtav1');
    assert.equal(svt?.opens, true, 'SVT-AV1 opens');
    const hardwareOpens = report.encoders.some((e) => e.hardware && e.opens);
    for (const e of report.encode.filter((x) => x.codec.startsWith('av01'))) {
      assert.equal(e.software, true, `${e.codec} ${e.width}x${e.height} in software`);
      if (!hardwareOpens) assert.equal(e.hardware, false, `${e.codec} ${e.width}x${e.height}: no hardware encoder opened, so no hardware support`);
    }
    console.log(`probe: ${report.adapters.map((a) => a.description).join(', ')}; encoders ${report.encoders.map((e) => `${e.name}${e.opens ? '' : ' (does not open)'}`).join(', ')}`);
  });
});

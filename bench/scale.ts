// `npm run bench:scale -- [INPUT]`: a benchmark, not a test. Times the WGSL scaler on one 1080p
// frame of INPUT (default ../shared/media/video.mp4) for the default ladder (1080/720/480/360), in
// headless Chromium (SwiftShader here) and in Deno (llvmpipe here), and prints milliseconds per
// frame one at a time and with 4 frames in flight (as the engine feeds it). The last line is JSON:
// {"chromium": {"adapter", "msPerFrame", "sequentialMs"}, "deno": {…}}; msPerFrame is the in-flight
// figure, the one that bounds the engine's throughput.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { DEFAULT_LADDER, planLadder } from '../src/mod.ts';
import type { ScaleTiming } from '../src/mod.ts';
import { ensureBuild, launchChromium, ROOT, serve } from '../tools/harness.ts';
import { tempDir } from '../tests/lib/cli.ts';

const source = resolve(ROOT, process.argv[2] ?? '../shared/media/video.mp4');
const [width, height] = [1920, 1080];
const dir = tempDir('bench-scale');
const frame = join(dir, 'frame.yuv');
// One frame at 1080p, full range as video.mp4 is: the scaler converts the range as it scales.
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', source, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'yuvj420p', frame]);
const targets = planLadder(width, height, 30, DEFAULT_LADDER).map((p) => ({ width: p.width, height: p.height }));
const load0 = loadavg()[0]!;
console.error(`scaler: ${width}x${height} → ${targets.map((t) => `${t.width}x${t.height}`).join(', ')}; ${cpus().length} cores, load ${load0.toFixed(2)}`);

type Timing = ScaleTiming;
const show = (name: string, t: Timing) =>
  console.error(`${name.padEnd(8)} ${t.adapter}: ${t.pipelinedMs.toFixed(1)} ms/frame with ${t.inFlight} in flight, ${t.sequentialMs.toFixed(1)} ms one at a time (${t.frames} frames)`);

await ensureBuild((s) => console.error(s));
const server = await serve({ inputPath: frame });
const browser = await launchChromium();
let chromium: Timing;
try {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/harness.html`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  chromium = await page.evaluate(([w, h, t]) => window.measureScaler('/input', w, h, t), [width, height, targets] as const);
} finally {
  await browser.close();
  await server.close();
}
show('chromium', chromium);

const deno = join(ROOT, 'node_modules', '.bin', 'deno');
const out = execFileSync(deno, ['run', '-A', '--no-check', join(ROOT, 'bench', 'scale-deno.ts'), frame, String(width), String(height), targets.map((t) => `${t.width}x${t.height}`).join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const denoTiming = JSON.parse(out.trim().split('\n').pop()!) as Timing;
show('deno', denoTiming);
console.error(`load average after: ${loadavg()[0]!.toFixed(2)} (before: ${load0.toFixed(2)})`);
const summary = (t: Timing) => ({ adapter: t.adapter, msPerFrame: Number(t.pipelinedMs.toFixed(1)), sequentialMs: Number(t.sequentialMs.toFixed(1)) });
console.log(JSON.stringify({ chromium: summary(chromium), deno: summary(denoTiming) }));

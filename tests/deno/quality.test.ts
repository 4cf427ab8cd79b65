// The quality report's WGSL comparison (shaders/quality.wgsl through src/quality/compare.ts) under
// Deno's WebGPU (llvmpipe here): per-plane squared errors and luma SSIM on synthetic picture pairs,
// checked against a plain CPU port of ffmpeg's formulas and against ffmpeg's own psnr and ssim
// filters on the same raw pictures. Sizes include rows that do not start on a word (854 wide) and
// a picture whose byte count is not a multiple of 4. Each GPU test runs in a validation scope.
import { PictureComparer } from '../../src/quality/compare.ts';
import type { FrameSums } from '../../src/quality/compare.ts';
import { fetchShader } from '../../src/platform/shaders.ts';
import { addFrame, emptySums, figures } from '../../src/quality/figures.ts';

declare const Deno: {
  test(options: { name: string; ignore: boolean; sanitizeOps: boolean; sanitizeResources: boolean }, fn: () => Promise<void>): void;
  makeTempDir(options: { prefix: string }): Promise<string>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  removeSync(path: string, options: { recursive: boolean }): void;
  Command: new (cmd: string, options: { args: string[]; stdout: 'null'; stderr: 'piped' }) => {
    output(): Promise<{ success: boolean; stderr: Uint8Array }>;
  };
};

const adapter = await navigator.gpu.requestAdapter();
if (!adapter) throw new Error('no WebGPU adapter');
const device = await adapter.requestDevice({ label: 'quality tests' });
globalThis.addEventListener('unload', () => device.destroy());
const hasFfmpeg = await new Deno.Command('ffmpeg', { args: ['-version'], stdout: 'null', stderr: 'piped' }).output().then((o) => o.success, () => false);

function gpuTest(name: string, fn: (c: PictureComparer) => Promise<void>, ignore = false): void {
  Deno.test({ name, ignore, sanitizeOps: false, sanitizeResources: false }, async () => {
    device.pushErrorScope('validation');
    try {
      await fn(await PictureComparer.create(device, fetchShader));
    } finally {
      const err = await device.popErrorScope();
      if (err) throw new Error(`WebGPU validation error: ${err.message}`);
    }
  });
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

/** A textured picture (gradients plus a seeded pattern) and a distorted copy (noise, a shift, a flat patch). */
function pair(w: number, h: number, seed: number, noise: number): [Uint8Array, Uint8Array] {
  const size = w * h + 2 * (w / 2) * (h / 2);
  const a = new Uint8Array(size);
  const b = new Uint8Array(size);
  let s = seed >>> 0;
  const rand = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const planes: Array<[number, number, number]> = [[0, w, h], [w * h, w / 2, h / 2], [w * h + (w / 2) * (h / 2), w / 2, h / 2]];
  for (const [off, pw, ph] of planes) {
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) {
        const v = 16 + ((x * 3 + y * 5) % 200) + Math.floor(rand() * 30) + ((x >> 3) & 1) * 10;
        a[off + y * pw + x] = Math.min(255, v);
      }
    }
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) {
        const src = a[off + y * pw + Math.max(0, x - (y % 7 === 0 ? 1 : 0))]!;
        const flat = x > pw / 2 && y < ph / 3 ? 128 : src;
        b[off + y * pw + x] = Math.max(0, Math.min(255, Math.round(flat + (rand() - 0.5) * 2 * noise)));
      }
    }
  }
  return [a, b];
}

/** ffmpeg's ssim_end1 (8-bit) over sums of one 8x8 window. */
function end1(s1: number, s2: number, ss: number, s12: number): number {
  const c1 = Math.trunc(0.01 * 0.01 * 255 * 255 * 64 + 0.5);
  const c2 = Math.trunc(0.03 * 0.03 * 255 * 255 * 64 * 63 + 0.5);
  const vars = ss * 64 - s1 * s1 - s2 * s2;
  const covar = s12 * 64 - s1 * s2;
  return Math.fround(Math.fround(2 * s1 * s2 + c1) * Math.fround(2 * covar + c2)) / Math.fround(Math.fround(s1 * s1 + s2 * s2 + c1) * Math.fround(vars + c2));
}

/** The CPU reference: squared errors per plane, and ffmpeg's ssim_plane over luma. */
function reference(a: Uint8Array, b: Uint8Array, w: number, h: number): FrameSums {
  const sse: [number, number, number] = [0, 0, 0];
  const c = (w / 2) * (h / 2);
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sse[i < w * h ? 0 : i < w * h + c ? 1 : 2] += d * d;
  }
  const bw = w >> 2;
  const bh = h >> 2;
  const blocks = new Array<[number, number, number, number]>(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const s: [number, number, number, number] = [0, 0, 0, 0];
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 4; x++) {
          const i = (by * 4 + y) * w + bx * 4 + x;
          const p = a[i]!;
          const q = b[i]!;
          s[0] += p; s[1] += q; s[2] += p * p + q * q; s[3] += p * q;
        }
      }
      blocks[by * bw + bx] = s;
    }
  }
  let ssimSum = 0;
  for (let y = 0; y + 1 < bh; y++) {
    for (let x = 0; x + 1 < bw; x++) {
      const t = [0, 0, 0, 0];
      for (const k of [y * bw + x, y * bw + x + 1, (y + 1) * bw + x, (y + 1) * bw + x + 1]) for (let j = 0; j < 4; j++) t[j]! += blocks[k]![j]!;
      ssimSum += end1(t[0]!, t[1]!, t[2]!, t[3]!);
    }
  }
  return { sse, ssimSum, windows: Math.max(0, bw - 1) * Math.max(0, bh - 1) };
}

const SIZES: Array<[number, number]> = [[854, 480], [640, 360], [66, 38], [1280, 720]];

gpuTest('squared errors are exact and SSIM sums match the CPU port of ffmpeg, per frame, on 4 sizes', async (comparer) => {
  for (const [w, h] of SIZES) {
    const pairs = [pair(w, h, 1, 6), pair(w, h, 2, 20), pair(w, h, 3, 0)];
    const batch = comparer.batch(w, h, pairs.length);
    for (const [a, b] of pairs) batch.add(a, b);
    const got = await batch.finish();
    assert(got.length === pairs.length, `${w}x${h}: ${got.length} results for ${pairs.length} pairs`);
    pairs.forEach(([a, b], i) => {
      const want = reference(a, b, w, h);
      const g = got[i]!;
      assert(g.sse.every((v, p) => v === want.sse[p]), `${w}x${h} frame ${i}: SSE ${g.sse} vs ${want.sse}`);
      assert(g.windows === want.windows, `${w}x${h} frame ${i}: ${g.windows} windows vs ${want.windows}`);
      const diff = Math.abs(g.ssimSum / g.windows - want.ssimSum / want.windows);
      console.log(`${w}x${h} frame ${i}: SSE ${g.sse.join('/')}, SSIM gpu ${(g.ssimSum / g.windows).toFixed(6)} cpu ${(want.ssimSum / want.windows).toFixed(6)}`);
      assert(diff < 1e-5, `${w}x${h} frame ${i}: SSIM ${g.ssimSum / g.windows} vs ${want.ssimSum / want.windows}`);
    });
  }
});

gpuTest('a distorted pair is not scored as identical, and identical pictures give infinite PSNR and SSIM 1', async (comparer) => {
  const [a, b] = pair(640, 360, 9, 12);
  const batch = comparer.batch(640, 360, 2);
  batch.add(a, a);
  batch.add(a, b);
  const [same, differ] = await batch.finish();
  const s = emptySums();
  addFrame(s, same!, 640, 360);
  const f = figures(s);
  assert(f.psnr === Infinity && f.psnrY === Infinity && f.ssim === 1, `identical: ${JSON.stringify(f)}`);
  const d = emptySums();
  addFrame(d, differ!, 640, 360);
  const g = figures(d);
  assert(g.psnrY < 40 && g.ssim < 0.99, `distorted: ${JSON.stringify(g)}`);
});

gpuTest('PSNR (y, average) and SSIM Y agree with ffmpeg\'s psnr and ssim filters on the same raw pictures', async (comparer) => {
  const w = 854;
  const h = 480;
  const pairs = [pair(w, h, 11, 8), pair(w, h, 12, 25), pair(w, h, 13, 3)];
  const batch = comparer.batch(w, h, pairs.length);
  for (const [a, b] of pairs) batch.add(a, b);
  const sums = emptySums();
  for (const f of await batch.finish()) addFrame(sums, f, w, h);
  const ours = figures(sums);
  const dir = await Deno.makeTempDir({ prefix: 'quality-' });
  try {
    const cat = (k: 0 | 1) => { const out = new Uint8Array(pairs.length * pairs[0]![0].length); pairs.forEach((p, i) => out.set(p[k], i * p[k].length)); return out; };
    await Deno.writeFile(`${dir}/a.yuv`, cat(1));
    await Deno.writeFile(`${dir}/b.yuv`, cat(0));
    const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${w}x${h}`, '-r', '25'];
    const out = await new Deno.Command('ffmpeg', {
      args: ['-v', 'info', '-nostats', ...raw, '-i', `${dir}/a.yuv`, ...raw, '-i', `${dir}/b.yuv`, '-lavfi', '[0:v]split[a0][a1];[1:v]split[b0][b1];[a0][b0]psnr;[a1][b1]ssim', '-f', 'null', '-'],
      stdout: 'null', stderr: 'piped',
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    const p = /PSNR y:([\d.]+) u:[\d.]+ v:[\d.]+ average:([\d.]+)/.exec(text);
    const q = /SSIM Y:([\d.]+)/.exec(text);
    assert(out.success && p && q, `ffmpeg gave no figures: ${text.slice(-1500)}`);
    console.log(`engine psnrY ${ours.psnrY} psnr ${ours.psnr} ssim ${ours.ssim}; ffmpeg psnrY ${p[1]} average ${p[2]} ssim ${q[1]}`);
    assert(Math.abs(ours.psnrY - Number(p[1])) < 0.01, `psnrY ${ours.psnrY} vs ffmpeg ${p[1]}`);
    assert(Math.abs(ours.psnr - Number(p[2])) < 0.01, `psnr ${ours.psnr} vs ffmpeg average ${p[2]}`);
    assert(Math.abs(ours.ssim - Number(q[1])) < 1e-4, `ssim ${ours.ssim} vs ffmpeg ${q[1]}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}, !hasFfmpeg);

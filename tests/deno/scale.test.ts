// The WGSL scaler under Deno's WebGPU (llvmpipe here): PSNR against ffmpeg's Lanczos on a real
// 1080p frame, anti-aliasing, NV12/I420 equivalence, rotation, odd sizes, range handling and
// concurrent calls. Each GPU test runs inside a validation error scope that must stay empty.
import { Scaler } from '../../src/scale/scaler.ts';
import type { ScaleTarget, SourcePlanes } from '../../src/scale/scaler.ts';
import { fetchShader } from '../../src/platform/shaders.ts';

// The slice of the Deno namespace used here, so the repo-wide tsc (which has no Deno types) passes.
declare const Deno: {
  test(options: { name: string; ignore: boolean; sanitizeOps: boolean; sanitizeResources: boolean }, fn: () => Promise<void>): void;
  makeTempDir(options: { prefix: string }): Promise<string>;
  removeSync(path: string, options: { recursive: boolean }): void;
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<unknown>;
  Command: new (cmd: string, options: { args: string[]; stdout: 'null'; stderr: 'piped' }) => {
    output(): Promise<{ success: boolean; stderr: Uint8Array }>;
  };
};

const MEDIA = new URL('../../../shared/media/', import.meta.url);
const VIDEO = new URL('video.mp4', MEDIA).pathname;
const LADDER: ScaleTarget[] = [
  { width: 1280, height: 720 },
  { width: 854, height: 480 },
  { width: 640, height: 360 },
  { width: 1920, height: 1080 },
];

const adapter = await navigator.gpu.requestAdapter();
if (!adapter) throw new Error('no WebGPU adapter');
const device = await adapter.requestDevice({ label: 'scale tests' });
globalThis.addEventListener('unload', () => device.destroy());
console.log(`adapter: ${adapter.info.description || adapter.info.vendor}`);

const hasFfmpeg = await run(['ffmpeg', '-version']).then(() => true, () => false);
const hasVideo = await Deno.stat(VIDEO).then(() => true, () => false);

// GPU work leaves async map ops and device resources that Deno's per-test sanitizers would flag.
function gpuTest(name: string, fn: (scaler: Scaler) => Promise<void>, ignore = false): void {
  Deno.test({ name, ignore, sanitizeOps: false, sanitizeResources: false }, async () => {
    device.pushErrorScope('validation');
    const scaler = await Scaler.create(device, fetchShader);
    try {
      await fn(scaler);
    } finally {
      scaler.destroy();
      const err = await device.popErrorScope();
      if (err) throw new Error(`WebGPU validation error: ${err.message}`);
    }
  });
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

async function run(args: string[]): Promise<void> {
  const [cmd, ...rest] = args;
  const out = await new Deno.Command(cmd!, { args: rest, stdout: 'null', stderr: 'piped' }).output();
  if (!out.success) throw new Error(`${args.join(' ')} failed: ${new TextDecoder().decode(out.stderr).slice(-1500)}`);
}

/** A tightly packed I420 buffer as SourcePlanes. */
function i420(data: Uint8Array, width: number, height: number, fullRange: boolean): SourcePlanes {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  return {
    format: 'I420', width, height, data, fullRange,
    layout: [{ offset: 0, stride: width }, { offset: width * height, stride: cw }, { offset: width * height + cw * ch, stride: cw }],
  };
}

/** The same picture as NV12 with padded strides, as some decoders hand it over. */
function toNv12(src: SourcePlanes, pad: number): SourcePlanes {
  const { width, height } = src;
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const yStride = width + pad;
  const uvStride = cw * 2 + pad;
  const uvOffset = yStride * height + 64;
  const data = new Uint8Array(uvOffset + uvStride * ch).fill(77);
  const [y, u, v] = src.layout;
  for (let r = 0; r < height; r++) data.set(src.data.subarray(y!.offset + r * y!.stride, y!.offset + r * y!.stride + width), r * yStride);
  for (let r = 0; r < ch; r++) {
    for (let c = 0; c < cw; c++) {
      data[uvOffset + r * uvStride + 2 * c] = src.data[u!.offset + r * u!.stride + c]!;
      data[uvOffset + r * uvStride + 2 * c + 1] = src.data[v!.offset + r * v!.stride + c]!;
    }
  }
  return { format: 'NV12', width, height, data, fullRange: src.fullRange, layout: [{ offset: 0, stride: yStride }, { offset: uvOffset, stride: uvStride }] };
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  assert(a.length === b.length, `length ${a.length} vs ${b.length}`);
  let se = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    se += d * d;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.length) / se);
}

function equalBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  assert(a.length === b.length, `${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) assert(a[i] === b[i], `${what}: byte ${i} is ${a[i]}, expected ${b[i]}`);
}

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

let frame: Promise<{ dir: string; src: SourcePlanes }> | null = null;
function realFrame(): Promise<{ dir: string; src: SourcePlanes }> {
  frame ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: 'scale-test-' });
    globalThis.addEventListener('unload', () => Deno.removeSync(dir, { recursive: true }));
    await run(['ffmpeg', '-v', 'error', '-y', '-i', VIDEO, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuvj420p', `${dir}/src.yuv`]);
    return { dir, src: i420(await Deno.readFile(`${dir}/src.yuv`), 1920, 1080, true) };
  })();
  return frame;
}

async function ffmpegReference(dir: string, t: ScaleTarget, flags: string): Promise<Uint8Array> {
  const out = `${dir}/ref-${t.width}x${t.height}-${flags}.yuv`;
  await run(['ffmpeg', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuvj420p', '-s', '1920x1080', '-i', `${dir}/src.yuv`,
    '-vf', `scale=${t.width}:${t.height}:flags=${flags}:out_range=tv,format=yuv420p`, '-f', 'rawvideo', out]);
  return Deno.readFile(out);
}

function planePsnr(out: Uint8Array, ref: Uint8Array, t: ScaleTarget): [number, number, number] {
  const ySize = t.width * t.height;
  const cSize = (t.width / 2) * (t.height / 2);
  assert(out.length === ySize + 2 * cSize && ref.length === out.length, `${t.width}x${t.height}: size ${out.length} vs ${ref.length}`);
  return [
    psnr(out.subarray(0, ySize), ref.subarray(0, ySize)),
    psnr(out.subarray(ySize, ySize + cSize), ref.subarray(ySize, ySize + cSize)),
    psnr(out.subarray(ySize + cSize), ref.subarray(ySize + cSize)),
  ];
}

const noMedia = !hasFfmpeg || !hasVideo;

gpuTest('1080p full-range frame matches ffmpeg lanczos (out_range=tv) on every rung', async (scaler) => {
  const { dir, src } = await realFrame();
  const outs = await scaler.scale(src, LADDER);
  const show = (p: number[]) => p.map((x) => x.toFixed(2)).join(' / ');
  for (const [i, t] of LADDER.entries()) {
    const out = outs[i]!;
    const [y, u, v] = planePsnr(out, await ffmpegReference(dir, t, 'lanczos'), t);
    // ffmpeg's default SIMD path rounds chroma with a bias of up to -0.8 at some ratios; against its
    // exact-rounding mode the two implementations agree to within a code value almost everywhere.
    const exact = planePsnr(out, await ffmpegReference(dir, t, 'lanczos+accurate_rnd'), t);
    console.log(`  ${t.width}x${t.height}: PSNR Y/U/V ${show([y, u, v])} dB (accurate_rnd: ${show(exact)} dB)`);
    assert(y >= 40, `${t.width}x${t.height}: Y PSNR ${y.toFixed(2)} < 40`);
    assert(u >= 40 && v >= 40, `${t.width}x${t.height}: chroma PSNR U ${u.toFixed(2)} V ${v.toFixed(2)} < 40`);
    assert(exact.every((x) => x >= 55), `${t.width}x${t.height}: PSNR vs accurate_rnd ${show(exact)} < 55`);
  }
}, noMedia);

// Timing lives in `npm run bench:scale`, not here: tests assert no timings.

gpuTest('NV12 input gives the same bytes as I420 input of the same picture', async (scaler) => {
  const { src } = await realFrame();
  const targets = [{ width: 854, height: 480 }, { width: 1920, height: 1080 }];
  const a = await scaler.scale(src, targets);
  const b = await scaler.scale(toNv12(src, 40), targets);
  for (const [i, t] of targets.entries()) equalBytes(b[i]!, a[i]!, `NV12 ${t.width}x${t.height}`);
  // And the synthetic odd-size case, where chroma is ceil(w/2) and rows are unaligned.
  const odd = i420(random(321 * 241 + 2 * 161 * 121, 7), 321, 241, false);
  const c = await scaler.scale(odd, [{ width: 160, height: 120 }], { rotation: 270 });
  const d = await scaler.scale(toNv12(odd, 3), [{ width: 160, height: 120 }], { rotation: 270 });
  equalBytes(d[0]!, c[0]!, 'NV12 321x241');
}, noMedia);

gpuTest('concurrent scale() calls return the same as sequential ones', async (scaler) => {
  const frames = [1, 2, 3, 4].map((s) => i420(random(640 * 360 * 3 / 2, s), 640, 360, s % 2 === 0));
  const targets = [{ width: 426, height: 240 }, { width: 256, height: 144 }];
  const sequential: Uint8Array[][] = [];
  for (const f of frames) sequential.push(await scaler.scale(f, targets));
  const concurrent = await Promise.all(frames.map((f) => scaler.scale(f, targets)));
  frames.forEach((_, i) => targets.forEach((t, j) => equalBytes(concurrent[i]![j]!, sequential[i]![j]!, `frame ${i} ${t.width}x${t.height}`)));
  // Pictures written into buffers an allocator hands out (a pool's, holding stale bytes), the
  // GPU rungs' and a 1:1 rung's alike: every byte overwritten, each call its own buffers.
  const given: Uint8Array[] = [];
  const alloc = (n: number) => { const b = new Uint8Array(n).fill(0xa5); given.push(b); return b; };
  const withSame = [...targets, { width: 640, height: 360 }];
  const pooled = await Promise.all(frames.map((f) => scaler.scale(f, withSame, { alloc })));
  const plain = await Promise.all(frames.map((f) => scaler.scale(f, withSame)));
  frames.forEach((_, i) => withSame.forEach((t, j) => {
    equalBytes(pooled[i]![j]!, plain[i]![j]!, `pooled frame ${i} ${t.width}x${t.height}`);
    assert(given.includes(pooled[i]![j]!), `frame ${i} ${t.width}x${t.height}: not the allocator's buffer`);
  }));
  assert(given.length === frames.length * withSame.length, `${given.length} pictures allocated for ${frames.length * withSame.length}`);

  // More geometries in flight than the plan cache holds: evicted plans must outlive their calls.
  const sizes = [[64, 36], [96, 54], [128, 72], [160, 90], [192, 108], [224, 126]] as const;
  const sources = sizes.map(([w, h], i) => i420(random(w * h * 3 / 2, 100 + i), w, h, false));
  const small = [{ width: 32, height: 18 }];
  const many = await Promise.all(sources.flatMap((s) => [scaler.scale(s, small), scaler.scale(s, small, { rotation: 180 })]));
  for (const [i, s] of sources.entries()) {
    equalBytes(many[2 * i]![0]!, (await scaler.scale(s, small))[0]!, `geometry ${i}`);
    equalBytes(many[2 * i + 1]![0]!, (await scaler.scale(s, small, { rotation: 180 }))[0]!, `geometry ${i} rotated`);
  }
});

gpuTest('1-pixel stripes downscaled 4:1 come out flat grey (no aliasing)', async (scaler) => {
  const w = 512;
  const h = 256;
  const patterns: Array<{ name: string; at: (x: number, y: number) => number }> = [
    { name: 'vertical 1-on/1-off', at: (x) => (x % 2 ? 235 : 16) },
    { name: 'horizontal 1-on/1-off', at: (_x, y) => (y % 2 ? 235 : 16) },
    { name: 'vertical 1-on/2-off', at: (x) => (x % 3 === 0 ? 235 : 16) },
    { name: 'checkerboard', at: (x, y) => ((x + y) % 2 ? 235 : 16) },
  ];
  for (const p of patterns) {
    const data = new Uint8Array(w * h * 3 / 2).fill(128);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = p.at(x, y);
    let mean = 0;
    for (let i = 0; i < w * h; i++) mean += data[i]!;
    mean /= w * h;
    const [out] = await scaler.scale(i420(data, w, h, false), [{ width: w / 4, height: h / 4 }]);
    const ow = w / 4;
    const oh = h / 4;
    // Away from the borders (edge replication is allowed to tilt the outermost samples).
    let maxDev = 0;
    for (let y = 4; y < oh - 4; y++) for (let x = 4; x < ow - 4; x++) maxDev = Math.max(maxDev, Math.abs(out![y * ow + x]! - mean));
    // What a bilinear sampler at the same output sites would produce, to show the test can fail.
    let bilinearDev = 0;
    for (let y = 4; y < oh - 4; y++) {
      for (let x = 4; x < ow - 4; x++) {
        const sx = (x + 0.5) * 4 - 0.5 + 0.25; // a slightly off-grid site, as any non-integer ratio gives
        const sy = (y + 0.5) * 4 - 0.5 + 0.25;
        const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
        const b = (1 - fy) * ((1 - fx) * p.at(x0, y0) + fx * p.at(x0 + 1, y0)) + fy * ((1 - fx) * p.at(x0, y0 + 1) + fx * p.at(x0 + 1, y0 + 1));
        bilinearDev = Math.max(bilinearDev, Math.abs(b - mean));
      }
    }
    console.log(`  ${p.name}: max deviation from mean ${mean.toFixed(1)} is ${maxDev.toFixed(1)} (bilinear: ${bilinearDev.toFixed(1)})`);
    assert(maxDev <= 3, `${p.name}: output deviates ${maxDev} from flat ${mean.toFixed(1)}`);
    assert(bilinearDev > 3 * 4, `${p.name}: the pattern does not trip a bilinear sampler`);
  }
});

gpuTest('rotation maps pixels where expected', async (scaler) => {
  // 1:1 in the rotated sense: the scale is the identity, so rotation must be an exact permutation.
  const w = 38;
  const h = 22;
  const src = i420(random(w * h + 2 * (w / 2) * (h / 2), 11), w, h, false);
  const rot = (r: 90 | 180 | 270, pw: number, ph: number, plane: Uint8Array, ox: number, oy: number) => {
    // Source (x, y) that lands on output (ox, oy) under a clockwise rotation.
    if (r === 90) return plane[(ph - 1 - ox) * pw + oy]!;
    if (r === 180) return plane[(ph - 1 - oy) * pw + (pw - 1 - ox)]!;
    return plane[ox * pw + (pw - 1 - oy)]!;
  };
  for (const r of [90, 180, 270] as const) {
    const ow = r === 180 ? w : h;
    const oh = r === 180 ? h : w;
    const [out] = await scaler.scale(src, [{ width: ow, height: oh }], { rotation: r });
    const planes = [
      { pw: w, ph: h, at: 0, outAt: 0 },
      { pw: w / 2, ph: h / 2, at: w * h, outAt: ow * oh },
      { pw: w / 2, ph: h / 2, at: w * h + (w / 2) * (h / 2), outAt: ow * oh + (ow / 2) * (oh / 2) },
    ];
    for (const [i, p] of planes.entries()) {
      const pow = i === 0 ? ow : ow / 2;
      const poh = i === 0 ? oh : oh / 2;
      const plane = src.data.subarray(p.at, p.at + p.pw * p.ph);
      for (let y = 0; y < poh; y++) {
        for (let x = 0; x < pow; x++) {
          const got = out![p.outAt + y * pow + x];
          const want = rot(r, p.pw, p.ph, plane, x, y);
          assert(got === want, `rotation ${r} plane ${i} (${x},${y}): ${got} != ${want}`);
        }
      }
    }
  }
  // Scaled: rotating in the vertical pass must equal scaling upright and then turning the bytes.
  const ow = 166;
  const oh = 122;
  const odd = i420(random(321 * 241 + 2 * 161 * 121, 12), 321, 241, true);
  const [upright] = await scaler.scale(odd, [{ width: ow, height: oh }]);
  for (const r of [90, 180, 270] as const) {
    const tw = r === 180 ? ow : oh;
    const th = r === 180 ? oh : ow;
    const [turned] = await scaler.scale(odd, [{ width: tw, height: th }], { rotation: r });
    let at = 0;
    for (const [pw, ph, div] of [[ow, oh, 1], [ow / 2, oh / 2, 2], [ow / 2, oh / 2, 2]] as const) {
      const plane = upright!.subarray(at, at + pw * ph);
      for (let y = 0; y < th / div; y++) {
        for (let x = 0; x < tw / div; x++) {
          const got = turned![at + y * (tw / div) + x];
          const want = rot(r, pw, ph, plane, x, y);
          assert(got === want, `scaled rotation ${r} at ${at} (${x},${y}): ${got} != ${want}`);
        }
      }
      at += pw * ph;
    }
  }
  // And a picture whose top-left quadrant is bright must, turned 90° clockwise, be bright top-right.
  const qw = 320;
  const qh = 180;
  const q = new Uint8Array(qw * qh * 3 / 2).fill(128);
  for (let y = 0; y < qh; y++) for (let x = 0; x < qw; x++) q[y * qw + x] = x < qw / 2 && y < qh / 2 ? 200 : 40;
  const [turned] = await scaler.scale(i420(q, qw, qh, false), [{ width: 90, height: 160 }], { rotation: 90 });
  const at = (x: number, y: number) => turned![y * 90 + x]!;
  assert(Math.abs(at(70, 20) - 200) <= 1 && Math.abs(at(20, 20) - 40) <= 1, `90° quadrants: TR ${at(70, 20)} TL ${at(20, 20)}`);
  assert(Math.abs(at(20, 140) - 40) <= 1 && Math.abs(at(70, 140) - 40) <= 1, `90° quadrants: bottom ${at(20, 140)} ${at(70, 140)}`);
});

gpuTest('odd and tiny sizes do not crash and give sane values', async (scaler) => {
  const cases: Array<{ w: number; h: number; targets: ScaleTarget[] }> = [
    { w: 321, h: 241, targets: [{ width: 160, height: 120 }, { width: 322, height: 242 }] },
    { w: 1, h: 1, targets: [{ width: 2, height: 2 }] },
    { w: 2, h: 2, targets: [{ width: 2, height: 2 }, { width: 4, height: 4 }] },
    { w: 4095, h: 17, targets: [{ width: 1024, height: 4 }, { width: 4094, height: 16 }, { width: 2, height: 2 }] },
    { w: 3, h: 5, targets: [{ width: 854, height: 480 }] },
  ];
  for (const c of cases) {
    const cw = Math.ceil(c.w / 2);
    const ch = Math.ceil(c.h / 2);
    // Flat planes: normalised filters must reproduce them exactly, range conversion included.
    const data = new Uint8Array(c.w * c.h + 2 * cw * ch);
    data.fill(200, 0, c.w * c.h).fill(60, c.w * c.h, c.w * c.h + cw * ch).fill(230, c.w * c.h + cw * ch);
    const outs = await scaler.scale(i420(data, c.w, c.h, true), c.targets);
    const wantY = Math.round(16 + 200 * 219 / 255);
    const wantU = Math.round(128 + (60 - 128) * 224 / 255);
    const wantV = Math.round(128 + (230 - 128) * 224 / 255);
    for (const [i, t] of c.targets.entries()) {
      const out = outs[i]!;
      const ySize = t.width * t.height;
      const cSize = (t.width / 2) * (t.height / 2);
      assert(out.length === ySize + 2 * cSize, `${c.w}x${c.h}→${t.width}x${t.height}: ${out.length} bytes`);
      for (let k = 0; k < out.length; k++) {
        const want = k < ySize ? wantY : k < ySize + cSize ? wantU : wantV;
        assert(Math.abs(out[k]! - want) <= 1, `${c.w}x${c.h}→${t.width}x${t.height}: byte ${k} is ${out[k]}, expected ${want}`);
      }
    }
  }
  // A ramp stays a ramp: monotonic and inside the input's range after 321x241 → 160x120.
  const w = 321;
  const h = 241;
  const ramp = new Uint8Array(w * h + 2 * 161 * 121).fill(128);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ramp[y * w + x] = 16 + Math.floor((x * 219) / (w - 1));
  const [out] = await scaler.scale(i420(ramp, w, h, false), [{ width: 160, height: 120 }]);
  for (let y = 0; y < 120; y++) {
    for (let x = 1; x < 160; x++) {
      const a = out![y * 160 + x - 1]!;
      const b = out![y * 160 + x]!;
      assert(b >= a && b >= 16 && b <= 235, `ramp row ${y}: ${a} then ${b} at x=${x}`);
    }
  }
});

gpuTest('limited-range input passes through unchanged at 1:1', async (scaler) => {
  for (const [w, h] of [[854, 480], [1920, 1080], [322, 242]] as const) {
    const data = random(w * h * 3 / 2, w);
    const [out] = await scaler.scale(i420(data, w, h, false), [{ width: w, height: h }]);
    equalBytes(out!, data, `${w}x${h} identity`);
    // Beside a scaled rung (which still goes through the GPU), in either order.
    const half = { width: Math.round(w / 4) * 2, height: Math.round(h / 4) * 2 };
    const [, alone] = await scaler.scale(i420(data, w, h, false), [{ width: w, height: h }, half]);
    const [small, same] = await scaler.scale(i420(data, w, h, false), [half, { width: w, height: h }]);
    equalBytes(same!, data, `${w}x${h} identity after a scaled rung`);
    equalBytes(small!, alone!, `${w}x${h} scaled rung beside an identity`);
    assert(small!.length === half.width * half.height * 3 / 2, `${w}x${h}: half-size rung has ${small!.length} bytes`);
  }
});

gpuTest('full-range input at 1:1 is only range-converted', async (scaler) => {
  // 64x32 and 1920x1080 take the word-at-a-time tables; 854x480 and 322x242 (rows not whole words) the
  // byte path; NV12 is repacked first.
  for (const [w, h] of [[64, 32], [1920, 1080], [854, 480], [322, 242]] as const) {
    const data = random(w * h * 3 / 2, w + 5);
    const [out] = await scaler.scale(i420(data, w, h, true), [{ width: w, height: h }]);
    const [fromNv12] = await scaler.scale(toNv12(i420(data, w, h, true), 16), [{ width: w, height: h }]);
    for (let i = 0; i < data.length; i++) {
      const want = i < w * h ? Math.round(16 + data[i]! * 219 / 255) : Math.round(128 + (data[i]! - 128) * 224 / 255);
      if (out![i] !== want) assert(false, `${w}x${h} byte ${i}: ${out![i]} != ${want} (from ${data[i]})`);
    }
    equalBytes(fromNv12!, out!, `${w}x${h} NV12 at 1:1`);
  }
});

gpuTest('bad targets and truncated planes are rejected', async (scaler) => {
  const src = i420(new Uint8Array(16 * 16 * 3 / 2), 16, 16, false);
  for (const t of [{ width: 15, height: 16 }, { width: 0, height: 2 }, { width: 4.5, height: 2 }]) {
    const err = await scaler.scale(src, [t]).then(() => null, (e: unknown) => e);
    assert(err instanceof Error && err.name === 'TranscodeError', `target ${t.width}x${t.height}: ${String(err)}`);
  }
  const short = { ...src, data: src.data.subarray(0, 300) };
  const err = await scaler.scale(short, [{ width: 8, height: 8 }]).then(() => null, (e: unknown) => e);
  assert(err instanceof Error && err.name === 'CorruptInputError', `truncated: ${String(err)}`);
  assert((await scaler.scale(src, [])).length === 0, 'no targets → no outputs');
});

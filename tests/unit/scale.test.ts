// The scaler's CPU side without a GPU (the kernels themselves: tests/deno/scale.test.ts on
// llvmpipe): Lanczos-3 tables (rows sum to 1, a 1:1 axis is an exact copy, a downscale widens the
// kernel, taps stay inside the source), their regrouping into the kernel's 4-output blocks (every
// weight kept at its source row), plane packing, and which kernels a geometry needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK, blockFilter, buildFilter } from '../../src/scale/filters.ts';
import type { FilterTable } from '../../src/scale/filters.ts';
import { COMMON_KERNELS, kernelsFor, packPlanes, rangeTables } from '../../src/scale/plan.ts';
import type { Geometry } from '../../src/scale/plan.ts';
import { variantKey } from '../../src/scale/pipelines.ts';

/** Weight of source sample s in output i. */
function weight(t: FilterTable, i: number, s: number): number {
  const k = s - t.starts[i]!;
  return k >= 0 && k < t.taps ? t.weights[i * t.taps + k]! : 0;
}

describe('buildFilter', () => {
  for (const [src, dst] of [[1920, 1280], [1080, 360], [720, 480], [101, 37], [360, 720]] as const) {
    it(`${src} → ${dst}: every row sums to 1, and its non-zero taps lie inside the source`, () => {
      const t = buildFilter(src, dst);
      assert.equal(t.starts.length, dst);
      assert.equal(t.weights.length, dst * t.taps);
      for (let i = 0; i < dst; i++) {
        let sum = 0;
        for (let k = 0; k < t.taps; k++) {
          const w = t.weights[i * t.taps + k]!;
          sum += w;
          if (w !== 0) assert.ok(t.starts[i]! + k < src, `output ${i} tap ${k} past the source`);
        }
        assert.ok(Math.abs(sum - 1) < 1e-5, `output ${i} sums to ${sum}`);
      }
    });
  }

  it('1:1 is a single weight of 1 at the same sample (a bit-exact copy)', () => {
    const t = buildFilter(64, 64);
    for (let i = 0; i < 64; i++) {
      for (let s = 0; s < 64; s++) assert.equal(weight(t, i, s), s === i ? 1 : 0);
    }
  });

  it('a 3:1 downscale stretches the kernel: 17–19 taps (3 × 6, less the zero ends), centred on the output site', () => {
    const t = buildFilter(1080, 360);
    assert.ok(t.taps >= 17 && t.taps <= 19, `taps ${t.taps}`); // support ±9 source samples
    // Output 100 sits at source 301 (centre of samples 300..302): its largest weight is there.
    let best = 0;
    for (let s = 0; s < 1080; s++) if (weight(t, 100, s) > weight(t, 100, best)) best = s;
    assert.equal(best, 301);
  });

  it('tapMultiple pads the taps with zeros', () => {
    const t = buildFilter(1920, 1280, 128, 128, 8);
    assert.equal(t.taps % 8, 0);
  });
});

describe('blockFilter', () => {
  for (const [src, dst] of [[1920, 854], [1080, 480], [37, 11], [8, 6]] as const) {
    it(`${src} → ${dst}: each output's weights land on the same source rows, in one window per block of ${BLOCK}`, () => {
      const t = buildFilter(src, dst);
      const b = blockFilter(t);
      assert.equal(b.blocks, Math.ceil(dst / BLOCK));
      assert.equal(b.weights.length, b.blocks * b.span * BLOCK);
      assert.ok(b.span <= src);
      for (let i = 0; i < dst; i++) {
        const blk = Math.floor(i / BLOCK);
        const j = i % BLOCK;
        const start = b.starts[blk]!;
        assert.ok(start + b.span <= src, `block ${blk}'s window stays inside the source`);
        for (let s = 0; s < src; s++) {
          const inWindow = s >= start && s < start + b.span;
          const w = inWindow ? b.weights[(blk * b.span + s - start) * BLOCK + j]! : 0;
          assert.equal(w, Math.fround(weight(t, i, s)), `output ${i}, source ${s}`);
        }
      }
    });
  }
});

describe('packPlanes', () => {
  it('drops row padding and concatenates the planes', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
    const out = packPlanes(bytes, [{ offset: 0, stride: 8, width: 4, height: 2 }, { offset: 32, stride: 4, width: 4, height: 2 }]);
    assert.deepEqual([...out], [0, 1, 2, 3, 8, 9, 10, 11, 32, 33, 34, 35, 36, 37, 38, 39]);
  });

  it('maps each plane through its range table, padding dropped', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i * 4);
    const tables = rangeTables(true)!;
    const planes = [{ offset: 0, stride: 8, width: 4, height: 2 }, { offset: 32, stride: 4, width: 2, height: 1 }, { offset: 48, stride: 4, width: 2, height: 1 }];
    const out = packPlanes(bytes, planes, tables);
    const want = [0, 1, 2, 3, 8, 9, 10, 11].map((i) => Math.round(16 + (i * 4) * 219 / 255))
      .concat([32, 33, 48, 49].map((i) => Math.round(128 + (i * 4 - 128) * 224 / 255)));
    assert.deepEqual([...out], want);
  });

  it('writes into the buffer its allocator gives (a pool\'s, stale bytes overwritten), and refuses one of another size', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
    const planes = [{ offset: 0, stride: 8, width: 4, height: 2 }];
    const pooled = new Uint8Array(8).fill(0xee);
    const out = packPlanes(bytes, planes, null, (n) => (n === 8 ? pooled : new Uint8Array(n)));
    assert.equal(out, pooled);
    assert.deepEqual([...out], [0, 1, 2, 3, 8, 9, 10, 11]);
    assert.throws(() => packPlanes(bytes, planes, null, () => new Uint8Array(9)), /Uint8Array of 8 bytes, got 9 bytes/);
  });
});

describe('rangeTables', () => {
  it('full range maps 0..255 onto 16..235 (Y) and 16..240 (U, V), rounded, both bytes of a pair; limited range needs none', () => {
    const [y, u, v] = rangeTables(true)!;
    const Y = (b: number) => Math.round(16 + b * 219 / 255);
    const C = (b: number) => Math.round(128 + (b - 128) * 224 / 255);
    assert.deepEqual([Y(0), Y(255), C(0), C(128), C(255)], [16, 235, 16, 128, 240]);
    for (let lo = 0; lo < 256; lo++) {
      for (const hi of [0, 1, 127, 128, 254, 255, lo]) {
        assert.equal(y![lo | (hi << 8)], Y(lo) | (Y(hi) << 8));
        assert.equal(u![lo | (hi << 8)], C(lo) | (C(hi) << 8));
      }
    }
    assert.equal(v, u);
    assert.equal(rangeTables(false), null);
  });
});

describe('kernelsFor', () => {
  const geometry = (targets: Array<{ width: number; height: number }>, rotation: Geometry['rotation'] = 0): Geometry => ({
    key: 'k', sourceBytes: 0, fullRange: false, rotation, targets,
    planes: [{ offset: 0, stride: 1920, width: 1920, height: 1080 }, { offset: 0, stride: 960, width: 960, height: 540 }, { offset: 0, stride: 960, width: 960, height: 540 }],
  });
  const keys = (g: Geometry) => [...new Set(kernelsFor(g).map(variantKey))].sort();

  it('an upright source-size rung needs no kernel; a smaller one the transpose and both resample passes', () => {
    assert.deepEqual(keys(geometry([{ width: 1920, height: 1080 }])), []);
    assert.deepEqual(keys(geometry([{ width: 1280, height: 720 }])), [...new Set(COMMON_KERNELS.map(variantKey))].sort());
  });

  it('a rotated source turns instead of copying, with ROTATION = degrees / 90', () => {
    assert.deepEqual(keys(geometry([{ width: 1080, height: 1920 }], 90)), ['copy.main_turn:ROTATION=1']);
    assert.ok(keys(geometry([{ width: 360, height: 640 }], 270)).includes('copy.main_turn:ROTATION=3'));
  });
});

// CPU-side construction of the 1-D Lanczos-3 filter tables the WGSL passes apply. Positions follow
// ffmpeg swscale's initFilter (16.16 step, 1/256-sample siting) so output lines up with `ffmpeg
// -vf scale=flags=lanczos` to well under a hundredth of a pixel; building on the CPU once per
// geometry keeps the shaders a plain multiply-add loop.

/** One axis of a resample: for each output sample, `taps` weights starting at source index `starts[i]`. */
export interface FilterTable {
  srcLength: number;
  dstLength: number;
  /** Weights per output sample, padded with zeros to the requested multiple. */
  taps: number;
  /** First source index per output sample. Only the unpadded taps are kept inside the source; the
   * zero-weight padding may reach up to `taps - 1` samples past its end. */
  starts: Uint32Array;
  /** `dstLength * taps` weights, each row summing to 1; edge taps are folded onto the border sample. */
  weights: Float32Array;
}

const LANCZOS_A = 3;

function lanczos(x: number): number {
  const ax = Math.abs(x);
  if (ax >= LANCZOS_A) return 0;
  if (ax < 1e-12) return 1;
  // Exact zeros at the other integers make a 1:1 axis a single weight of 1 (a bit-exact copy).
  if (Math.abs(ax - Math.round(ax)) < 1e-12) return 0;
  const px = Math.PI * ax;
  return (LANCZOS_A * Math.sin(px) * Math.sin(px / LANCZOS_A)) / (px * px);
}

/**
 * Builds the table for `srcLength → dstLength`. `srcPos`/`dstPos` are the sample sites in 1/256
 * of a sample from the left edge of the sample's cell (128 = centred), as swscale's get_local_pos
 * returns them. The kernel is stretched by the downscale ratio, as swscale does, so every source
 * sample under an output sample's footprint contributes (anti-aliasing).
 */
export function buildFilter(srcLength: number, dstLength: number, srcPos = 128, dstPos = 128, tapMultiple = 1): FilterTable {
  // swscale's rounded 16.16 step and 15.17 start; mirroring them keeps long rows in phase with it.
  const inc = Math.floor((srcLength * 65536 + (dstLength >> 1)) / dstLength);
  const start17 = Math.floor((dstPos * inc) / 128) - Math.floor((srcPos * 65536) / 128);
  const stretch = inc > 65536 ? dstLength / srcLength : 1;
  const radius = LANCZOS_A / stretch;

  const rows: Array<Map<number, number>> = [];
  let taps = 1;
  for (let i = 0; i < dstLength; i++) {
    const centre = (start17 + 2 * inc * i) / 131072;
    const row = new Map<number, number>();
    let sum = 0;
    for (let s = Math.ceil(centre - radius); s <= Math.floor(centre + radius); s++) {
      const w = lanczos((s - centre) * stretch);
      if (w === 0) continue;
      // Replicating the border sample is the same as folding out-of-range weights onto it.
      const k = Math.min(srcLength - 1, Math.max(0, s));
      row.set(k, (row.get(k) ?? 0) + w);
      sum += w;
    }
    if (row.size === 0 || sum === 0) {
      row.clear();
      row.set(Math.min(srcLength - 1, Math.max(0, Math.round(centre))), 1);
      sum = 1;
    }
    for (const [k, w] of row) row.set(k, w / sum);
    const keys = [...row.keys()];
    taps = Math.max(taps, Math.max(...keys) - Math.min(...keys) + 1);
    rows.push(row);
  }
  const used = Math.min(taps, srcLength);
  // The shaders consume weights four at a time, so rows are padded to whole vec4s.
  const padded = Math.ceil(used / tapMultiple) * tapMultiple;

  const starts = new Uint32Array(dstLength);
  const weights = new Float32Array(dstLength * padded);
  rows.forEach((row, i) => {
    const first = Math.min(...row.keys());
    const start = Math.max(0, Math.min(first, srcLength - used));
    starts[i] = start;
    for (const [k, w] of row) weights[i * padded + (k - start)] = w;
  });
  return { srcLength, dstLength, taps: padded, starts, weights };
}

/** Output samples per block: one vec4 of weights per window row covers a block. */
export const BLOCK = 4;

/**
 * A filter table regrouped for the resample kernel: output samples in blocks of BLOCK, each block
 * reading one window of `span` consecutive source rows that starts at `starts[b]`, with a dense
 * BLOCK-wide weight vector per window row (zero where a row is outside an output's taps). Sharing
 * the window is what makes the kernel cheap on CPU adapters: one source row load feeds every output
 * of the block.
 */
export interface BlockTable {
  blocks: number;
  span: number;
  starts: Uint32Array;
  /** `blocks * span * BLOCK` weights: block-major, then window row, then output within the block. */
  weights: Float32Array;
}

export function blockFilter(t: FilterTable): BlockTable {
  const blocks = Math.ceil(t.dstLength / BLOCK);
  const first = (b: number) => t.starts[b * BLOCK]!;
  let span = 1;
  for (let b = 0; b < blocks; b++) {
    const last = Math.min(t.dstLength, (b + 1) * BLOCK) - 1;
    span = Math.max(span, t.starts[last]! + t.taps - first(b));
  }
  span = Math.min(span, Math.max(t.srcLength, 1));
  const starts = new Uint32Array(blocks);
  const weights = new Float32Array(blocks * span * BLOCK);
  for (let b = 0; b < blocks; b++) {
    // Slide the window left where it would run past the source's end: it still covers every tap.
    const start = Math.max(0, Math.min(first(b), t.srcLength - span));
    starts[b] = start;
    for (let j = 0; j < BLOCK; j++) {
      const i = b * BLOCK + j;
      if (i >= t.dstLength) break;
      for (let k = 0; k < t.taps; k++) {
        const w = t.weights[i * t.taps + k]!;
        if (w !== 0) weights[(b * span + t.starts[i]! + k - start) * BLOCK + j] = w;
      }
    }
  }
  return { blocks, span, starts, weights };
}

// One pass of the separable Lanczos-3 scaler, for one plane of one rung: filters a row-major
// matrix along its rows (the row index is the filtered axis). Pass 1 (main_u16) reads the source
// plane transposed (8-bit, one texel row per source column; scale_copy.wgsl's main_transpose, copied
// into a texture), so it filters horizontally, and writes transposed again: an intermediate with one
// row per source row (two to a texel row), in 16-bit fixed point (value * 128 + 64 * 128, overshoot
// above white cut as swscale's 15-bit intermediate cuts it). Pass 2 (main_u8) filters that
// vertically and writes the output plane upright (8-bit, converted to limited range: value * scale
// + offset, rounded half up, clamped to 0..255). Horizontal first, with that cut, is swscale's
// order, which keeps highlights within a code value of ffmpeg's.
//
// Why this shape: on CPU adapters (SwiftShader, llvmpipe) lanes share nothing and every load with a
// per-lane address is a gather, so the kernel is built to need few loads. An invocation takes 16
// columns and a block of 4 consecutive outputs along the filtered axis. The block's outputs share
// one window of `span` input rows; the CPU turns each block's taps into one dense vec4 of weights per
// window row (filters.ts, blockFilter), so a row load and a weight load feed 64 multiply-adds.
//
// Why textures, not storage buffers, for what the passes read: a storage load with a per-lane
// address costs a bounds-checked branch per lane and per 32-bit word on both CPU adapters, where a
// texel fetch is one clamped gather (llvmpipe: 85 → 33–45 ms per 1080p frame for the default ladder
// when the reads moved to textures; SwiftShader a few percent faster). So the transposed source is an
// rgba32uint texture (one texel = 16 8-bit samples), the weights an rgba32float texture (one row per
// block: a zero texel, its `span` texels, zeros), and pass 1 writes the intermediate into an
// rgba32uint storage texture whose texel holds the block's 4 outputs (16-bit) for two neighbouring
// source rows, so pass 1 stores 8 texels for its 16 columns and pass 2 reads 4 texels for 16 columns
// of two window rows (SwiftShader 134 → 124 ms per frame against one row per texel).
//
// Tiling: strips of 16 columns x blocks invocations, dispatched as one row of 64-invocation
// workgroups (cell()), so only the last workgroup has idle invocations. SwiftShader runs the code
// after an early return with the lanes masked off, so every idle invocation still pays for the
// stores: with 16 x 4 workgroups 18% of the invocations were idle (a 34-strip chroma plane filled
// 48), and the one-row dispatch took SwiftShader from 120.4 to 113.6–116.2 ms per frame and
// llvmpipe from 37 to 29.5–32.3.
// prelude.wgsl is prepended when the pipeline loads (this kernel unpacks with the unorm builtins).

// Input samples: 8-bit (pass 1) or 16-bit fixed point (pass 2). A pipeline constant, so the unused
// unpacking compiles away.
override IN16: bool = false;

struct Pass {
  // y: strips of 16 columns (the dispatch's row length); z: input rows (the filtered axis); w:
  // input columns
  input: vec4<u32>,
  // x: first vec4 of the output (main_u8); y: vec4s per output row (main_u8); z: blocks; w: output
  // rows (main_u8)
  output: vec4<u32>,
  // x: first texel row of this pass's block weights; y: span (window rows); z: first block start
  filt: vec4<u32>,
  // x: scale; y: offset (limited-range conversion, pass 2 only)
  range: vec4<f32>,
}

@group(0) @binding(0) var<uniform> step: Pass;
// Pass 1: the transposed source plane; pass 2: the intermediate (both rgba32uint).
@group(0) @binding(1) var src: texture_2d<u32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var weights: texture_2d<f32>;
@group(0) @binding(4) var inter: texture_storage_2d<rgba32uint, write>;
@group(0) @binding(5) var<storage, read_write> dst8: array<vec4<u32>>;

// The 16 accumulated columns, each a vec4 over the block's four outputs. Named fields, not an
// array: a dynamically indexed private array becomes per-lane memory traffic on CPU adapters.
struct Acc {
  c0: vec4<f32>,
  c1: vec4<f32>,
  c2: vec4<f32>,
  c3: vec4<f32>,
  c4: vec4<f32>,
  c5: vec4<f32>,
  c6: vec4<f32>,
  c7: vec4<f32>,
  c8: vec4<f32>,
  c9: vec4<f32>,
  c10: vec4<f32>,
  c11: vec4<f32>,
  c12: vec4<f32>,
  c13: vec4<f32>,
  c14: vec4<f32>,
  c15: vec4<f32>,
}

// Samples as the unorm builtins give them (8-bit / 255, 16-bit / 65535): one instruction per word,
// where shifting, masking and converting each lane cost several on SwiftShader (about 1/6 of the
// pass). The scale is folded back into put16() and to8().
fn bytes(word: u32) -> vec4<f32> {
  return unpack4x8unorm(word);
}

fn halves(word: u32) -> vec2<f32> {
  return unpack2x16unorm(word);
}

fn filterColumns(gid: vec3<u32>) -> Acc {
  let block = gid.y;
  let span = step.filt.y;
  let lastRow = step.input.z - 1u;
  let first = starts[step.filt.z + block];
  let wrow = step.filt.x + block;
  // Plain locals, not the struct: SwiftShader keeps them in registers, a struct in memory.
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var c4 = vec4<f32>(0.0);
  var c5 = vec4<f32>(0.0);
  var c6 = vec4<f32>(0.0);
  var c7 = vec4<f32>(0.0);
  var c8 = vec4<f32>(0.0);
  var c9 = vec4<f32>(0.0);
  var c10 = vec4<f32>(0.0);
  var c11 = vec4<f32>(0.0);
  var c12 = vec4<f32>(0.0);
  var c13 = vec4<f32>(0.0);
  var c14 = vec4<f32>(0.0);
  var c15 = vec4<f32>(0.0);
  // Both passes go through the window two rows a step (rows a and b, weights wa and wb), so each
  // accumulator is read and written once per two rows (CPU adapters keep the 64 accumulator values
  // in memory). Pass 2's intermediate holds two rows per texel row (xy the even row's 4 samples, zw
  // the odd row's), so its steps are the texel rows: a window that starts on an odd row takes the
  // even row before it with weight 0 (the weight texture's column 0 is zero). An odd number of
  // window rows ends on a row with weight 0 (the weight texture's columns past the span are zero).
  let odd = select(0u, first & 1u, IN16);
  let steps = (odd + span + 1u) >> 1u;
  for (var j = 0u; j < steps; j++) {
    let kw = 2u * j + 1u - odd;
    let wa = textureLoad(weights, vec2<u32>(kw, wrow), 0);
    let wb = textureLoad(weights, vec2<u32>(kw + 1u, wrow), 0);
    // The 16 columns of row a (a0..a3) and of row b (b0..b3).
    var a0: vec4<f32>; var a1: vec4<f32>; var a2: vec4<f32>; var a3: vec4<f32>;
    var b0: vec4<f32>; var b1: vec4<f32>; var b2: vec4<f32>; var b3: vec4<f32>;
    if (IN16) {
      let pr = min((first >> 1u) + j, lastRow >> 1u);
      let x = gid.x * 4u;
      let t0 = textureLoad(src, vec2<u32>(x, pr), 0);
      let t1 = textureLoad(src, vec2<u32>(x + 1u, pr), 0);
      let t2 = textureLoad(src, vec2<u32>(x + 2u, pr), 0);
      let t3 = textureLoad(src, vec2<u32>(x + 3u, pr), 0);
      a0 = vec4<f32>(halves(t0.x), halves(t0.y)); b0 = vec4<f32>(halves(t0.z), halves(t0.w));
      a1 = vec4<f32>(halves(t1.x), halves(t1.y)); b1 = vec4<f32>(halves(t1.z), halves(t1.w));
      a2 = vec4<f32>(halves(t2.x), halves(t2.y)); b2 = vec4<f32>(halves(t2.z), halves(t2.w));
      a3 = vec4<f32>(halves(t3.x), halves(t3.y)); b3 = vec4<f32>(halves(t3.z), halves(t3.w));
    } else {
      // Rows past the end (tiny planes only) carry zero weights; clamping keeps the fetch inside.
      let r = first + 2u * j;
      let ta = textureLoad(src, vec2<u32>(gid.x, min(r, lastRow)), 0);
      let tb = textureLoad(src, vec2<u32>(gid.x, min(r + 1u, lastRow)), 0);
      a0 = bytes(ta.x); a1 = bytes(ta.y); a2 = bytes(ta.z); a3 = bytes(ta.w);
      b0 = bytes(tb.x); b1 = bytes(tb.y); b2 = bytes(tb.z); b3 = bytes(tb.w);
    }
    c0 += a0.x * wa + b0.x * wb;
    c1 += a0.y * wa + b0.y * wb;
    c2 += a0.z * wa + b0.z * wb;
    c3 += a0.w * wa + b0.w * wb;
    c4 += a1.x * wa + b1.x * wb;
    c5 += a1.y * wa + b1.y * wb;
    c6 += a1.z * wa + b1.z * wb;
    c7 += a1.w * wa + b1.w * wb;
    c8 += a2.x * wa + b2.x * wb;
    c9 += a2.y * wa + b2.y * wb;
    c10 += a2.z * wa + b2.z * wb;
    c11 += a2.w * wa + b2.w * wb;
    c12 += a3.x * wa + b3.x * wb;
    c13 += a3.y * wa + b3.y * wb;
    c14 += a3.z * wa + b3.z * wb;
    c15 += a3.w * wa + b3.w * wb;
  }
  return Acc(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15);
}

// Two neighbouring intermediate rows' 4 samples (the block's outputs for two source rows) as one
// texel: v is in 1/255 of a code value (bytes()). Ringing above white is cut where swscale's 15-bit
// intermediate saturates (32767 / 128). Rounded half up; the cut bounds it above 65535, max() keeps
// the conversion defined below 0.
fn to16(v: vec4<f32>) -> vec2<u32> {
  let q = vec4<u32>(max(min(v, vec4<f32>(32767.0 / 128.0 / 255.0)) * (128.0 * 255.0) + (64.0 * 128.0 + 0.5), vec4<f32>(0.0)));
  return vec2<u32>(q.x | (q.y << 16u), q.z | (q.w << 16u));
}

fn put16(block: u32, pair: u32, even: vec4<f32>, odd: vec4<f32>) {
  textureStore(inter, vec2<u32>(block, pair), vec4<u32>(to16(even), to16(odd)));
}

// (acc * 65535 / 128 - 64) * scale + offset, rounded half up and clamped, with the constants folded
// (acc is in 1/65535 of the 16-bit intermediate: halves()).
fn to8(acc: vec4<f32>) -> vec4<u32> {
  let scale = step.range.x * (65535.0 / 128.0);
  let offset = step.range.y - 64.0 * step.range.x + 0.5;
  return vec4<u32>(clamp(acc * scale + offset, vec4<f32>(0.0), vec4<f32>(255.0)));
}

// A one-dimensional dispatch of strips x blocks invocations (rounded up to whole workgroups only
// once, not once per row of workgroups): invocation i takes strip i % strips of block i / strips.
fn cell(i: u32) -> vec3<u32> {
  let strips = step.input.y;
  return vec3<u32>(i % strips, i / strips, 0u);
}

fn inRange(gid: vec3<u32>) -> bool {
  return gid.x * 16u < step.input.w && gid.y < step.output.z;
}

// Pass 1: 8-bit rows in, 16-bit fixed point out, transposed: the 16 columns are 16 source rows,
// stored as 8 texels of two rows each. Columns past the input's width land in the intermediate's
// slack rows, so no store needs a guard.
@compute @workgroup_size(64)
fn main_u16(@builtin(global_invocation_id) id: vec3<u32>) {
  let gid = cell(id.x);
  if (!inRange(gid)) {
    return;
  }
  let acc = filterColumns(gid);
  let r = gid.x * 8u;
  let b = gid.y;
  put16(b, r + 0u, acc.c0, acc.c1);
  put16(b, r + 1u, acc.c2, acc.c3);
  put16(b, r + 2u, acc.c4, acc.c5);
  put16(b, r + 3u, acc.c6, acc.c7);
  put16(b, r + 4u, acc.c8, acc.c9);
  put16(b, r + 5u, acc.c10, acc.c11);
  put16(b, r + 6u, acc.c12, acc.c13);
  put16(b, r + 7u, acc.c14, acc.c15);
}

// Pass 2: 16-bit fixed point rows in, limited-range 8-bit out, not transposed: the 16 columns of
// each of the block's four rows are one 16-byte store. Rows past the plane's height would overwrite
// the next plane, so those stores are skipped; columns past its width land in the row padding.
@compute @workgroup_size(64)
fn main_u8(@builtin(global_invocation_id) id: vec3<u32>) {
  let gid = cell(id.x);
  if (!inRange(gid)) {
    return;
  }
  let acc = filterColumns(gid);
  // Each word packs four neighbouring columns; as a vec4 it holds that word for the block's rows.
  let a = to8(acc.c0) | (to8(acc.c1) << vec4<u32>(8u)) | (to8(acc.c2) << vec4<u32>(16u)) | (to8(acc.c3) << vec4<u32>(24u));
  let b = to8(acc.c4) | (to8(acc.c5) << vec4<u32>(8u)) | (to8(acc.c6) << vec4<u32>(16u)) | (to8(acc.c7) << vec4<u32>(24u));
  let c = to8(acc.c8) | (to8(acc.c9) << vec4<u32>(8u)) | (to8(acc.c10) << vec4<u32>(16u)) | (to8(acc.c11) << vec4<u32>(24u));
  let d = to8(acc.c12) | (to8(acc.c13) << vec4<u32>(8u)) | (to8(acc.c14) << vec4<u32>(16u)) | (to8(acc.c15) << vec4<u32>(24u));
  let stride = step.output.y;
  let row = gid.y * 4u;
  let rows = step.output.w;
  let at = step.output.x + row * stride + gid.x;
  dst8[at] = vec4<u32>(a.x, b.x, c.x, d.x);
  if (row + 1u < rows) { dst8[at + stride] = vec4<u32>(a.y, b.y, c.y, d.y); }
  if (row + 2u < rows) { dst8[at + 2u * stride] = vec4<u32>(a.z, b.z, c.z, d.z); }
  if (row + 3u < rows) { dst8[at + 3u * stride] = vec4<u32>(a.w, b.w, c.w, d.w); }
}

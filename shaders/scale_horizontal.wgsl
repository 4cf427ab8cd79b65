// Horizontal pass of the separable Lanczos-3 scaler, for one plane (Y, U or V) of one rung. Reads
// 8-bit samples straight out of the uploaded VideoFrame.copyTo bytes (packed four to a u32,
// honouring the plane's offset and stride; STEP is 1 for planar I420 and 2 for NV12's interleaved
// chroma) and writes every source row, resampled to the rung's width, as f32 into `inter`: a
// weighted sum of neighbouring samples, with each column's first sample and weights precomputed
// on the CPU. Range conversion and rounding are left to the vertical pass so no precision is lost;
// only overshoot above white is clipped, as ffmpeg's swscale does.
//
// Tiling: one invocation per output column and four consecutive rows, which share the column's
// first sample and weights (loaded once, not four times). Workgroups are 64 columns wide; the
// dispatch is ceil(width / 64) x ceil(rows / 4), so no division is needed to find the samples.

// Bytes between neighbouring source samples; a pipeline constant so the unused path compiles away
// (CPU adapters such as SwiftShader pay for both sides of a branch).
override STEP: u32 = 1u;

// Source rows per invocation: the four share the column's first sample and weights.
const ROWS = 4u;

struct Plane {
  // x: byte offset of sample (0, 0); y: row stride in bytes
  src: vec4<u32>,
  // x: output width; y: rows; z: index of the plane's first element in `inter`
  dst: vec4<u32>,
  // x: index of the per-column first sample in `starts`; y: taps / 4; z: index of the weights in
  // `weights` (vec4 units)
  filt: vec4<u32>,
}

@group(0) @binding(0) var<uniform> plane: Plane;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> inter: array<f32>;

const BYTE_SHIFTS = vec4<u32>(0u, 8u, 16u, 24u);

fn sourceByte(addr: u32) -> u32 {
  return (src[addr >> 2u] >> ((addr & 3u) * 8u)) & 0xffu;
}

// Four samples from any byte address: for planar rows two word loads instead of four.
fn sourceQuad(addr: u32) -> vec4<f32> {
  if (STEP == 1u) {
    let word = addr >> 2u;
    let shift = (addr & 3u) * 8u;
    let lo = src[word];
    let hi = src[word + 1u];
    let packed = select((lo >> shift) | (hi << (32u - shift)), lo, shift == 0u);
    return vec4<f32>((vec4<u32>(packed) >> BYTE_SHIFTS) & vec4<u32>(0xffu));
  }
  return vec4<f32>(vec4<u32>(sourceByte(addr), sourceByte(addr + STEP), sourceByte(addr + 2u * STEP), sourceByte(addr + 3u * STEP)));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x = gid.x;
  let rows = plane.dst.y;
  let y0 = gid.y * ROWS;
  if (x >= plane.dst.x || y0 >= rows) {
    return;
  }
  let quads = plane.filt.y;
  let w = plane.filt.z + x * quads;
  let stride = plane.src.y;
  // Rows past the plane's end repeat its last row; their results are not stored.
  let lastRow = rows - 1u;
  var addr = plane.src.x + starts[plane.filt.x + x] * STEP
    + min(vec4<u32>(y0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(lastRow)) * stride;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  // Taps are padded to a multiple of four with zero weights; the padding may read up to three
  // samples past the row, which is harmless (finite bytes, zero weight, the buffer has slack).
  for (var k = 0u; k < quads; k++) {
    let c = weights[w + k];
    acc0 += c * sourceQuad(addr.x);
    acc1 += c * sourceQuad(addr.y);
    acc2 += c * sourceQuad(addr.z);
    acc3 += c * sourceQuad(addr.w);
    addr += vec4<u32>(4u * STEP);
  }
  // Ringing above white is cut where swscale's 15-bit intermediate saturates (32767 / 128), which
  // keeps blown-out highlights within a code value or two of ffmpeg's output.
  let ones = vec4<f32>(1.0);
  let sums = min(vec4<f32>(dot(acc0, ones), dot(acc1, ones), dot(acc2, ones), dot(acc3, ones)), vec4<f32>(32767.0 / 128.0));
  let width = plane.dst.x;
  let out = plane.dst.z + y0 * width + x;
  inter[out] = sums.x;
  if (y0 + 1u < rows) { inter[out + width] = sums.y; }
  if (y0 + 2u < rows) { inter[out + 2u * width] = sums.z; }
  if (y0 + 3u < rows) { inter[out + 3u * width] = sums.w; }
}

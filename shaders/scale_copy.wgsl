// Moves one plane without filtering: the quarter and half turns of a rotated source's 1:1 rung (the
// output has the source's display size) or of an already scaled rung. Converts to limited range on
// the way (value * scale + offset, rounded half up, clamped to 0..255); with scale 1 and offset 0
// the bytes pass through unchanged, so a limited-range source comes out bit-identical. An upright
// 1:1 rung never comes here: the CPU copies it (through a range table for a full-range source).
//
// Source planes are 8-bit with 16-byte aligned offsets and strides (the scaler repacks any frame
// that is not). Output rows are padded to whole u32 words; the CPU drops the padding.
//
// main_turn (ROTATION 1..3, clockwise / 90): one invocation writes one word, four neighbouring
// output samples, each fetched from its own source byte; workgroups are 64 words x 4 rows.
// main_transpose: the source plane with rows and columns swapped, no range change, so the
// resampler's first pass can filter along rows (see resample.wgsl); one invocation reads 16 columns
// of 4 rows (four loads) and writes 16 words, one per column; workgroups are 16 x 4 invocations.
// unpackBytes and packBytes come from prelude.wgsl, prepended when the pipeline loads.

override ROTATION: u32 = 0u;

struct Plane {
  // x: byte offset of source sample (0, 0); y: source row stride in bytes
  src: vec4<u32>,
  // x: output width; y: output height; z: first word in `dst`; w: words per output row
  out: vec4<u32>,
  // x: scale; y: offset (limited-range conversion)
  range: vec4<f32>,
}

@group(0) @binding(0) var<uniform> plane: Plane;
@group(0) @binding(1) var<storage, read> words: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> quads: array<vec4<u32>>;

fn convert(samples: vec4<u32>) -> u32 {
  return packBytes(vec4<u32>(clamp(floor(vec4<f32>(samples) * plane.range.x + plane.range.y + 0.5), vec4<f32>(0.0), vec4<f32>(255.0))));
}

fn sourceByte(addr: u32) -> u32 {
  return (words[addr >> 2u] >> ((addr & 3u) * 8u)) & 0xffu;
}

@compute @workgroup_size(64, 4)
fn main_turn(@builtin(global_invocation_id) gid: vec3<u32>) {
  let y = gid.y;
  if (gid.x >= plane.out.w || y >= plane.out.y) {
    return;
  }
  let last = vec4<u32>(plane.out.x - 1u);
  let x = min(gid.x * 4u + vec4<u32>(0u, 1u, 2u, 3u), last);
  // (u, v): source column and row that land on (x, y).
  var u = vec4<u32>(y);
  var v = last - x;
  if (ROTATION == 2u) {
    u = last - x;
    v = vec4<u32>(plane.out.y - 1u - y);
  } else if (ROTATION == 3u) {
    u = vec4<u32>(plane.out.y - 1u - y);
    v = x;
  }
  let addr = plane.src.x + v * plane.src.y + u;
  dst[plane.out.z + y * plane.out.w + gid.x] = convert(vec4<u32>(sourceByte(addr.x), sourceByte(addr.y), sourceByte(addr.z), sourceByte(addr.w)));
}

// Four rows' byte k of one word each, as one word: a column of a 4x4 byte block.
fn column(rows: vec4<u32>, k: u32) -> u32 {
  return packBytes((rows >> vec4<u32>(8u * k)) & vec4<u32>(0xffu));
}

// out: x = source columns, y = source rows, z = first word in `dst`, w = words per transposed row.
@compute @workgroup_size(16, 4)
fn main_transpose(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x0 = gid.x * 16u;
  let y0 = gid.y * 4u;
  if (x0 >= plane.out.x || y0 >= plane.out.y) {
    return;
  }
  // Rows past the end repeat the last one; they land in the transposed rows' padding.
  let last = plane.out.y - 1u;
  let base = plane.src.x / 16u + gid.x;
  let rows = plane.src.y / 16u;
  let r0 = quads[base + y0 * rows];
  let r1 = quads[base + min(y0 + 1u, last) * rows];
  let r2 = quads[base + min(y0 + 2u, last) * rows];
  let r3 = quads[base + min(y0 + 3u, last) * rows];
  let stride = plane.out.w;
  let at = plane.out.z + x0 * stride + gid.y;
  let a = vec4<u32>(r0.x, r1.x, r2.x, r3.x);
  let b = vec4<u32>(r0.y, r1.y, r2.y, r3.y);
  let c = vec4<u32>(r0.z, r1.z, r2.z, r3.z);
  let d = vec4<u32>(r0.w, r1.w, r2.w, r3.w);
  dst[at] = column(a, 0u);
  dst[at + stride] = column(a, 1u);
  dst[at + 2u * stride] = column(a, 2u);
  dst[at + 3u * stride] = column(a, 3u);
  dst[at + 4u * stride] = column(b, 0u);
  dst[at + 5u * stride] = column(b, 1u);
  dst[at + 6u * stride] = column(b, 2u);
  dst[at + 7u * stride] = column(b, 3u);
  dst[at + 8u * stride] = column(c, 0u);
  dst[at + 9u * stride] = column(c, 1u);
  dst[at + 10u * stride] = column(c, 2u);
  dst[at + 11u * stride] = column(c, 3u);
  dst[at + 12u * stride] = column(d, 0u);
  dst[at + 13u * stride] = column(d, 1u);
  dst[at + 14u * stride] = column(d, 2u);
  dst[at + 15u * stride] = column(d, 3u);
}

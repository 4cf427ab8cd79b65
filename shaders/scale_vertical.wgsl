// Vertical pass of the separable Lanczos-3 scaler, for one plane of one rung, with the clockwise
// rotation and the limited-range conversion folded in. Reads the horizontally resampled rows in
// `inter` (f32) and writes the output plane as bytes packed four to a u32. Each output sample is
// mapped back through the rotation to a column (u) and an output row (v) of the unrotated scaled
// picture, filtered down that column with row v's precomputed first row and weights, converted to
// limited range (value * scale + offset), rounded half up and clamped to 0..255.
//
// Tiling: one invocation writes one u32 word, four neighbouring samples of one output row; rows
// are padded to whole words (the CPU drops the padding when it unpacks the readback), so no word
// straddles two rows or planes. Workgroups are 64 words x 4 rows. Without a quarter turn the four
// samples share row v and its weights; with one they share column u and each has its own row.

// Clockwise rotation / 90; a pipeline constant so only one mapping is compiled (CPU adapters such
// as SwiftShader pay for every side of a branch).
override ROTATION: u32 = 0u;

struct Plane {
  // x: output width; y: output height; z: first word in `dst`; w: words per output row
  out: vec4<u32>,
  // x: plane's first element in `inter`; y: its row width (unrotated scaled width); z: index of
  // the per-row first source row in `starts`; w: taps / 4
  inter: vec4<u32>,
  // x: index of the weights in `weights` (vec4 units)
  filt: vec4<u32>,
  // x: scale; y: offset (limited-range conversion)
  range: vec4<f32>,
}

@group(0) @binding(0) var<uniform> plane: Plane;
@group(0) @binding(1) var<storage, read> inter: array<f32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> weights: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dst: array<u32>;

// One sample: column u filtered over output row v (both already clamped into the picture).
fn column(u: u32, v: u32) -> f32 {
  let rowWidth = plane.inter.y;
  let quads = plane.inter.w;
  let w = plane.filt.x + v * quads;
  var idx = plane.inter.x + starts[plane.inter.z + v] * rowWidth + u;
  var acc = 0.0;
  // Zero-weight tap padding may read up to three rows past the plane: finite data, buffer slack.
  for (var k = 0u; k < quads; k++) {
    let c = weights[w + k];
    acc += c.x * inter[idx] + c.y * inter[idx + rowWidth] + c.z * inter[idx + 2u * rowWidth] + c.w * inter[idx + 3u * rowWidth];
    idx += 4u * rowWidth;
  }
  return acc;
}

@compute @workgroup_size(64, 4)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let y = gid.y;
  if (gid.x >= plane.out.w || y >= plane.out.y) {
    return;
  }
  let x = gid.x * 4u + vec4<u32>(0u, 1u, 2u, 3u);
  let last = vec4<u32>(plane.out.x - 1u);
  // Padding samples past the row's end are clamped onto the last real column.
  let xc = min(x, last);
  var value: vec4<f32>;
  if (ROTATION == 0u || ROTATION == 2u) {
    var v = y;
    var u = xc;
    if (ROTATION == 2u) {
      v = plane.out.y - 1u - y;
      u = last - xc;
    }
    let rowWidth = plane.inter.y;
    let quads = plane.inter.w;
    let w = plane.filt.x + v * quads;
    var idx = plane.inter.x + starts[plane.inter.z + v] * rowWidth + u;
    var acc = vec4<f32>(0.0);
    for (var k = 0u; k < quads; k++) {
      let c = weights[w + k];
      let r1 = idx + rowWidth;
      let r2 = r1 + rowWidth;
      let r3 = r2 + rowWidth;
      acc += c.x * vec4<f32>(inter[idx.x], inter[idx.y], inter[idx.z], inter[idx.w])
        + c.y * vec4<f32>(inter[r1.x], inter[r1.y], inter[r1.z], inter[r1.w])
        + c.z * vec4<f32>(inter[r2.x], inter[r2.y], inter[r2.z], inter[r2.w])
        + c.w * vec4<f32>(inter[r3.x], inter[r3.y], inter[r3.z], inter[r3.w]);
      idx = r3 + rowWidth;
    }
    value = acc;
  } else {
    // 90: (u, v) = (y, W - 1 - x); 270: (u, v) = (H - 1 - y, x), W x H being the output plane.
    var u = y;
    var v = last - xc;
    if (ROTATION == 3u) {
      u = plane.out.y - 1u - y;
      v = xc;
    }
    value = vec4<f32>(column(u, v.x), column(u, v.y), column(u, v.z), column(u, v.w));
  }
  let bytes = vec4<u32>(clamp(floor(value * plane.range.x + plane.range.y + 0.5), vec4<f32>(0.0), vec4<f32>(255.0)));
  dst[plane.out.z + y * plane.out.w + gid.x] = bytes.x | (bytes.y << 8u) | (bytes.z << 16u) | (bytes.w << 24u);
}

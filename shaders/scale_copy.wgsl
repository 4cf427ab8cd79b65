// 1:1 rungs, one plane at a time: the output has the source's (display) size, so no filtering is
// needed. Copies the source plane's samples straight from the uploaded VideoFrame.copyTo bytes
// into the output plane, turned by the clockwise rotation and converted to limited range (value *
// scale + offset, rounded half up, clamped to 0..255); a limited-range source with no rotation
// comes out bit-identical. Skipping the filter passes and their f32 intermediate matters because
// the top rung of a ladder is usually the source size.
//
// Tiling: one invocation writes one u32 word, four neighbouring samples of one output row; rows
// are padded to whole words (the CPU drops the padding when it unpacks the readback). Workgroups
// are 64 words x 4 rows. Planar sources without rotation read the four samples as one unaligned
// 4-byte run; otherwise each sample is fetched on its own.

// Pipeline constants, so only the needed path is compiled (CPU adapters such as SwiftShader pay
// for every side of a branch). ROTATION is clockwise / 90; STEP is the byte distance between
// neighbouring source samples (2 for NV12's interleaved chroma).
override ROTATION: u32 = 0u;
override STEP: u32 = 1u;

struct Plane {
  // x: byte offset of source sample (0, 0); y: source row stride
  src: vec4<u32>,
  // x: output width; y: output height; z: first word in `dst`; w: words per output row
  out: vec4<u32>,
  // x: scale; y: offset (limited-range conversion)
  range: vec4<f32>,
}

@group(0) @binding(0) var<uniform> plane: Plane;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

const BYTE_SHIFTS = vec4<u32>(0u, 8u, 16u, 24u);

fn sourceByte(addr: u32) -> u32 {
  return (src[addr >> 2u] >> ((addr & 3u) * 8u)) & 0xffu;
}

@compute @workgroup_size(64, 4)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let y = gid.y;
  if (gid.x >= plane.out.w || y >= plane.out.y) {
    return;
  }
  var samples: vec4<u32>;
  if (ROTATION == 0u && STEP == 1u) {
    // Padding samples past the row's end read whatever follows it; they are dropped later.
    let addr = plane.src.x + y * plane.src.y + gid.x * 4u;
    let word = addr >> 2u;
    let shift = (addr & 3u) * 8u;
    let lo = src[word];
    let packed = select((lo >> shift) | (src[word + 1u] << (32u - shift)), lo, shift == 0u);
    samples = (vec4<u32>(packed) >> BYTE_SHIFTS) & vec4<u32>(0xffu);
  } else {
    let last = vec4<u32>(plane.out.x - 1u);
    let x = min(gid.x * 4u + vec4<u32>(0u, 1u, 2u, 3u), last);
    // (u, v): source column and row that land on (x, y).
    var u = x;
    var v = vec4<u32>(y);
    if (ROTATION == 1u) {
      u = vec4<u32>(y);
      v = last - x;
    } else if (ROTATION == 2u) {
      u = last - x;
      v = vec4<u32>(plane.out.y - 1u - y);
    } else if (ROTATION == 3u) {
      u = vec4<u32>(plane.out.y - 1u - y);
      v = x;
    }
    let addr = plane.src.x + v * plane.src.y + u * STEP;
    samples = vec4<u32>(sourceByte(addr.x), sourceByte(addr.y), sourceByte(addr.z), sourceByte(addr.w));
  }
  let bytes = vec4<u32>(clamp(floor(vec4<f32>(samples) * plane.range.x + plane.range.y + 0.5), vec4<f32>(0.0), vec4<f32>(255.0)));
  dst[plane.out.z + y * plane.out.w + gid.x] = bytes.x | (bytes.y << 8u) | (bytes.z << 16u) | (bytes.w << 24u);
}

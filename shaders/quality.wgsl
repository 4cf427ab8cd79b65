// Compares two tightly packed 8-bit I420 pictures of the same size (`orig`: the frame the encoder
// was given; `back`: the same frame decoded back) and leaves per-workgroup partial sums for the CPU
// to add up, so only a few KiB per frame are read back. The figures match ffmpeg's psnr and ssim
// filters: a sum of squared errors per plane, and SSIM on luma over 8x8 windows stepping 4 pixels,
// built from 4x4 block sums with x264's integer formula (ffmpeg's ssim_end1 for 8-bit).
//
// main_sse: one invocation takes 4 words (16 bytes) of both buffers, which are Y, U, V back to back;
// each byte is counted in the plane its index falls in, so rows and odd plane sizes need no care.
// A workgroup of 256 adds its lanes with workgroup atomics (at most 256*16*255^2 < 2^32) and writes
// three u32s: sse[(frame * groups + workgroup) * 3 + plane].
//
// main_blocks: one invocation per 4x4 luma block (16 x 16 invocations per workgroup over the block
// grid); it writes (sum a, sum b, sum a^2 + b^2, sum a*b) for the block. Rows start at any byte, so
// four bytes are read as one word or, when unaligned, two words joined.
//
// main_windows: one invocation per 8x8 window (2x2 blocks, 16 x 16 invocations per workgroup over
// the window grid); it scores the window and the workgroup adds its 256 scores in shared memory.
// ssim[frame * groups + workgroup] is that sum; the CPU divides by the window count.
//
// unpackBytes comes from prelude.wgsl, prepended when the pipeline loads.

struct Params {
  // x: luma width; y: luma height; z: bytes of Y; w: bytes of U (V has as many)
  size: vec4<u32>,
  // x: blocks per row; y: block rows; z: words in the picture; w: frame slot in the outputs
  grid: vec4<u32>,
  // x: workgroups of main_sse per frame; y: workgroups of main_windows per frame; z: window workgroups per row
  groups: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> orig: array<u32>;
@group(0) @binding(2) var<storage, read> back: array<u32>;
@group(0) @binding(3) var<storage, read_write> sse: array<u32>;
@group(0) @binding(4) var<storage, read_write> blocks: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> ssim: array<f32>;

fn bytes4(w: u32) -> vec4<i32> {
  return vec4<i32>(unpackBytes(w));
}

var<workgroup> planeSums: array<atomic<u32>, 3>;

@compute @workgroup_size(256)
fn main_sse(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (lid < 3u) {
    atomicStore(&planeSums[lid], 0u);
  }
  workgroupBarrier();
  let total = params.size.z + 2u * params.size.w;
  var acc = vec3<u32>(0u);
  for (var k = 0u; k < 4u; k++) {
    let word = gid.x * 4u + k;
    if (word < params.grid.z) {
      let d = bytes4(orig[word]) - bytes4(back[word]);
      let sq = vec4<u32>(d * d);
      let at = vec4<u32>(word * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
      let inside = at < vec4<u32>(total);
      let isY = at < vec4<u32>(params.size.z);
      let isU = !isY & (at < vec4<u32>(params.size.z + params.size.w));
      let isV = inside & !isY & !isU;
      let zero = vec4<u32>(0u);
      acc += vec3<u32>(
        dot(select(zero, sq, isY & inside), vec4<u32>(1u)),
        dot(select(zero, sq, isU & inside), vec4<u32>(1u)),
        dot(select(zero, sq, isV), vec4<u32>(1u)),
      );
    }
  }
  atomicAdd(&planeSums[0], acc.x);
  atomicAdd(&planeSums[1], acc.y);
  atomicAdd(&planeSums[2], acc.z);
  workgroupBarrier();
  if (lid < 3u) {
    sse[(params.grid.w * params.groups.x + wid.x) * 3u + lid] = atomicLoad(&planeSums[lid]);
  }
}

// Four bytes of a picture starting at byte `at` (any alignment), as 0..255 values.
fn load4(useOrig: bool, at: u32) -> vec4<i32> {
  let i = at >> 2u;
  let shift = (at & 3u) * 8u;
  var w0: u32;
  var w1: u32 = 0u;
  if (useOrig) {
    w0 = orig[i];
    if (shift != 0u) { w1 = orig[i + 1u]; }
  } else {
    w0 = back[i];
    if (shift != 0u) { w1 = back[i + 1u]; }
  }
  var w = w0;
  if (shift != 0u) {
    w = (w0 >> shift) | (w1 << (32u - shift));
  }
  return bytes4(w);
}

@compute @workgroup_size(16, 16)
fn main_blocks(@builtin(global_invocation_id) gid: vec3<u32>) {
  let bx = gid.x;
  let by = gid.y;
  if (bx >= params.grid.x || by >= params.grid.y) {
    return;
  }
  var s = vec4<i32>(0);
  for (var r = 0u; r < 4u; r++) {
    let at = (by * 4u + r) * params.size.x + bx * 4u;
    let a = load4(true, at);
    let b = load4(false, at);
    s += vec4<i32>(dot(a, vec4<i32>(1)), dot(b, vec4<i32>(1)), dot(a, a) + dot(b, b), dot(a, b));
  }
  blocks[by * params.grid.x + bx] = vec4<u32>(s);
}

const C1: i32 = 416;    // (int)(.01*.01*255*255*64 + .5)
const C2: i32 = 235963; // (int)(.03*.03*255*255*64*63 + .5)

var<workgroup> scores: array<f32, 256>;

@compute @workgroup_size(16, 16)
fn main_windows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  var score = 0.0;
  let x = gid.x;
  let y = gid.y;
  if (x + 1u < params.grid.x && y + 1u < params.grid.y) {
    let row = y * params.grid.x + x;
    let t = vec4<i32>(blocks[row] + blocks[row + 1u] + blocks[row + params.grid.x] + blocks[row + params.grid.x + 1u]);
    let vars = t.z * 64 - t.x * t.x - t.y * t.y;
    let covar = t.w * 64 - t.x * t.y;
    score = (f32(2 * t.x * t.y + C1) * f32(2 * covar + C2)) / (f32(t.x * t.x + t.y * t.y + C1) * f32(vars + C2));
  }
  scores[lid] = score;
  workgroupBarrier();
  for (var span = 128u; span > 0u; span >>= 1u) {
    if (lid < span) {
      scores[lid] += scores[lid + span];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    ssim[params.grid.w * params.groups.y + wid.y * params.groups.z + wid.x] = scores[0];
  }
}

// Shared by every kernel: src/platform/shaders.ts prepends this file to each one before it is
// compiled, so the kernels below do not repeat it. It holds only what all of them read or write the
// same way: 8-bit samples packed four to a little-endian u32 word (byte k of a word is the sample at
// byte address 4 * word + k). Each kernel keeps its own uniform struct and bindings, since their
// layouts differ. Nothing here declares a binding or an override, so it adds nothing to a pipeline's
// layout or constants.

// Right shifts that bring byte 0..3 of a word to the bottom.
const BYTE_SHIFTS = vec4<u32>(0u, 8u, 16u, 24u);

// The four bytes of a word, as 0..255 values (x = byte 0).
fn unpackBytes(word: u32) -> vec4<u32> {
  return (vec4<u32>(word) >> BYTE_SHIFTS) & vec4<u32>(0xffu);
}

// Four 0..255 values as one word (x = byte 0); the inverse of unpackBytes.
fn packBytes(b: vec4<u32>) -> u32 {
  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
}

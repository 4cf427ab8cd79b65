// SVT-AV1's preset for the Deno engine's software lease (0 slowest … 13 fastest).
//
// Why 5, when Debian's ffmpeg uses 10 for the same quality: node-av bundles SVT-AV1 3.1.2, Debian
// ships 1.4.1, and their preset numbers are not comparable. Fed the same y4m with the same settings
// (1080p of video.mp4, CRF 32, preset 10, GOP 50), both pick the same base_q_idx for every frame of
// the hierarchy, yet 3.1.2 spends 1.7–2× the bytes on inter frames and scores 35.5 dB against
// 1.4.1's 41.8 (same per-layer QP; same with asm=c, so not a SIMD bug; decoders agree). On natural
// footage (Big Buck Bunny) the two agree within 0.2 dB: 3.1.2's faster presets drop inter tools this
// flat-coloured, moving-outline content needs. Neither configuration (rate control, tune, temporal
// filtering, lookahead, screen content, GOP) nor feeding (µs time base, frame rate) recovered it;
// the preset did: 3.1.2 at 8 → 40.0 dB, 6 → 44.3 (720p 45.1), 5 → 720p 49.4. At equal bitrate,
// preset 5 is the first that holds every rung within 1 dB of 1.4.1's preset 10 (bench:deno-ladder
// prints the comparison). It costs time: that bench took 58.2 s at 5 against 16.6 s at 10 on a quiet
// machine (README, "Speed"); LADDER_SVT_PRESET overrides.
export const DEFAULT_SVT_PRESET = 5;

/** The preset Debian's ffmpeg (SVT-AV1 1.4.1) is compared at in bench:deno-ladder. */
export const REFERENCE_SVT_PRESET = 10;

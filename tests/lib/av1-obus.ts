// Hand-written AV1 OBUs for unit tests: an MSB-first bit writer, a sequence_header_obu() writer that
// follows the spec's syntax (5.5) field by field from the values a test names, and small temporal
// units around it. Written from the spec, not from src/av1, so parsing it back is a real check.

/** MSB-first bit writer: f(n) of the AV1 spec, and trailing_bits() to a byte boundary. */
export class BitWriter {
  readonly #bits: number[] = [];

  f(n: number, v: number): this {
    for (let i = n - 1; i >= 0; i--) this.#bits.push(Math.floor(v / 2 ** i) % 2);
    return this;
  }

  flag(b: boolean): this {
    return this.f(1, b ? 1 : 0);
  }

  /** trailing_bits(): a 1, then zeros to the byte boundary. */
  trailing(): this {
    this.#bits.push(1);
    while (this.#bits.length % 8 !== 0) this.#bits.push(0);
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.#bits.length / 8));
    this.#bits.forEach((b, i) => { if (b) out[i >> 3]! |= 0x80 >> (i & 7); });
    return out;
  }
}

export interface SeqHeaderFields {
  profile?: number;
  /** seq_level_idx of the single operating point. */
  level?: number;
  /** seq_tier, coded only when level > 7. */
  tier?: number;
  width: number;
  height: number;
  /** Profile 0/1: 8 or 10; profile 2: 8, 10 or 12. */
  bitDepth?: 8 | 10 | 12;
  mono?: boolean;
  /** CICP primaries, transfer, matrix; left out: no colour description. */
  colour?: [number, number, number];
  range?: 0 | 1;
  /** chroma_sample_position (4:2:0 only). */
  csp?: number;
  /** Profile 2 at 12 bits: subsampling_x, subsampling_y. */
  subsampling?: [number, number];
  /** timing_info(): display tick, time scale, and num_ticks_per_picture_minus_1 (null: no equal_picture_interval). */
  timing?: { tick: number; timeScale: number; ticksMinus1: number | null };
  orderHintBits?: number;
  filmGrain?: boolean;
}

/** Bits needed to code n - 1 (frame_width_bits_minus_1 + 1 for a size n). */
function bitsFor(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n)));
}

/** uvlc(): leadingZeros zeros, a one, then value - (2^leadingZeros - 1) in leadingZeros bits. */
function uvlc(w: BitWriter, v: number): void {
  let lz = 0;
  while (v + 1 >= 2 ** (lz + 1)) lz++;
  w.f(lz, 0).f(1, 1).f(lz, v + 1 - 2 ** lz);
}

/** A sequence_header_obu() payload (no OBU header), non-reduced, one operating point. */
export function sequenceHeaderPayload(o: SeqHeaderFields): Uint8Array {
  const profile = o.profile ?? 0;
  const level = o.level ?? 8;
  const w = new BitWriter();
  w.f(3, profile).flag(false).flag(false); // still_picture, reduced_still_picture_header
  w.flag(o.timing !== undefined);
  if (o.timing) {
    w.f(32, o.timing.tick).f(32, o.timing.timeScale).flag(o.timing.ticksMinus1 !== null);
    if (o.timing.ticksMinus1 !== null) uvlc(w, o.timing.ticksMinus1);
    w.flag(false); // decoder_model_info_present_flag
  }
  w.flag(false); // initial_display_delay_present_flag
  w.f(5, 0); // operating_points_cnt_minus_1
  w.f(12, 0).f(5, level);
  if (level > 7) w.f(1, o.tier ?? 0);
  const wb = bitsFor(o.width);
  const hb = bitsFor(o.height);
  w.f(4, wb - 1).f(4, hb - 1).f(wb, o.width - 1).f(hb, o.height - 1);
  w.flag(false); // frame_id_numbers_present_flag
  w.flag(false).flag(true).flag(true); // 128x128 superblock, filter intra, intra edge filter
  w.flag(true).flag(true).flag(false).flag(true); // interintra, masked compound, warped motion, dual filter
  const orderHint = o.orderHintBits ?? 7;
  w.flag(orderHint > 0);
  if (orderHint > 0) w.flag(true).flag(true); // jnt_comp, ref_frame_mvs
  w.flag(true); // seq_choose_screen_content_tools → SELECT, then seq_choose_integer_mv:
  w.flag(true);
  if (orderHint > 0) w.f(3, orderHint - 1);
  w.flag(false).flag(true).flag(true); // superres, cdef, restoration
  // color_config()
  const depth = o.bitDepth ?? 8;
  w.flag(depth > 8);
  if (profile === 2 && depth > 8) w.flag(depth === 12);
  if (profile !== 1) w.flag(o.mono ?? false);
  w.flag(o.colour !== undefined);
  if (o.colour) w.f(8, o.colour[0]).f(8, o.colour[1]).f(8, o.colour[2]);
  if (o.mono) {
    w.f(1, o.range ?? 0);
  } else {
    const srgb = o.colour !== undefined && o.colour[0] === 1 && o.colour[1] === 13 && o.colour[2] === 0;
    let ssx = 1;
    let ssy = 1;
    if (!srgb) {
      w.f(1, o.range ?? 0);
      if (profile === 1) { ssx = 0; ssy = 0; }
      else if (profile === 2 && depth === 12) {
        [ssx, ssy] = o.subsampling ?? [1, 1];
        w.f(1, ssx);
        if (ssx) w.f(1, ssy);
      } else if (profile === 2) { ssx = 1; ssy = 0; }
      if (ssx && ssy) w.f(2, o.csp ?? 0);
    }
    w.flag(false); // separate_uv_delta_q
  }
  w.flag(o.filmGrain ?? false);
  return w.trailing().bytes();
}

/** An OBU: header byte (type, has_size_field), leb128 size when sized, payload. Sizes < 128 only. */
export function obu(type: number, payload: Uint8Array, sized = true): Uint8Array {
  if (payload.length > 127) throw new RangeError('test OBUs keep to one-byte sizes');
  const head = sized ? [(type << 3) | 0x02, payload.length] : [type << 3];
  return Uint8Array.from([...head, ...payload]);
}

/** A whole sequence header OBU with obu_size. */
export function sequenceHeaderObu(o: SeqHeaderFields): Uint8Array {
  return obu(1, sequenceHeaderPayload(o));
}

/** A key temporal unit as encoders emit it: temporal delimiter, sequence header, a fake frame OBU. */
export function keyTemporalUnit(o: SeqHeaderFields, frameBytes: number[] = [0x10, 0x00, 0x2a]): Uint8Array {
  return Uint8Array.from([...obu(2, new Uint8Array(0)), ...sequenceHeaderObu(o), ...obu(6, Uint8Array.from(frameBytes))]);
}

/** A delta temporal unit: temporal delimiter and a fake frame OBU. */
export function deltaTemporalUnit(frameBytes: number[] = [0x30, 0x01]): Uint8Array {
  return Uint8Array.from([...obu(2, new Uint8Array(0)), ...obu(6, Uint8Array.from(frameBytes))]);
}

/**
 * Chromium's WebCodecs AV1 key-frame header (as tests/lib/simulated.ts carries it): a temporal
 * delimiter, then a 14-byte sequence header. Decoded by hand from the spec's syntax: profile 0,
 * seq_level_idx 5 (3.1), 1280x720, 8-bit 4:2:0, BT.709 (1/1/1) colour description, studio range,
 * chroma_sample_position 0, CDEF on, screen content tools and integer MV chosen per frame.
 */
export const CHROMIUM_720P_TU = Uint8Array.from([
  0x12, 0x00, 0x0a, 0x0e, 0x00, 0x00, 0x00, 0x2d, 0x4c, 0xff, 0xb3, 0xc0, 0x1a, 0x20, 0x20, 0x20, 0x20, 0x80,
]);

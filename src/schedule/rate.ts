// Closed-loop rate control across chunks and leases. Every chunk is a fresh encoder, and encoders
// miss a 2 s target in their own way (SVT-AV1's VBR overshoots short sequences by 30–90%, Chromium's
// software AV1 lands ~10% under), so the scheduler corrects each chunk's target before it begins:
//
//  - gain: what an encoder kind makes of a target, learned per kind and rung (the kind's mean over
//    all rungs until the rung has its own); a helper on another encoder kind learns and uses that
//    kind's gain, not the rung's home encoder's. Encoders are not linear: asked for twice the rate,
//    SVT-AV1 on a nearly static picture makes 1.4× (its output rate goes as target^0.5–0.6). Once a
//    rung has chunks at targets 10% or more apart, its model is a fitted power law,
//    log made = a + α·log target (α within [0.7, 1.2]: a fit from a first pass and its second, both on the key-frame chunk, reads lower than later chunks behave); before that, made = gain × target;
//  - debt: the rung's accepted chunks so far against the asked rate; the next chunks aim above or
//    below the asked rate to pay it back over the rest of the source (or the next two chunks when
//    the length is unknown), within [0.6, 1.6]× the asked rate;
//  - first pass: a chunk that began without a gain for its rung and kind, and missed its aim by more
//    than 15%, is encoded again once with the gain it taught (the start of the source serves as
//    the first pass, so the first chunks are not sacrificed to learning) — unless it missed by 30%
//    or less and the rest of the source can pay the miss back with chunks aimed within 0.8–1.25× the
//    asked rate, in which case it is kept and the debt does the rest;
//  - saturation: some encoders stop spending at a quality ceiling whatever the target (Chromium's
//    software AV1 on a nearly still picture makes ~0.3× the asked rate at 1× and at 4× the target).
//    A chunk that falls short by more than 15% when the rung's targets so far span 1.5× and its
//    output did not grow with them (elasticity under 0.05), or by more than 30% when the elasticity
//    they show puts its aim beyond the largest correction (4× the aim), marks the rung saturated
//    for its kind; its chunks are then encoded in constant-quality mode with the AV1
//    quantizer that makes the aim, interpolated in log rate between the quantizers tried on the rung
//    (see quantizerFor; Chromium's software AV1 measured 0.08–0.17 per step, with cliffs on noisy content). The
//    chunk that showed it is encoded again in that mode; its first quantizer pass is a first pass
//    like any other, and a later quantizer chunk that misses by more than 25% is encoded again, as
//    is one that misses by more than 10% once its passes bracket the aim with a quantizer untried
//    between them (see bracketed). A bitrate pass that began before its rung saturated and ends
//    more than 10% off is encoded again by quantizer.
//
// A chunk already under way keeps its target: targets are set only at begin().

/** Share by which an uncalibrated chunk may miss before it is encoded again. */
export const FIRST_PASS_TOLERANCE = 0.15;
/** A first pass off by more than this is always encoded again. */
const FIRST_PASS_LIMIT = 0.3;
/** A kept first pass's miss must be payable by later chunks aimed within these bounds (× asked). */
const PAYBACK_MIN = 0.8;
const PAYBACK_MAX = 1.25;
const MIN_AIM = 0.6;
const MAX_AIM = 1.6;
/** Chunks over which a debt is paid back when the source's length is unknown. */
const PAYBACK_CHUNKS = 2;
/**
 * Bounds of the correction (target ÷ aim). Content that reaches the encoder's best quality below the
 * asked rate (a still, noiseless picture) teaches a tiny gain; an unbounded correction then asks
 * for hundreds of Mbit/s, which SVT-AV1 refuses to open with and no encoder can spend anyway.
 */
const MAX_CORRECTION = 4;

export interface RatePlan {
  /** Bitrate to configure the encoder with (in quantizer mode: the aim, for the record). */
  bitrate: number;
  /** Constant-quality mode for a saturated rung: the AV1 quantizer (0–63) of every frame; else null. */
  quantizer: number | null;
  /** Bitrate the chunk should come out at (the asked rate, corrected by the rung's debt). */
  aim: number;
  /** Whether the gain came from this rung and kind (false: the kind's mean, or none yet). */
  calibrated: boolean;
}

export interface RateOutcome {
  /** Bits the chunk came out at. */
  bits: number;
  /** Seconds of source it covers. */
  seconds: number;
}

interface Sums {
  made: number;
  asked: number;
  samples: Array<{ target: number; rate: number }>;
  /** The encoder stopped following the target on this rung: chunks go by quantizer. */
  saturated: boolean;
  /** Quantizer chunks: what each quantizer made (bits per second). */
  quantized: Array<{ q: number; rate: number }>;
}

/**
 * Saturation: once a rung's targets span this ratio, an output that does not grow with the target
 * (elasticity under SATURATION_ELASTICITY) while short of its aim shows an encoder at its ceiling.
 * Measured on the still clip's first chunks: Chromium's software AV1 −0.15 to −0.17 (it made less at
 * 4× the target); SVT-AV1 +0.17 at 360p, its least elastic, and it then reaches the aim at 4–5× on
 * later chunks, so it stays in bitrate mode.
 */
const SATURATION_SPAN = 1.5;
const SATURATION_ELASTICITY = 0.05;
/**
 * Rate model in quantizer mode: log rate falls by β per quantizer step, at least MIN_Q_SLOPE when
 * stepping past the quantizers tried, at most MAX_Q_STEP steps. Both encoders show plateaus and
 * cliffs on noisy content, not AV1's textbook convex curve: SVT-AV1 on the nearly static clip's 360p,
 * first chunk, made 363–375 kbit/s from q16 to q6, 407 at q4, 429 at q3, 798 at q1 (later chunks
 * 532–537 at q3, 933 at q2, 2001–2276 at q1). A floor of 0.13 and steps of 8 spent a six-pass search
 * on 28, 20, 13, 10, 7, 4 and stopped short of q3; with 0.08 and 12 the search went 28, 16, 11, 6,
 * then overshot past the cliff to 1 and bracketed back: 3, 2.
 */
const MIN_Q_SLOPE = 0.08;
const MAX_Q_SLOPE = 0.25;
const MAX_Q_STEP = 12;
/** A quantizer chunk that misses its aim by more than this is encoded again with what it taught. */
const QUANTIZER_TOLERANCE = 0.25;
/** A quantizer chunk that misses by more than this is encoded again when the rung cannot pay it back. */
const QUANTIZER_PAYBACK_TOLERANCE = 0.1;
/** First quantizer tried when a rung saturates (AV1's 0–63 scale; Chromium's "medium" is 32). */
const FIRST_QUANTIZER = 28;
const MIN_QUANTIZER = 1;
const MAX_QUANTIZER = 63;

/** Elasticity bounds of the fitted power law (made rate ∝ target^α). */
const MIN_ELASTICITY = 0.7;
const MAX_ELASTICITY = 1.2;
/** Samples kept per kind and rung for the fit (the most recent). */
const MAX_SAMPLES = 8;

export class RateController {
  readonly #asked: number[];
  readonly #expectedSeconds: number;
  /** Per rung: accepted bits and seconds. */
  readonly #done: Array<{ bits: number; seconds: number }>;
  /** Per kind, per rung: Σ bits made and Σ bits configured. */
  readonly #gain = new Map<string, Map<number, Sums>>();
  /** Per rung: seconds of chunks under way (they will land near their aim). */
  readonly #running: number[];

  /** `asked`: bits per second per rung; `expectedSeconds`: the source's length, 0 when unknown. */
  constructor(asked: number[], expectedSeconds = 0) {
    this.#asked = asked;
    this.#expectedSeconds = expectedSeconds > 0 ? expectedSeconds : 0;
    this.#done = asked.map(() => ({ bits: 0, seconds: 0 }));
    this.#running = asked.map(() => 0);
  }

  /** The encoder kind's gain for a rung: its own, else the kind's mean over rungs, else none. */
  gain(kind: string, rung: number): { gain: number; calibrated: boolean } | null {
    const byRung = this.#gain.get(kind);
    const own = byRung?.get(rung);
    if (own && own.asked > 0) return { gain: own.made / own.asked, calibrated: true };
    if (!byRung || byRung.size === 0) return null;
    let made = 0;
    let asked = 0;
    for (const s of byRung.values()) if (!s.saturated) { made += s.made; asked += s.asked; }
    return asked > 0 ? { gain: made / asked, calibrated: false } : null;
  }

  /** The correction (target ÷ aim) for `aim` on an encoder of `kind` for `rung`, and whether it is the rung's own. */
  correction(kind: string, rung: number, aim: number): { correction: number; calibrated: boolean } {
    const own = this.#gain.get(kind)?.get(rung);
    const f = own ? fitPowerLaw(own.samples, Math.log(1.1)) : null;
    if (f) {
      const alpha = Math.min(MAX_ELASTICITY, Math.max(MIN_ELASTICITY, f.slope));
      // Through the samples' centroid with slope α: the target that makes `aim`.
      const target = Math.exp(f.mx + (Math.log(aim) - f.my) / alpha);
      return { correction: target / aim, calibrated: true };
    }
    const g = this.gain(kind, rung);
    return { correction: 1 / (g?.gain ?? 1), calibrated: g?.calibrated ?? false };
  }

  /** The target for a chunk of `rung` about to begin on an encoder of `kind`. */
  /** `searched`: the chunk's own passes at constant quality so far (a repeat searches from them, not the rung's). */
  plan(rung: number, kind: string, chunkSeconds: number, searched: ReadonlyArray<{ q: number; rate: number }> = []): RatePlan {
    const asked = this.#asked[rung]!;
    const done = this.#done[rung]!;
    const debtBits = asked * done.seconds - done.bits;
    const left = this.#expectedSeconds > 0 ? this.#expectedSeconds - done.seconds - this.#running[rung]! : 0;
    const horizon = Math.max(chunkSeconds, left > 0 ? left : PAYBACK_CHUNKS * chunkSeconds);
    const aim = Math.min(MAX_AIM * asked, Math.max(MIN_AIM * asked, asked + debtBits / horizon));
    this.#running[rung]! += chunkSeconds;
    const own = this.#gain.get(kind)?.get(rung);
    if (own?.saturated) {
      const q = this.quantizerFor(searched.length > 0 ? searched : own.quantized, aim);
      return { bitrate: Math.round(aim), quantizer: q.quantizer, aim: Math.round(aim), calibrated: q.calibrated };
    }
    const c = this.correction(kind, rung, aim);
    const correction = Math.min(MAX_CORRECTION, Math.max(1 / MAX_CORRECTION, c.correction));
    return { bitrate: Math.round(aim * correction), quantizer: null, aim: Math.round(aim), calibrated: c.calibrated };
  }

  /**
   * The quantizer expected to make `aim`, from the rung's quantizer chunks: interpolated in log rate
   * between the two quantizers that bracket it (strictly between them when they are more than one
   * apart), else stepped from the nearest one at the steeper of
   * the fitted slope and MIN_Q_SLOPE per step, at most MAX_Q_STEP away.
   */
  quantizerFor(quantized: ReadonlyArray<{ q: number; rate: number }>, aim: number): { quantizer: number; calibrated: boolean } {
    if (quantized.length === 0) return { quantizer: FIRST_QUANTIZER, calibrated: false };
    // One point per quantizer: the mean log rate of its chunks.
    const byQ = new Map<number, number[]>();
    for (const p of quantized) byQ.set(p.q, [...(byQ.get(p.q) ?? []), Math.log(p.rate)]);
    const pts = [...byQ].map(([q, ys]) => ({ q, y: ys.reduce((x, z) => x + z, 0) / ys.length })).sort((l, r) => l.q - r.q);
    const y = Math.log(aim);
    const clamp = (q: number) => Math.min(MAX_QUANTIZER, Math.max(MIN_QUANTIZER, Math.round(q)));
    // Rate falls as q rises: a bracket is adjacent points with y between them.
    for (let i = 0; i + 1 < pts.length; i++) {
      const lo = pts[i]!;
      const hi = pts[i + 1]!;
      if (lo.y >= y && y >= hi.y) {
        const t = lo.y === hi.y ? 0.5 : (lo.y - y) / (lo.y - hi.y);
        // Inside a bracket wider than one step, an end's rate is already known: the nearest
        // quantizer strictly between them is the one worth a pass (near q0 one step can move
        // the rate by 75%, so rounding onto an end would stop a search short of the aim).
        const q = Math.round(lo.q + t * (hi.q - lo.q));
        return { quantizer: clamp(hi.q - lo.q > 1 ? Math.min(hi.q - 1, Math.max(lo.q + 1, q)) : q), calibrated: true };
      }
    }
    const nearest = pts.reduce((m, p) => (Math.abs(p.y - y) < Math.abs(m.y - y) ? p : m));
    const local = pts.length >= 2 ? -fitLine(pts.map((p) => p.q), pts.map((p) => p.y)).slope : 0;
    const slope = Math.min(MAX_Q_SLOPE, Math.max(MIN_Q_SLOPE, local));
    const step = Math.min(MAX_Q_STEP, Math.max(-MAX_Q_STEP, (nearest.y - y) / slope));
    return { quantizer: clamp(nearest.q + step), calibrated: true };
  }

  /**
   * Whether a chunk's quantizer search that has bracketed its aim should try the quantizer between:
   * its last pass (the last of `searched`) missed `aim` by more than 10%, and the next quantizer lies
   * strictly between two it tried and was not tried itself. On a cliff in the rate curve this is
   * what holds a rung: SVT-AV1's first 360p chunk of the nearly static clip made 798 kbit/s at q1
   * and 429 at q3 for 553 aimed; kept at q3 (22% short, within QUANTIZER_TOLERANCE) it left a debt
   * that q3 (0.87×) and q2 (1.5×) on the later chunks could not pay within 10%.
   */
  bracketed(searched: ReadonlyArray<{ q: number; rate: number }>, aim: number): boolean {
    const last = searched[searched.length - 1];
    if (!last || Math.abs(last.rate / aim - 1) <= QUANTIZER_PAYBACK_TOLERANCE) return false;
    const next = this.quantizerFor(searched, aim).quantizer;
    const qs = searched.map((p) => p.q);
    return !qs.includes(next) && next > Math.min(...qs) && next < Math.max(...qs);
  }

  /** Quantizer mode failed to open on this kind (an encoder without it): back to bitrate targets. */
  unsaturate(kind: string, rung: number): void {
    const own = this.#gain.get(kind)?.get(rung);
    if (own) own.saturated = false;
  }

  /**
   * A chunk planned with `plan` finished: its encoder's gain is learned. Returns whether it should
   * be encoded again (a first pass that missed by more than FIRST_PASS_TOLERANCE); otherwise the
   * caller accepts it with `accept`.
   */
  learn(rung: number, kind: string, plan: RatePlan, chunkSeconds: number, outcome: RateOutcome): boolean {
    this.#running[rung] = Math.max(0, this.#running[rung]! - chunkSeconds);
    if (outcome.seconds <= 0) return false;
    let byRung = this.#gain.get(kind);
    if (!byRung) this.#gain.set(kind, byRung = new Map());
    const s = byRung.get(rung) ?? { made: 0, asked: 0, samples: [], saturated: false, quantized: [] };
    byRung.set(rung, s);
    const rate = outcome.bits / outcome.seconds;
    const made = rate / plan.aim;
    const miss = Math.abs(made - 1);
    if (plan.quantizer !== null) {
      if (outcome.bits > 0) s.quantized = [...s.quantized, { q: plan.quantizer, rate }].slice(-4 * MAX_SAMPLES);
      // Its aim was set when it began, before the chunks running beside it ended: a pass within the
      // tolerance is still encoded again when the rung's later chunks cannot pay its miss back (a
      // saturated rung's last chunk: one quantizer step there can move the rate by 75%).
      return miss > (plan.calibrated ? QUANTIZER_TOLERANCE : FIRST_PASS_TOLERANCE)
        || (miss > QUANTIZER_PAYBACK_TOLERANCE && !this.#canPayBack(rung, chunkSeconds, outcome));
    }
    s.made += outcome.bits;
    s.asked += plan.bitrate * outcome.seconds;
    if (outcome.bits > 0) s.samples = [...s.samples, { target: plan.bitrate, rate }].slice(-MAX_SAMPLES);
    // The rung went by quantizer while this bitrate pass ran (it began before another chunk showed
    // the ceiling): one that missed by more than 10% is encoded again by quantizer, not kept.
    if (s.saturated) return miss > QUANTIZER_PAYBACK_TOLERANCE;
    const f = fitPowerLaw(s.samples, Math.log(SATURATION_SPAN));
    if (outcome.bits > 0 && f !== null && (
      (made < 1 - FIRST_PASS_TOLERANCE && f.slope < SATURATION_ELASTICITY)
      // Far short, and at the response it showed the aim lies beyond the largest correction: no
      // target the loop may set would reach it (SVT-AV1 at 360p on a nearly static clip: α 0.11,
      // 39% short at 1.7× the target), and keeping the pass leaves a debt no later chunk can pay.
      || (made < 1 - FIRST_PASS_LIMIT && plan.bitrate * (1 / made) ** (1 / Math.max(f.slope, SATURATION_ELASTICITY)) > MAX_CORRECTION * plan.aim)
    )) {
      s.saturated = true;
      return true; // encoded again by quantizer
    }
    if (plan.calibrated || miss <= FIRST_PASS_TOLERANCE) return false;
    // An uncalibrated first pass that missed: encoded again when it is far off (its own segments would
    // stand out in the rung's peak rate) or when the rest of the source cannot pay the miss back gently;
    // otherwise kept, which saves encoding the start of the source twice (SVT-AV1's 1080p first chunk:
    // a fifth of the Deno ladder's wall time).
    return miss > FIRST_PASS_LIMIT || !this.#canPayBack(rung, chunkSeconds, outcome);
  }

  /** Whether the rung's later chunks could absorb `outcome` within [PAYBACK_MIN, PAYBACK_MAX]× the asked rate. */
  #canPayBack(rung: number, chunkSeconds: number, outcome: RateOutcome): boolean {
    const asked = this.#asked[rung]!;
    const done = this.#done[rung]!;
    const seconds = done.seconds + outcome.seconds;
    const debtBits = asked * seconds - (done.bits + outcome.bits);
    const left = this.#expectedSeconds > 0 ? this.#expectedSeconds - seconds - this.#running[rung]! : PAYBACK_CHUNKS * chunkSeconds;
    if (left < chunkSeconds / 2) return false;
    const aim = asked + debtBits / left;
    return aim >= PAYBACK_MIN * asked && aim <= PAYBACK_MAX * asked;
  }

  /** An accepted chunk's bits count toward the rung's average. */
  accept(rung: number, outcome: RateOutcome): void {
    const d = this.#done[rung]!;
    d.bits += outcome.bits;
    d.seconds += outcome.seconds;
  }

  /** A rung's accepted bitrate so far, in bits per second (0 before any chunk). */
  achieved(rung: number): number {
    const d = this.#done[rung]!;
    return d.seconds > 0 ? d.bits / d.seconds : 0;
  }
}

/** Least-squares line through (log target, log rate), or null while the targets span less than `minSpan` (in log). */
function fitPowerLaw(samples: ReadonlyArray<{ target: number; rate: number }>, minSpan: number): { slope: number; mx: number; my: number } | null {
  if (samples.length < 2) return null;
  const xs = samples.map((p) => Math.log(p.target));
  if (Math.max(...xs) - Math.min(...xs) < minSpan) return null;
  return fitLine(xs, samples.map((p) => Math.log(p.rate)));
}

/** Least-squares line y = my + slope·(x − mx) through at least two points with distinct x. */
function fitLine(xs: readonly number[], ys: readonly number[]): { slope: number; mx: number; my: number } {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
  return { slope: sxy / sxx, mx, my };
}

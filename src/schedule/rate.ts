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
//    the first pass, so the first chunks are not sacrificed to learning).
//
// A chunk already under way keeps its target: targets are set only at begin().

/** Share by which an uncalibrated chunk may miss before it is encoded again. */
export const FIRST_PASS_TOLERANCE = 0.15;
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
  /** Bitrate to configure the encoder with. */
  bitrate: number;
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

interface Sums { made: number; asked: number; samples: Array<{ target: number; rate: number }> }

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
    for (const s of byRung.values()) { made += s.made; asked += s.asked; }
    return asked > 0 ? { gain: made / asked, calibrated: false } : null;
  }

  /** The correction (target ÷ aim) for `aim` on an encoder of `kind` for `rung`, and whether it is the rung's own. */
  correction(kind: string, rung: number, aim: number): { correction: number; calibrated: boolean } {
    const own = this.#gain.get(kind)?.get(rung);
    if (own && own.samples.length >= 2) {
      const xs = own.samples.map((p) => Math.log(p.target));
      const ys = own.samples.map((p) => Math.log(p.rate));
      if (Math.max(...xs) - Math.min(...xs) >= Math.log(1.1)) {
        const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
        const my = ys.reduce((a, b) => a + b, 0) / ys.length;
        let sxy = 0;
        let sxx = 0;
        for (let i = 0; i < xs.length; i++) { sxy += (xs[i]! - mx) * (ys[i]! - my); sxx += (xs[i]! - mx) ** 2; }
        const alpha = Math.min(MAX_ELASTICITY, Math.max(MIN_ELASTICITY, sxy / sxx));
        // Through the samples' centroid with slope α: the target that makes `aim`.
        const target = Math.exp(mx + (Math.log(aim) - my) / alpha);
        return { correction: target / aim, calibrated: true };
      }
    }
    const g = this.gain(kind, rung);
    return { correction: 1 / (g?.gain ?? 1), calibrated: g?.calibrated ?? false };
  }

  /** The target for a chunk of `rung` about to begin on an encoder of `kind`. */
  plan(rung: number, kind: string, chunkSeconds: number): RatePlan {
    const asked = this.#asked[rung]!;
    const done = this.#done[rung]!;
    const debtBits = asked * done.seconds - done.bits;
    const left = this.#expectedSeconds > 0 ? this.#expectedSeconds - done.seconds - this.#running[rung]! : 0;
    const horizon = Math.max(chunkSeconds, left > 0 ? left : PAYBACK_CHUNKS * chunkSeconds);
    const aim = Math.min(MAX_AIM * asked, Math.max(MIN_AIM * asked, asked + debtBits / horizon));
    const c = this.correction(kind, rung, aim);
    const correction = Math.min(MAX_CORRECTION, Math.max(1 / MAX_CORRECTION, c.correction));
    this.#running[rung]! += chunkSeconds;
    return { bitrate: Math.round(aim * correction), aim: Math.round(aim), calibrated: c.calibrated };
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
    const s = byRung.get(rung) ?? { made: 0, asked: 0, samples: [] };
    s.made += outcome.bits;
    s.asked += plan.bitrate * outcome.seconds;
    if (outcome.bits > 0) s.samples = [...s.samples, { target: plan.bitrate, rate: outcome.bits / outcome.seconds }].slice(-MAX_SAMPLES);
    byRung.set(rung, s);
    const miss = Math.abs(outcome.bits / (plan.aim * outcome.seconds) - 1);
    return !plan.calibrated && miss > FIRST_PASS_TOLERANCE;
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

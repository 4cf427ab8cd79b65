// Time bases. Frames travel the pipeline with WebCodecs' whole-µs timestamps; the files store ticks
// of a timescale. A source time that is a whole number of ticks of a timescale T ≤ 1 MHz survives
// the trip: its nearest µs is off by at most ½ µs, under ½ tick, so rounding back to ticks gives
// the exact tick again. Imports nothing of the engine.

/** µs → ticks of `timescale`, rounded to the nearest: one rounding per instant, so durations add up. */
export function usToTicks(us: number, timescale: number): number {
  return Math.round((us * timescale) / 1e6);
}

/** Ticks → the nearest whole µs (a WebCodecs timestamp). */
export function ticksToUs(ticks: number, timescale: number): number {
  return Math.round((ticks * 1e6) / timescale);
}

/** Whether µs times can be mapped to ticks of `timescale` and back to the same tick (see above). */
export function isExactTimescale(timescale: number): boolean {
  return Number.isInteger(timescale) && timescale > 0 && timescale <= 1e6;
}

/**
 * A timescale for µs times that come with none (a frame source's): the first candidate in which
 * every given time survives µs → ticks → µs unchanged. Candidates are multiples of the frame rate's
 * numerator (n/1 or n/1001) of at least 90 kHz, so frame-aligned times are whole ticks; anything
 * else (variable rates, odd timestamps) gets 1 MHz, which is exact for whole microseconds.
 */
export function videoTimescale(frameRate: number, timesUs: readonly number[]): number {
  const candidates = [Math.round(frameRate), Math.round(frameRate * 1.001) * 1000]
    .filter((n) => n > 0)
    .map((n) => n * Math.ceil(90_000 / n));
  const exact = (t: number) => timesUs.every((us) => ticksToUs(usToTicks(us, t), t) === us);
  return candidates.find(exact) ?? 1_000_000;
}

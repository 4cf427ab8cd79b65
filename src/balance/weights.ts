// Per-adapter weights from a list such as "100,66": adapter i gets entry i. A blank or missing
// entry means the highest weight given (so "" or "100" leaves every adapter equal), a negative one
// means 0, and an adapter of weight 0 is never given a job.

/** The weight when no entry gives one. */
const DEFAULT_WEIGHT = 100;

export function parseAdapterWeights(spec: string | undefined, adapterCount: number): number[] {
  if (spec !== undefined && typeof spec !== 'string') throw new TypeError('adapterWeights must be a string such as "100,66"');
  if (!Number.isInteger(adapterCount) || adapterCount < 0) throw new RangeError(`adapterCount must be a non-negative integer, got ${String(adapterCount)}`);
  const entries = (spec ?? '').split(',').map((s, i) => {
    const t = s.trim();
    if (t === '') return null;
    const n = Number(t);
    if (!Number.isFinite(n)) throw new TypeError(`adapterWeights entry ${i} must be a number, got ${JSON.stringify(t)}`);
    return Math.max(0, n);
  });
  const given = entries.filter((w): w is number => w !== null);
  const highest = given.length > 0 ? Math.max(...given) : DEFAULT_WEIGHT;
  return Array.from({ length: adapterCount }, (_, i) => entries[i] ?? highest);
}

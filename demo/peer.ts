// Benchmark peer (bench/ladder): Mediabunny's own Conversion, run in the same page. Filled in by the
// benchmark work; empty until then.
export {};

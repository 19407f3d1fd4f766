// The one median of bench/ and scripts/. It imports nothing, so bench/compare-probe.ts can
// use it and still load no lib/ but the tree it measures.

/** The middle value (of an even count, the mean of the two middle ones); NaN of none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

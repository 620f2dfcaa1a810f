/** Small statistics for the study reports: mean, sample std and a Student-t confidence interval. */

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n - 1); NaN below two values. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

// Two-sided 95% Student-t quantiles by degrees of freedom (1..10); beyond, the normal 1.96 is close enough.
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** 95% CI of the mean of `values` (e.g. paired differences): [low, high]; NaN below two values. */
export function ci95(values: readonly number[]): [number, number] {
  const n = values.length;
  if (n < 2) return [NaN, NaN];
  const t = T95[n - 1] ?? 1.96;
  const half = (t * std(values)) / Math.sqrt(n);
  const m = mean(values);
  return [m - half, m + half];
}

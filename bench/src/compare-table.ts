/**
 * Side-by-side table of two per-round reports (ours from `fedssd simulate`, the PyTorch reference
 * from bench/reference/federated_ssd.py) and a verdict of their final metrics against seed noise.
 */

/** The fields both reports share, per round. */
export interface RoundRow {
  round: number;
  loss: { total: number; align: number; uniformity: number; dsr: number; pd: number };
  knnAccuracy?: number | null;
  uniformity?: number | null;
  effectiveRank?: number | null;
  interClientUniformity?: number | null;
}

export const METRICS = ['knnAccuracy', 'uniformity', 'effectiveRank', 'interClientUniformity'] as const;
export type Metric = (typeof METRICS)[number];

function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** Markdown table, one row per round: loss terms and metrics, ours then the reference. */
export function sideBySide(ours: readonly RoundRow[], ref: readonly RoundRow[]): string {
  const head =
    '| round | loss ours | loss ref | align ours | align ref | U ours | U ref | dsr ours | dsr ref | pd ours | pd ref | kNN ours | kNN ref | unif ours | unif ref | erank ours | erank ref | inter ours | inter ref |';
  const rule = `|${' --- |'.repeat(19)}`;
  const rows = ours.map((o, i) => {
    const r = ref[i];
    const cells = [
      String(o.round),
      fmt(o.loss.total, 3),
      fmt(r?.loss.total, 3),
      fmt(o.loss.align, 3),
      fmt(r?.loss.align, 3),
      fmt(o.loss.uniformity, 3),
      fmt(r?.loss.uniformity, 3),
      fmt(o.loss.dsr, 3),
      fmt(r?.loss.dsr, 3),
      fmt(o.loss.pd, 3),
      fmt(r?.loss.pd, 3),
      fmt(o.knnAccuracy != null ? o.knnAccuracy * 100 : null, 1),
      fmt(r?.knnAccuracy != null ? r.knnAccuracy * 100 : null, 1),
      fmt(o.uniformity, 3),
      fmt(r?.uniformity, 3),
      fmt(o.effectiveRank, 1),
      fmt(r?.effectiveRank, 1),
      fmt(o.interClientUniformity, 3),
      fmt(r?.interClientUniformity, 3),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}

export interface VerdictLine {
  metric: Metric;
  ours: number;
  ref: number;
  /** Mean over frameworks of |seed S - seed S+1|, the spread two runs of one framework show. */
  noise: number;
  ok: boolean;
}

/**
 * Final-round metric per framework and seed -> verdict. The difference between two independent runs
 * has about the spread of two seeds of one framework, so |ours - ref| <= 2 x noise counts as a match.
 * @param ours final metrics of ours at seeds [S, S+1, ...]; @param ref the same for the reference.
 */
export function verdict(ours: readonly Record<Metric, number>[], ref: readonly Record<Metric, number>[]): VerdictLine[] {
  return METRICS.map((metric) => {
    const o = ours.map((r) => r[metric]);
    const f = ref.map((r) => r[metric]);
    const spread = (v: number[]): number => (v.length >= 2 ? Math.abs((v[0] as number) - (v[1] as number)) : NaN);
    const noises = [spread(o), spread(f)].filter((x) => Number.isFinite(x));
    const noise = noises.length > 0 ? noises.reduce((a, b) => a + b, 0) / noises.length : NaN;
    const mo = o.reduce((a, b) => a + b, 0) / o.length;
    const mf = f.reduce((a, b) => a + b, 0) / f.length;
    return { metric, ours: mo, ref: mf, noise, ok: Number.isFinite(noise) && Math.abs(mo - mf) <= 2 * noise };
  });
}

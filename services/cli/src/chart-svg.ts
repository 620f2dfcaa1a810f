/**
 * A dependency-free SVG chart: one small line panel per metric, rounds on the x axis.
 * Opens in any browser; a person reads the trend faster than the JSON.
 */
export interface ChartPoint {
  round: number;
  /** null where the metric was not evaluated that round. */
  value: number | null;
}

export interface ChartSeries {
  title: string;
  points: ChartPoint[];
}

/** One panel with several labelled lines (e.g. one per method). */
export interface ChartPanel {
  title: string;
  lines: Array<{ label: string; points: ChartPoint[] }>;
}

const COLORS = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bf8700', '#57606a'];

const PANEL_W = 300;
const PANEL_H = 190;
const PAD = { left: 48, right: 12, top: 28, bottom: 30 };
const COLS = 3;

function fmt(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.01 || abs >= 1000)) return value.toExponential(1);
  return value.toFixed(abs < 10 ? 3 : 1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(spec: ChartPanel, x0: number, y0: number): string {
  type Pt = { round: number; value: number };
  const lines = spec.lines.map((l) => l.points.filter((p): p is Pt => p.value !== null && Number.isFinite(p.value)));
  const all = lines.flat();
  const parts = [
    `<g transform="translate(${x0},${y0})">`,
    `<rect width="${PANEL_W}" height="${PANEL_H}" fill="#fff" stroke="#ddd"/>`,
    `<text x="${PANEL_W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">${escapeXml(spec.title)}</text>`,
  ];
  const iw = PANEL_W - PAD.left - PAD.right;
  const ih = PANEL_H - PAD.top - PAD.bottom;
  if (all.length === 0) {
    parts.push(`<text x="${PANEL_W / 2}" y="${PANEL_H / 2}" text-anchor="middle" font-size="11" fill="#999">not evaluated</text></g>`);
    return parts.join('');
  }
  const rounds = all.map((p) => p.round);
  const values = all.map((p) => p.value);
  const rMin = Math.min(...rounds);
  const rMax = Math.max(...rounds);
  let vMin = Math.min(...values);
  let vMax = Math.max(...values);
  if (vMax - vMin < 1e-12) {
    vMin -= 0.5;
    vMax += 0.5;
  }
  const sx = (r: number): number => PAD.left + (rMax === rMin ? iw / 2 : ((r - rMin) / (rMax - rMin)) * iw);
  const sy = (v: number): number => PAD.top + ih - ((v - vMin) / (vMax - vMin)) * ih;
  for (const v of [vMin, (vMin + vMax) / 2, vMax]) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + iw}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`,
      `<text x="${PAD.left - 4}" y="${sy(v) + 4}" text-anchor="end" font-size="10" fill="#555">${fmt(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${PAD.left}" y="${PANEL_H - 10}" font-size="10" fill="#555">round ${rMin}</text>`,
    `<text x="${PAD.left + iw}" y="${PANEL_H - 10}" text-anchor="end" font-size="10" fill="#555">round ${rMax}</text>`,
  );
  lines.forEach((pts, i) => {
    const color = COLORS[i % COLORS.length] as string;
    if (pts.length === 0) return;
    const path = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p.round).toFixed(1)},${sy(p.value).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of pts) parts.push(`<circle cx="${sx(p.round).toFixed(1)}" cy="${sy(p.value).toFixed(1)}" r="2.5" fill="${color}"/>`);
  });
  if (spec.lines.length > 1) {
    spec.lines.forEach((l, i) => {
      const y = PAD.top + 4 + i * 12;
      parts.push(
        `<rect x="${PAD.left + 6}" y="${y - 7}" width="10" height="3" fill="${COLORS[i % COLORS.length]}"/>`,
        `<text x="${PAD.left + 20}" y="${y - 3}" font-size="9" fill="#333">${escapeXml(l.label)}</text>`,
      );
    });
  }
  parts.push('</g>');
  return parts.join('');
}

/** Renders single-line panels in a grid under a title line. */
export function renderChartSvg(title: string, series: ChartSeries[]): string {
  return renderPanelsSvg(
    title,
    series.map((s) => ({ title: s.title, lines: [{ label: s.title, points: s.points }] })),
  );
}

/** Renders multi-line panels in a grid under a title line. */
export function renderPanelsSvg(title: string, series: ChartPanel[]): string {
  const rows = Math.max(1, Math.ceil(series.length / COLS));
  const width = COLS * (PANEL_W + 10) + 10;
  const height = rows * (PANEL_H + 10) + 40;
  const body = series.map((s, i) => panel(s, 10 + (i % COLS) * (PANEL_W + 10), 34 + Math.floor(i / COLS) * (PANEL_H + 10)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#f6f8fa"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

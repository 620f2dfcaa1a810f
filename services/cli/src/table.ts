/** Plain-text table with right-aligned numeric columns, for the terminal and for Markdown docs. */
export function renderTable(header: string[], rows: string[][], style: 'plain' | 'markdown' = 'plain'): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number): string => (i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0));
  const line = (cells: string[]): string => (style === 'markdown' ? `| ${cells.map(cell).join(' | ')} |` : cells.map(cell).join('  '));
  const rule =
    style === 'markdown'
      ? `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`
      : widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Fixed decimals, or an en dash when the value is missing. */
export function num(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

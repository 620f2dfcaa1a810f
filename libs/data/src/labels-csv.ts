import { DataError } from './errors.js';

/**
 * Parses a site's optional `labels.csv`: one `file,label` line per image (a first line
 * `file,label` is a header), label an integer ≥ 0. Only evaluation sets need it: training uses
 * no labels. Errors name the line.
 */
export function parseLabelsCsv(text: string, source = 'labels.csv'): Map<string, number> {
  const labels = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || (index === 0 && /^file\s*,\s*label$/i.test(line))) return;
    const match = /^([^,]+?)\s*,\s*(\d+)$/.exec(line);
    if (match === null) {
      throw new DataError(
        'CORRUPT_FILE',
        `${source} line ${index + 1}: expected "file,label" with an integer label ≥ 0 (got ${JSON.stringify(line.slice(0, 80))})`,
      );
    }
    const [, file, label] = match as unknown as [string, string, string];
    if (labels.has(file)) throw new DataError('CORRUPT_FILE', `${source} line ${index + 1}: ${file} is listed twice`);
    labels.set(file, Number(label));
  });
  return labels;
}

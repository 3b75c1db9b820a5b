/** Plain-text tables for the CLI: padded columns, no dependency. */

export type Align = 'left' | 'right';

const GAP = '  ';

/** Width of each column: the longest of its header and cells. */
export function columnWidths(headers: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return headers.map((header, i) =>
    rows.reduce((width, row) => Math.max(width, displayWidth(row[i] ?? '')), displayWidth(header)));
}

/** One row padded to the given widths; the last column is not padded so lines carry no trailing spaces. */
export function formatRow(cells: readonly string[], widths: readonly number[], align: readonly Align[] = []): string {
  const last = widths.length - 1;
  return widths
    .map((width, i) => {
      const cell = cells[i] ?? '';
      const pad = ' '.repeat(Math.max(0, width - displayWidth(cell)));
      if (align[i] === 'right') return pad + cell;
      return i === last ? cell : cell + pad;
    })
    .join(GAP)
    .trimEnd();
}

/** Header plus rows as lines of text. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string[] {
  const widths = columnWidths(headers, rows);
  return [formatRow(headers, widths, align), ...rows.map((row) => formatRow(row, widths, align))];
}

/** Counts code points, not UTF-16 units, so an emoji in a name does not skew a column. */
function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

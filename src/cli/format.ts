/** Small value formatters shared by the table-printing commands. */

/** A timestamp (ISO string or epoch ms) as `YYYY-MM-DD HH:MM:SS` UTC; `-` when missing. */
export function formatTime(value: unknown, withMs = false): string {
  if (value === undefined || value === null || value === '') return '-';
  const date = new Date(value as string | number);
  if (Number.isNaN(date.getTime())) return String(value);
  const iso = date.toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, withMs ? 23 : 19);
}

/** Epoch milliseconds of a timestamp, for sorting; NaN-safe (unknown sorts first). */
export function timeOf(value: unknown): number {
  const ms = new Date(value as string | number).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** Bytes in B / kB / MB (decimal, like npm). */
export function formatBytes(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  if (value < 1000) return `${value} B`;
  if (value < 1_000_000) return `${(value / 1000).toFixed(1)} kB`;
  return `${(value / 1_000_000).toFixed(1)} MB`;
}

/** A number with at most `digits` decimals; `-` when missing. */
export function formatNumber(value: unknown, digits = 1): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** Any scalar as a table cell. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  return String(value);
}

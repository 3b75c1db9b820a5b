import { describe, expect, it } from 'vitest';
import { columnWidths, formatRow, renderTable } from '../../src/cli/table.ts';

describe('cli table', () => {
  it('pads every column to its widest cell, header included', () => {
    const lines = renderTable(['NAME', 'V'], [['hello', '1'], ['a', '12']]);
    expect(lines).toEqual(['NAME   V', 'hello  1', 'a      12']);
  });

  it('leaves no trailing spaces when the last cell is short', () => {
    const lines = renderTable(['A', 'LONG HEADER'], [['x', '']]);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('right-aligns numeric columns on request', () => {
    expect(renderTable(['N', 'X'], [['5', 'a'], ['123', 'b']], ['right'])).toEqual(['  N  X', '  5  a', '123  b']);
  });

  it('counts an emoji as one column, not two UTF-16 units', () => {
    expect(columnWidths(['N'], [['é🙂']])).toEqual([2]);
  });

  it('treats a missing cell as empty', () => {
    expect(formatRow(['a'], [1, 3])).toBe('a');
  });

  it('renders only the header for no rows', () => {
    expect(renderTable(['NAME', 'VERSION'], [])).toEqual(['NAME  VERSION']);
  });
});

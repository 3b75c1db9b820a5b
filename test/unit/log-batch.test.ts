/** Console lines held as columns on their way to logs.db (src/registry/log-batch.ts). */
import { describe, expect, it } from 'vitest';
import { LogBatch, type LogLine } from '../../src/registry/index.ts';

const HEX_ID = 'a'.repeat(32);

function line(i: number, message: string, requestId = HEX_ID): LogLine {
  return { ts: 1_700_000_000_000 + i, requestId, function: i % 2 ? 'odd' : 'even', version: i, level: i % 3 ? 'log' : 'error', message };
}

describe('log batch', () => {
  it('gives back every line as added: UTF-8 and empty messages, ids of any form, past its first capacity', () => {
    const lines = [
      line(0, 'plain'),
      line(1, ''),
      line(2, 'kia ora, 世界 🌏', 'not-a-hex-id'),
      line(3, 'x'.repeat(10_000)),
      ...Array.from({ length: 200 }, (_, i) => line(4 + i, `line ${i}`, i.toString(16).padStart(32, '0'))),
    ];
    const batch = new LogBatch(1);
    for (const l of lines) batch.add(l);
    expect(batch.length).toBe(lines.length);
    expect([...LogBatch.lines(batch.columns())]).toEqual(lines);
  });

  it('its columns cross to another thread as transferred buffers, and other buffers are untouched', () => {
    const bystander = Buffer.from('a small pooled buffer');
    const columns = LogBatch.of([line(0, 'moved'), line(1, 'along')]).columns();
    const moved = structuredClone(columns, { transfer: [columns.numbers.buffer, columns.ids.buffer, columns.text.buffer] });
    expect(columns.text.byteLength).toBe(0);
    expect([...LogBatch.lines(moved)].map((l) => l.message)).toEqual(['moved', 'along']);
    expect(bystander.toString()).toBe('a small pooled buffer');
  });
});

/** The gateway's table of invocations in flight on a sandbox host (src/sandbox-host/invocation-table.ts). */
import { describe, expect, it } from 'vitest';
import { InvocationTable } from '../../src/sandbox-host/invocation-table.ts';

describe('invocation table', () => {
  it('finds a record by id until it is taken, and counts what it holds', () => {
    const table = new InvocationTable<string>();
    table.set(1, 'a');
    table.set(2, 'b');
    expect(table.size).toBe(2);
    expect(table.get(2)).toBe('b');
    expect(table.take(1)).toBe('a');
    expect(table.has(1)).toBe(false);
    expect(table.take(1)).toBeUndefined();
    expect(table.size).toBe(1);
  });

  it('replacing the record of an id does not count it twice', () => {
    const table = new InvocationTable<string>();
    table.set(7, 'a');
    table.set(7, 'b');
    expect(table.size).toBe(1);
    expect(table.get(7)).toBe('b');
  });

  it('lists records in ascending order of id, also across 2 ** 32 where ids stop being array indexes', () => {
    const table = new InvocationTable<number>();
    for (const id of [2 ** 32 + 1, 3, 2 ** 32 - 1, 2 ** 32 - 2, 2 ** 32, 1]) table.set(id, id);
    const ids = [1, 3, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1];
    expect(table.entries()).toEqual(ids.map((id) => [id, id]));
    expect(table.values().sort((a, b) => a - b)).toEqual(ids);
  });

  it('drain hands back every record and leaves the table empty', () => {
    const table = new InvocationTable<string>();
    for (let id = 1; id <= 1000; id++) table.set(id, `r${id}`);
    for (let id = 1; id <= 1000; id += 2) table.take(id);
    const drained = table.drain();
    expect(drained).toHaveLength(500);
    expect(drained[0]).toEqual([2, 'r2']);
    expect(drained.at(-1)).toEqual([1000, 'r1000']);
    expect(table.size).toBe(0);
    expect(table.entries()).toEqual([]);
  });
});

/**
 * Invocation records on their way to logs.db, held column by column in typed arrays.
 *
 * The gateway keeps each batch for up to 200 ms, about 2,000 records under load. As one
 * object and one request-id string per record, every batch outlived a few young-generation
 * collections and was promoted, to be collected again in the old generation. Measured
 * (bench/hello-http.ts, atoll alone, 8 MB semi-spaces): keeping no records at all took the
 * warm hello world's p99 from 12-14 to 7 ms; this layout gave 10.0-11.3k → 11.4-11.9k
 * req/s. Here a record is 9 numbers and 16 bytes, and a batch crosses to the writer
 * thread as two transferred buffers and a short table of strings.
 */
import { type BatchColumns, ColumnBatch, columnMax, ID_BYTES, recordBytes, recordsFromBytes, RequestIdColumn } from './batch-columns.ts';
import type { InvocationRecord } from './types.ts';

/** Column order in `numbers`; strings (function name, outcome) are indexes into `strings`. */
const FUNCTION = 0;
const VERSION = 1;
const START_TIME = 2;
const WALL_MS = 3;
const CPU_MS = 4;
const BILLED_MS = 5;
const MEMORY_MB = 6;
const COLD = 7;
const OUTCOME = 8;
const COLUMNS = 9;

/** A batch as plain data, for postMessage (the two buffers can be transferred). */
export type InvocationColumns = BatchColumns;

export class InvocationBatch extends ColumnBatch {
  /** `capacity`: records expected (the batch grows past it as needed). */
  constructor(capacity = 256) {
    super(capacity, COLUMNS);
  }

  static of(records: readonly InvocationRecord[]): InvocationBatch {
    const batch = new InvocationBatch(records.length);
    for (const record of records) batch.add(record);
    return batch;
  }

  add(record: InvocationRecord): void {
    const at = this.addRecord(record.requestId);
    const numbers = this.numbers;
    numbers[at + FUNCTION] = this.strings.intern(record.function);
    numbers[at + VERSION] = record.version;
    numbers[at + START_TIME] = record.startTime;
    numbers[at + WALL_MS] = record.wallMs;
    numbers[at + CPU_MS] = record.cpuMs;
    numbers[at + BILLED_MS] = record.billedMs;
    numbers[at + MEMORY_MB] = record.memoryMb;
    numbers[at + COLD] = record.cold ? 1 : 0;
    numbers[at + OUTCOME] = this.strings.intern(record.outcome);
  }

  /** What metrics count of each record from `start` on (no request ids: those cost a string each). */
  each(start: number, visit: (fn: string, outcome: string, wallMs: number, cpuMs: number, cold: boolean) => void): void {
    const numbers = this.numbers;
    const strings = this.strings.strings;
    for (let index = start; index < this.length; index++) {
      const at = index * COLUMNS;
      visit(strings[numbers[at + FUNCTION]!]!, strings[numbers[at + OUTCOME]!]!, numbers[at + WALL_MS]!, numbers[at + CPU_MS]!, numbers[at + COLD] === 1);
    }
  }

  /** The batch as plain data; the batch must not be used after its buffers are transferred. */
  columns(): InvocationColumns {
    return this.batchColumns();
  }

  /**
   * The batch's records split by function, each as the columns of a batch of its own, in
   * the order they were added. logs.db keeps invocation records as such chunks (logs.ts).
   */
  static byFunction(columns: InvocationColumns): Map<string, InvocationColumns> {
    const { length, numbers, strings } = columns;
    const indexes = new Map<number, number[]>();
    for (let index = 0; index < length; index++) {
      const fn = numbers[index * COLUMNS + FUNCTION]!;
      let list = indexes.get(fn);
      if (!list) indexes.set(fn, (list = []));
      list.push(index);
    }
    // The usual batch under load: one function's records, kept as they are.
    if (indexes.size === 1) return new Map([[strings[indexes.keys().next().value!]!, columns]]);
    const otherIds = new Map(columns.otherIds);
    const out = new Map<string, InvocationColumns>();
    for (const [fn, list] of indexes) {
      const part: InvocationColumns = {
        length: list.length,
        numbers: new Float64Array(list.length * COLUMNS),
        ids: new Uint8Array(list.length * ID_BYTES),
        // The whole batch's string table: a few names and outcomes, shared by every part.
        strings,
        otherIds: [],
      };
      for (let at = 0; at < list.length; at++) {
        const index = list[at]!;
        for (let column = 0; column < COLUMNS; column++) part.numbers[at * COLUMNS + column] = numbers[index * COLUMNS + column]!;
        for (let byte = 0; byte < ID_BYTES; byte++) part.ids[at * ID_BYTES + byte] = columns.ids[index * ID_BYTES + byte]!;
        const other = otherIds.get(index);
        if (other !== undefined) part.otherIds.push([at, other]);
      }
      out.set(strings[fn]!, part);
    }
    return out;
  }

  /** The latest start time among the records (-Infinity for none). */
  static lastStartTime(columns: InvocationColumns): number {
    return columnMax(columns.numbers, columns.length, COLUMNS, START_TIME);
  }

  /** The two typed arrays as bytes to store, trimmed to `length`. */
  static toBytes(columns: InvocationColumns): { numbers: Uint8Array; ids: Uint8Array } {
    return recordBytes(columns.numbers, columns.ids, columns.length, COLUMNS);
  }

  /** Columns again from stored bytes. */
  static fromBytes(length: number, numbers: Uint8Array, ids: Uint8Array, strings: string[], otherIds: [number, string][]): InvocationColumns {
    return { length, ...recordsFromBytes(numbers, ids, length, COLUMNS, 'invocation records'), strings, otherIds };
  }

  /** The records of a batch sent as columns (on the writer's side). */
  static *records(columns: InvocationColumns): Generator<InvocationRecord> {
    const { length, numbers, strings } = columns;
    const requestId = RequestIdColumn.reader(columns.ids, columns.otherIds);
    for (let index = 0; index < length; index++) {
      const at = index * COLUMNS;
      yield {
        requestId: requestId(index),
        function: strings[numbers[at + FUNCTION]!]!,
        version: numbers[at + VERSION]!,
        startTime: numbers[at + START_TIME]!,
        wallMs: numbers[at + WALL_MS]!,
        cpuMs: numbers[at + CPU_MS]!,
        billedMs: numbers[at + BILLED_MS]!,
        memoryMb: numbers[at + MEMORY_MB]!,
        cold: numbers[at + COLD] === 1,
        outcome: strings[numbers[at + OUTCOME]!]!,
      };
    }
  }
}

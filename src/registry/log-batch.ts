/**
 * Console lines on their way to logs.db, held as columns like InvocationBatch: numbers in
 * a typed array, request ids as bytes, the messages as UTF-8 in one buffer.
 *
 * As one object and three strings per line, a batch of a function that logs on every
 * request outlived a few young-generation collections and was promoted. Measured (warm
 * hello world with one console.log per request, 50 connections, the gateway on one core):
 * ~46 KB promoted per scavenge against ~6 KB without the log line.
 */
import { type BatchColumns, ColumnBatch, columnMax, recordBytes, recordsFromBytes, RequestIdColumn } from './batch-columns.ts';
import type { LogLine } from './types.ts';

/** Column order in `numbers`; function and level are indexes into `strings`. */
const TS = 0;
const VERSION = 1;
const FUNCTION = 2;
const LEVEL = 3;
/** Where the line's message ends in `text` (it starts where the previous one ends). */
const TEXT_END = 4;
const COLUMNS = 5;

/** A batch as plain data, for postMessage (the three buffers can be transferred). */
export interface LogColumns extends BatchColumns {
  text: Uint8Array<ArrayBuffer>;
}

export class LogBatch extends ColumnBatch {
  #text: Buffer;
  #textLength = 0;

  /** `capacity`: lines expected (the batch grows past it as needed). */
  constructor(capacity = 64) {
    super(capacity, COLUMNS);
    // Never from Buffer's shared pool: the buffer is transferred to the writer thread.
    this.#text = Buffer.allocUnsafeSlow(Math.max(16, capacity) * 64);
  }

  static of(lines: readonly LogLine[]): LogBatch {
    const batch = new LogBatch(lines.length);
    for (const line of lines) batch.add(line);
    return batch;
  }

  add(line: LogLine): void {
    const bytes = Buffer.byteLength(line.message);
    if (this.#textLength + bytes > this.#text.length) {
      const text = Buffer.allocUnsafeSlow(Math.max(this.#text.length * 2, this.#textLength + bytes));
      this.#text.copy(text, 0, 0, this.#textLength);
      this.#text = text;
    }
    this.#textLength += this.#text.write(line.message, this.#textLength, bytes, 'utf8');
    const at = this.addRecord(line.requestId);
    const numbers = this.numbers;
    numbers[at + TS] = line.ts;
    numbers[at + VERSION] = line.version;
    numbers[at + FUNCTION] = this.strings.intern(line.function);
    numbers[at + LEVEL] = this.strings.intern(line.level);
    numbers[at + TEXT_END] = this.#textLength;
  }

  /** The batch as plain data; the batch must not be used after its buffers are transferred. */
  columns(): LogColumns {
    const text = new Uint8Array(this.#text.buffer, this.#text.byteOffset, this.#text.byteLength) as Uint8Array<ArrayBuffer>;
    return { ...this.batchColumns(), text };
  }

  /** The latest time among the lines (-Infinity for none). */
  static lastTime(columns: LogColumns): number {
    return columnMax(columns.numbers, columns.length, COLUMNS, TS);
  }

  /** The buffers as bytes to store, trimmed to `length`. */
  static toBytes(columns: LogColumns): { numbers: Uint8Array; ids: Uint8Array; text: Uint8Array } {
    const { length, numbers, text } = columns;
    const textEnd = length === 0 ? 0 : numbers[(length - 1) * COLUMNS + TEXT_END]!;
    return { ...recordBytes(numbers, columns.ids, length, COLUMNS), text: text.subarray(0, textEnd) };
  }

  /** Columns again from stored bytes. */
  static fromBytes(length: number, numbers: Uint8Array, ids: Uint8Array, text: Uint8Array, strings: string[], otherIds: [number, string][]): LogColumns {
    return { length, ...recordsFromBytes(numbers, ids, length, COLUMNS, 'log lines'), text: Uint8Array.from(text), strings, otherIds };
  }

  /** The batch's lines split by function, each as the columns of a batch of its own, in the order added. */
  static byFunction(columns: LogColumns): Map<string, LogColumns> {
    const functions = new Set<number>();
    for (let index = 0; index < columns.length; index++) functions.add(columns.numbers[index * COLUMNS + FUNCTION]!);
    // The usual batch: one function's lines, kept as they are.
    if (functions.size <= 1) return new Map(functions.size ? [[columns.strings[functions.values().next().value!]!, columns]] : []);
    const byName = new Map<string, LogLine[]>();
    for (const line of LogBatch.lines(columns)) {
      let lines = byName.get(line.function);
      if (!lines) byName.set(line.function, (lines = []));
      lines.push(line);
    }
    return new Map([...byName].map(([name, lines]) => [name, LogBatch.of(lines).columns()]));
  }

  /** The lines of a batch sent as columns, in the order they were added. */
  static *lines(columns: LogColumns): Generator<LogLine> {
    const { length, numbers, strings } = columns;
    const requestId = RequestIdColumn.reader(columns.ids, columns.otherIds);
    const text = Buffer.from(columns.text.buffer, columns.text.byteOffset, columns.text.byteLength);
    let start = 0;
    for (let index = 0; index < length; index++) {
      const at = index * COLUMNS;
      const end = numbers[at + TEXT_END]!;
      yield {
        ts: numbers[at + TS]!,
        requestId: requestId(index),
        function: strings[numbers[at + FUNCTION]!]!,
        version: numbers[at + VERSION]!,
        level: strings[numbers[at + LEVEL]!]!,
        message: text.toString('utf8', start, end),
      };
      start = end;
    }
  }
}

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

const ID_BYTES = 16;
/** Request ids as the gateway makes them (request-id.ts); any other id is kept as it is. */
const HEX_ID = /^[0-9a-f]{32}$/;

/** A batch as plain data, for postMessage (the two buffers can be transferred). */
export interface InvocationColumns {
  length: number;
  numbers: Float64Array<ArrayBuffer>;
  ids: Uint8Array<ArrayBuffer>;
  strings: string[];
  /** Records whose request id is not 32 lowercase hex digits: [record index, id]. */
  otherIds: [number, string][];
}

export class InvocationBatch {
  #length = 0;
  #numbers: Float64Array<ArrayBuffer>;
  #ids: Buffer;
  #strings: string[] = [];
  #stringIndex = new Map<string, number>();
  #otherIds: [number, string][] = [];

  /** `capacity`: records expected (the batch grows past it as needed). */
  constructor(capacity = 256) {
    const records = Math.max(16, capacity);
    this.#numbers = new Float64Array(records * COLUMNS);
    this.#ids = Buffer.alloc(records * ID_BYTES);
  }

  static of(records: readonly InvocationRecord[]): InvocationBatch {
    const batch = new InvocationBatch(records.length);
    for (const record of records) batch.add(record);
    return batch;
  }

  get length(): number {
    return this.#length;
  }

  add(record: InvocationRecord): void {
    const index = this.#length;
    if ((index + 1) * COLUMNS > this.#numbers.length) this.#grow();
    const at = index * COLUMNS;
    const numbers = this.#numbers;
    numbers[at + FUNCTION] = this.#intern(record.function);
    numbers[at + VERSION] = record.version;
    numbers[at + START_TIME] = record.startTime;
    numbers[at + WALL_MS] = record.wallMs;
    numbers[at + CPU_MS] = record.cpuMs;
    numbers[at + BILLED_MS] = record.billedMs;
    numbers[at + MEMORY_MB] = record.memoryMb;
    numbers[at + COLD] = record.cold ? 1 : 0;
    numbers[at + OUTCOME] = this.#intern(record.outcome);
    if (HEX_ID.test(record.requestId)) this.#ids.write(record.requestId, index * ID_BYTES, ID_BYTES, 'hex');
    else this.#otherIds.push([index, record.requestId]);
    this.#length = index + 1;
  }

  /** The batch as plain data; the batch must not be used after its buffers are transferred. */
  columns(): InvocationColumns {
    const ids = new Uint8Array(this.#ids.buffer, this.#ids.byteOffset, this.#ids.byteLength) as Uint8Array<ArrayBuffer>;
    return { length: this.#length, numbers: this.#numbers, ids, strings: this.#strings, otherIds: this.#otherIds };
  }

  /** The records of a batch sent as columns (on the writer's side). */
  static *records(columns: InvocationColumns): Generator<InvocationRecord> {
    const { length, numbers, strings } = columns;
    const ids = Buffer.from(columns.ids.buffer, columns.ids.byteOffset, columns.ids.byteLength);
    const otherIds = new Map(columns.otherIds);
    for (let index = 0; index < length; index++) {
      const at = index * COLUMNS;
      yield {
        requestId: otherIds.get(index) ?? ids.toString('hex', index * ID_BYTES, (index + 1) * ID_BYTES),
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

  #intern(text: string): number {
    let index = this.#stringIndex.get(text);
    if (index === undefined) {
      index = this.#strings.push(text) - 1;
      this.#stringIndex.set(text, index);
    }
    return index;
  }

  #grow(): void {
    const numbers = new Float64Array(this.#numbers.length * 2);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    const ids = Buffer.alloc(this.#ids.length * 2);
    this.#ids.copy(ids);
    this.#ids = ids;
  }
}

/**
 * What InvocationBatch and LogBatch share: request ids packed as bytes, and a table of the
 * few distinct strings (function names, outcomes, levels) a batch repeats. A batch is held
 * by the gateway for up to 200 ms; a string or object per record would outlive a few
 * young-generation collections and be promoted (see invocation-batch.ts).
 */

export const ID_BYTES = 16;
/** Request ids as the gateway makes them (request-id.ts); any other id is kept as it is. */
const HEX_ID = /^[0-9a-f]{32}$/;

/** Request ids of a batch's records: 16 bytes each, or kept aside when not 32 lowercase hex digits. */
export class RequestIdColumn {
  #bytes: Buffer;
  /** [record index, id] of the ids that are not 32 lowercase hex digits. */
  readonly others: [number, string][] = [];

  constructor(records: number) {
    this.#bytes = Buffer.alloc(records * ID_BYTES);
  }

  set(index: number, requestId: string): void {
    if ((index + 1) * ID_BYTES > this.#bytes.length) {
      const bytes = Buffer.alloc(Math.max(this.#bytes.length * 2, (index + 1) * ID_BYTES));
      this.#bytes.copy(bytes);
      this.#bytes = bytes;
    }
    if (HEX_ID.test(requestId)) this.#bytes.write(requestId, index * ID_BYTES, ID_BYTES, 'hex');
    else this.others.push([index, requestId]);
  }

  /** The bytes, for postMessage (transferable) or storage; the column must not be used after a transfer. */
  bytes(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength) as Uint8Array<ArrayBuffer>;
  }

  /** A reader of the ids again, from `bytes()` and `others`. */
  static reader(bytes: Uint8Array, others: readonly [number, string][]): (index: number) => string {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const byIndex = new Map(others);
    return (index) => byIndex.get(index) ?? buffer.toString('hex', index * ID_BYTES, (index + 1) * ID_BYTES);
  }
}

/** The largest value of `column` over a batch's first `length` records (-Infinity for none). */
export function columnMax(numbers: Float64Array, length: number, columns: number, column: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) max = Math.max(max, numbers[index * columns + column]!);
  return max;
}

/** A batch's numbers and request ids as bytes to store, trimmed to `length` records (little-endian: every platform Node runs Atoll on). */
export function recordBytes(numbers: Float64Array, ids: Uint8Array, length: number, columns: number): { numbers: Uint8Array; ids: Uint8Array } {
  return { numbers: new Uint8Array(numbers.buffer, numbers.byteOffset, length * columns * 8), ids: ids.subarray(0, length * ID_BYTES) };
}

/** The numbers and request ids again from stored bytes, copied: a BLOB's bytes need not be aligned for a Float64Array. */
export function recordsFromBytes(numbers: Uint8Array, ids: Uint8Array, length: number, columns: number, what: string): { numbers: Float64Array<ArrayBuffer>; ids: Uint8Array<ArrayBuffer> } {
  if (numbers.byteLength !== length * columns * 8 || ids.byteLength !== length * ID_BYTES) {
    throw new Error(`a stored chunk of ${length} ${what} has ${numbers.byteLength} + ${ids.byteLength} bytes`);
  }
  return { numbers: new Float64Array(Uint8Array.from(numbers).buffer), ids: Uint8Array.from(ids) };
}

/** `numbers` itself, or a copy at least twice as long when it has fewer than `needed` slots. */
export function withRoom(numbers: Float64Array<ArrayBuffer>, needed: number): Float64Array<ArrayBuffer> {
  if (needed <= numbers.length) return numbers;
  const grown = new Float64Array(Math.max(numbers.length * 2, needed));
  grown.set(numbers);
  return grown;
}

/** The distinct strings of a batch; records hold their index. */
export class StringTable {
  readonly strings: string[] = [];
  readonly #index = new Map<string, number>();

  intern(text: string): number {
    let index = this.#index.get(text);
    if (index === undefined) {
      index = this.strings.push(text) - 1;
      this.#index.set(text, index);
    }
    return index;
  }
}

/** A batch as plain data, for postMessage (its buffers can be transferred). */
export interface BatchColumns {
  length: number;
  numbers: Float64Array<ArrayBuffer>;
  ids: Uint8Array<ArrayBuffer>;
  strings: string[];
  /** Records whose request id is not 32 lowercase hex digits: [record index, id]. */
  otherIds: [number, string][];
}

/**
 * What every kind of batch holds: `width` numbers and a request id per record, and the
 * batch's distinct strings. A kind (InvocationBatch, LogBatch) names the columns.
 */
export class ColumnBatch {
  #length = 0;
  #numbers: Float64Array<ArrayBuffer>;
  readonly #width: number;
  readonly #ids: RequestIdColumn;
  protected readonly strings = new StringTable();

  /** `capacity`: records expected (the batch grows past it as needed). */
  constructor(capacity: number, width: number) {
    const records = Math.max(16, capacity);
    this.#width = width;
    this.#numbers = new Float64Array(records * width);
    this.#ids = new RequestIdColumn(records);
  }

  get length(): number {
    return this.#length;
  }

  /** The records' numbers, `width` per record (`addRecord` may replace the array: read it after). */
  protected get numbers(): Float64Array<ArrayBuffer> {
    return this.#numbers;
  }

  /** Room for one more record, with `requestId`: where its numbers start in `numbers`. */
  protected addRecord(requestId: string): number {
    const index = this.#length;
    this.#numbers = withRoom(this.#numbers, (index + 1) * this.#width);
    this.#ids.set(index, requestId);
    this.#length = index + 1;
    return index * this.#width;
  }

  /** The shared columns as plain data; the batch must not be used after its buffers are transferred. */
  protected batchColumns(): BatchColumns {
    return { length: this.#length, numbers: this.#numbers, ids: this.#ids.bytes(), strings: this.strings.strings, otherIds: this.#ids.others };
  }
}

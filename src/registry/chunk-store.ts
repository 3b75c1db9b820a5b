/**
 * Records kept in chunks: one row per function per batch written, holding that batch's
 * records of the function as columns (an InvocationBatch's or a LogBatch's). A gateway
 * under load writes thousands of records a second; as one row each, with its index entry
 * and later its deletion, they cost 2.5-3 µs of CPU apiece in the writer thread, which
 * shares the gateway's core, and a prune deleted a hundred thousand rows at a time.
 *
 * A chunk row: id, function, count, the latest time of its records (so a query can tell
 * when the chunks left cannot matter), the columns as BLOBs, and `strings`, JSON of the
 * batch's string table and its other request ids.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** A chunk as stored: the BLOBs in the order of ChunkKind.blobs. */
export interface StoredChunk {
  count: number;
  blobs: Uint8Array[];
  strings: string;
}

/** How one kind of record is kept in chunks. */
export interface ChunkKind<Columns, Item> {
  readonly table: string;
  /** The column holding the latest time of a chunk's records. */
  readonly timeColumn: string;
  readonly blobs: readonly string[];
  encode(columns: Columns): StoredChunk & { lastTime: number };
  /** A stored chunk's records, in the order they were written. */
  decode(chunk: StoredChunk): Item[];
  /** The time a query orders records by (then by order of writing). */
  timeOf(item: Item): number;
  columnsOf(items: Item[]): Columns;
  /** The batch's records split by function, each as columns of their own, in the order added. */
  byFunction(columns: Columns): Map<string, Columns>;
}

/** SQL of a chunk table and its two indexes (by order of writing, by latest time). */
export function chunkTableSql(table: string, timeColumn: string, blobs: readonly string[]): string {
  return `CREATE TABLE ${table} (
     id INTEGER PRIMARY KEY,
     function TEXT NOT NULL,
     count INTEGER NOT NULL,
     ${timeColumn} INTEGER NOT NULL,
     ${blobs.map((blob) => `${blob} BLOB NOT NULL`).join(',\n     ')},
     strings TEXT NOT NULL
   );
   CREATE INDEX ${table}_by_function ON ${table} (function, id);
   CREATE INDEX ${table}_by_time ON ${table} (function, ${timeColumn}, id);`;
}

export class ChunkStore<Columns, Item> {
  readonly #kind: ChunkKind<Columns, Item>;
  readonly #insert: StatementSync;
  readonly #times: StatementSync;
  readonly #select: StatementSync;
  readonly #sizes: StatementSync;
  readonly #replace: StatementSync;
  readonly #deleteBefore: StatementSync;
  readonly #deleteAll: StatementSync;

  constructor(db: DatabaseSync, kind: ChunkKind<Columns, Item>) {
    this.#kind = kind;
    const { table, timeColumn: time, blobs } = kind;
    this.#insert = db.prepare(`INSERT INTO ${table} (function, count, ${time}, ${blobs.join(', ')}, strings) VALUES (?, ?, ?, ${blobs.map(() => '?').join(', ')}, ?)`);
    this.#times = db.prepare(`SELECT id, ${time} AS time FROM ${table} WHERE function = ? AND ${time} >= ? ORDER BY ${time} DESC, id DESC`);
    this.#select = db.prepare(`SELECT count, ${blobs.join(', ')}, strings FROM ${table} WHERE id = ?`);
    this.#sizes = db.prepare(`SELECT id, count FROM ${table} WHERE function = ? ORDER BY id DESC`);
    this.#replace = db.prepare(`UPDATE ${table} SET count = ?, ${time} = ?, ${blobs.map((b) => `${b} = ?`).join(', ')}, strings = ? WHERE id = ?`);
    this.#deleteBefore = db.prepare(`DELETE FROM ${table} WHERE function = ? AND id < ?`);
    this.#deleteAll = db.prepare(`DELETE FROM ${table} WHERE function = ?`);
  }

  /** One chunk per function of the batch; returns the functions written to. */
  append(columns: Columns): string[] {
    const names: string[] = [];
    for (const [name, part] of this.#kind.byFunction(columns)) {
      const chunk = this.#kind.encode(part);
      this.#insert.run(name, chunk.count, chunk.lastTime, ...chunk.blobs, chunk.strings);
      names.push(name);
    }
    return names;
  }

  /**
   * The newest `limit` records with a time at or after `since`, by time then order of
   * writing, newest last. Chunks are read by their latest time, newest first, and only until
   * the next one's latest time is earlier than the oldest record kept so far: every chunk
   * after it is then too. (In the order written, a chunk can hold a later time than the
   * chunk after it: a batch of long requests follows one of short ones.)
   */
  newest(name: string, since: number, limit: number): Item[] {
    if (limit <= 0) return [];
    // Ties go by order of writing: chunk ids grow, and a chunk keeps its records in order.
    type Kept = { item: Item; time: number; chunk: number; index: number };
    const newestFirst = (a: Kept, b: Kept) => b.time - a.time || b.chunk - a.chunk || b.index - a.index;
    let kept: Kept[] = [];
    // The time of the limit-th newest record kept, once there are that many. It is only
    // recomputed (a sort) when twice the limit has piled up: between sorts it can only be too
    // old, which at worst reads a chunk more. Sorting after every chunk took a quiet function's
    // 10,000 one-record chunks ~0.9 s to query.
    let threshold: number | undefined;
    const sortAndTrim = () => {
      kept.sort(newestFirst);
      if (kept.length > limit) kept = kept.slice(0, limit);
    };
    for (const chunk of this.#times.iterate(name, since) as Iterable<{ id: number; time: number }>) {
      if (kept.length >= limit) {
        if (threshold === undefined || kept.length >= 2 * limit) {
          sortAndTrim();
          threshold = kept[limit - 1]!.time;
        }
        // Not at an equal time: a chunk written later wins the tie.
        if (chunk.time < threshold) break;
      }
      this.#read(chunk.id).forEach((item, index) => {
        const time = this.#kind.timeOf(item);
        if (time >= since) kept.push({ item, time, chunk: chunk.id, index });
      });
    }
    sortAndTrim();
    return kept.reverse().map((k) => k.item);
  }

  /** Keeps a function's newest `max` records in the order written: whole chunks, and the newest part of one. */
  prune(name: string, max: number): void {
    let total = 0;
    for (const { id, count } of this.#sizes.all(name) as { id: number; count: number }[]) {
      total += count;
      if (total < max) continue;
      const keep = count - (total - max);
      if (keep < count) {
        const chunk = this.#kind.encode(this.#kind.columnsOf(this.#read(id).slice(count - keep)));
        this.#replace.run(chunk.count, chunk.lastTime, ...chunk.blobs, chunk.strings, id);
      }
      this.#deleteBefore.run(name, id);
      return;
    }
  }

  remove(name: string): void {
    this.#deleteAll.run(name);
  }

  #read(id: number): Item[] {
    const row = this.#select.get(id) as Record<string, unknown>;
    return this.#kind.decode({ count: row.count as number, blobs: this.#kind.blobs.map((b) => row[b] as Uint8Array), strings: row.strings as string });
  }
}

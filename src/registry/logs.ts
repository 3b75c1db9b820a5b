/**
 * Invocation records and console lines in `<dataDir>/logs.db`, apart from registry.db:
 * high volume, synchronous=NORMAL (a crash may lose the last moments of logs, never a
 * deploy), and bounded per function so it cannot grow forever.
 *
 * Invocation records are kept in chunks: one row per function per batch written, holding
 * that batch's records of the function as InvocationBatch columns. A gateway under load
 * writes thousands of records a second; as one row each, with its index entry and later
 * its deletion, they cost 2.5-3 µs of the gateway's CPU apiece (the writer thread shares
 * its core), about a tenth of all it spends on a warm request.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { InvocationBatch, type InvocationColumns } from './invocation-batch.ts';
import { openDatabase, transaction, type Migration } from './sqlite-util.ts';
import type { InvocationRecord, LogLine, LogQuery, LogQueryResult, LogRetention } from './types.ts';

export const DEFAULT_LOG_RETENTION: LogRetention = Object.freeze({
  maxInvocationsPerFunction: 10_000,
  maxLogsPerFunction: 10_000,
  pruneEveryBatches: 50,
});

const MIGRATIONS: Migration[] = [
  `CREATE TABLE invocations (
     id INTEGER PRIMARY KEY,
     request_id TEXT NOT NULL,
     function TEXT NOT NULL,
     version INTEGER NOT NULL,
     start_time INTEGER NOT NULL,
     wall_ms REAL NOT NULL,
     cpu_ms REAL NOT NULL,
     billed_ms INTEGER NOT NULL,
     memory_mb INTEGER NOT NULL,
     cold INTEGER NOT NULL,
     outcome TEXT NOT NULL
   );
   CREATE INDEX invocations_by_function_time ON invocations (function, start_time, id);
   CREATE TABLE logs (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     request_id TEXT NOT NULL,
     function TEXT NOT NULL,
     version INTEGER NOT NULL,
     level TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX logs_by_function_time ON logs (function, ts, id);`,
  migrateToChunks,
  // Schema 3: a query reads chunks by latest start, newest first (newestInvocations).
  'CREATE INDEX invocation_chunks_by_start ON invocation_chunks (function, last_start, id);',
];

/** Records per chunk when rows of the old layout are moved into chunks. */
const MIGRATION_CHUNK_RECORDS = 5000;

/**
 * Schema 2: invocation records in chunks (`invocation_chunks`). `numbers` and `ids` are an
 * InvocationBatch's typed arrays as bytes (little-endian, as on every platform Node runs
 * Atoll on); `strings` is JSON of its string table and its other ids. `last_start` is the
 * latest start time in the chunk, so a query can tell when older chunks cannot matter.
 * The records of schema 1 move over, per function in the order they were stored.
 */
function migrateToChunks(db: DatabaseSync): void {
  db.exec(`CREATE TABLE invocation_chunks (
     id INTEGER PRIMARY KEY,
     function TEXT NOT NULL,
     count INTEGER NOT NULL,
     last_start INTEGER NOT NULL,
     numbers BLOB NOT NULL,
     ids BLOB NOT NULL,
     strings TEXT NOT NULL
   );
   CREATE INDEX invocation_chunks_by_function ON invocation_chunks (function, id);`);
  const insert = insertChunkStatement(db);
  const select = db.prepare('SELECT * FROM invocations WHERE function = ? ORDER BY id');
  for (const { function: name } of db.prepare('SELECT DISTINCT function FROM invocations').all() as { function: string }[]) {
    let records: InvocationRecord[] = [];
    const flush = () => {
      if (records.length > 0) insertChunk(insert, name, InvocationBatch.of(records).columns());
      records = [];
    };
    for (const row of select.iterate(name) as Iterable<InvocationRow>) {
      records.push(toInvocation(row));
      if (records.length === MIGRATION_CHUNK_RECORDS) flush();
    }
    flush();
  }
  db.exec('DROP TABLE invocations');
}

function insertChunkStatement(db: DatabaseSync): StatementSync {
  return db.prepare('INSERT INTO invocation_chunks (function, count, last_start, numbers, ids, strings) VALUES (?, ?, ?, ?, ?, ?)');
}

/** A chunk's stored fields after its function: count, last_start, numbers, ids, strings. */
function chunkFields(columns: InvocationColumns): [number, number, Uint8Array, Uint8Array, string] {
  const { numbers, ids } = InvocationBatch.toBytes(columns);
  return [columns.length, InvocationBatch.lastStartTime(columns), numbers, ids, JSON.stringify({ strings: columns.strings, otherIds: columns.otherIds })];
}

function insertChunk(insert: StatementSync, name: string, columns: InvocationColumns): void {
  insert.run(name, ...chunkFields(columns));
}

interface ChunkRow {
  id: number;
  count: number;
  last_start: number;
  numbers: Uint8Array;
  ids: Uint8Array;
  strings: string;
}

/** A stored chunk's records, in the order they were written. */
function chunkRecords(row: ChunkRow): InvocationRecord[] {
  const { strings, otherIds } = JSON.parse(row.strings) as { strings: string[]; otherIds: [number, string][] };
  return [...InvocationBatch.records(InvocationBatch.fromBytes(row.count, row.numbers, row.ids, strings, otherIds))];
}

interface InvocationRow {
  request_id: string;
  function: string;
  version: number;
  start_time: number;
  wall_ms: number;
  cpu_ms: number;
  billed_ms: number;
  memory_mb: number;
  cold: number;
  outcome: string;
}

interface LogRow {
  ts: number;
  request_id: string;
  function: string;
  version: number;
  level: string;
  message: string;
}

export class LogStore {
  private readonly db: DatabaseSync;
  private readonly retention: LogRetention;
  private readonly insertInvocationChunk: StatementSync;
  private readonly insertLog: StatementSync;
  private readonly selectChunkStarts: StatementSync;
  private readonly selectLogs: StatementSync;
  private readonly chunkSizes: StatementSync;
  private readonly selectChunk: StatementSync;
  private readonly replaceChunk: StatementSync;
  private readonly deleteChunksBefore: StatementSync;
  private readonly pruneLogs: StatementSync;
  private readonly deleteInvocations: StatementSync;
  private readonly deleteLogs: StatementSync;
  /** Functions written to since the last prune, so a prune touches only those. */
  private readonly dirty = new Set<string>();
  private batchesSincePrune = 0;

  constructor(path: string, retention: LogRetention) {
    this.retention = retention;
    this.db = openDatabase(path, { synchronous: 'NORMAL', migrations: MIGRATIONS, tables: ['invocation_chunks', 'logs'] });
    const db = this.db;
    this.insertInvocationChunk = insertChunkStatement(db);
    this.insertLog = db.prepare(
      'INSERT INTO logs (ts, request_id, function, version, level, message) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectChunkStarts = db.prepare(
      'SELECT id, last_start FROM invocation_chunks WHERE function = ? AND last_start >= ? ORDER BY last_start DESC, id DESC',
    );
    // Newest first with LIMIT, reversed in JS: the newest N, returned newest last.
    this.selectLogs = db.prepare(
      'SELECT * FROM logs WHERE function = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT ?',
    );
    this.chunkSizes = db.prepare('SELECT id, count FROM invocation_chunks WHERE function = ? ORDER BY id DESC');
    this.selectChunk = db.prepare('SELECT id, count, last_start, numbers, ids, strings FROM invocation_chunks WHERE id = ?');
    this.replaceChunk = db.prepare('UPDATE invocation_chunks SET count = ?, last_start = ?, numbers = ?, ids = ?, strings = ? WHERE id = ?');
    this.deleteChunksBefore = db.prepare('DELETE FROM invocation_chunks WHERE function = ? AND id < ?');
    this.pruneLogs = db.prepare(
      `DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE function = ?
       ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?)`,
    );
    this.deleteInvocations = db.prepare('DELETE FROM invocation_chunks WHERE function = ?');
    this.deleteLogs = db.prepare('DELETE FROM logs WHERE function = ?');
  }

  /** Appends a batch of invocation records in one transaction: one chunk per function. */
  appendInvocations(columns: InvocationColumns): void {
    if (columns.length === 0) return;
    transaction(this.db, () => {
      for (const [name, part] of InvocationBatch.byFunction(columns)) {
        insertChunk(this.insertInvocationChunk, name, part);
        this.dirty.add(name);
      }
    });
    this.afterBatch();
  }

  /** Appends a batch of log lines in one transaction. */
  appendLogs(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    transaction(this.db, () => {
      for (const l of lines) {
        this.insertLog.run(l.ts, l.requestId, l.function, l.version, l.level, l.message);
        this.dirty.add(l.function);
      }
    });
    this.afterBatch();
  }

  /** The newest `limit` invocations and log lines of a function, each list newest last. */
  query(name: string, query: LogQuery): LogQueryResult {
    const since = query.sinceMs ?? Number.MIN_SAFE_INTEGER;
    const invocations = this.newestInvocations(name, since, query.limit);
    const logs = (this.selectLogs.all(name, since, query.limit) as unknown as LogRow[]).reverse().map(toLogLine);
    return { invocations, logs };
  }

  /** Deletes every record of a function. */
  removeFunction(name: string): void {
    transaction(this.db, () => {
      this.deleteInvocations.run(name);
      this.deleteLogs.run(name);
    });
    this.dirty.delete(name);
  }

  /** Trims every function written to since the last prune down to the retention bound. */
  prune(): void {
    const names = [...this.dirty];
    this.dirty.clear();
    this.batchesSincePrune = 0;
    if (names.length === 0) return;
    transaction(this.db, () => {
      for (const name of names) {
        this.pruneInvocations(name, this.retention.maxInvocationsPerFunction);
        this.pruneLogs.run(name, this.retention.maxLogsPerFunction);
      }
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /**
   * The newest `limit` records started at or after `since`, by start time then order of
   * writing, newest last. Chunks are read by their latest start, newest first, and only until
   * the next one's latest start is earlier than the oldest record kept so far: every chunk
   * after it is then too. (In the order written, a chunk can hold a later start than the
   * chunk after it: a batch of long requests follows one of short ones.)
   */
  private newestInvocations(name: string, since: number, limit: number): InvocationRecord[] {
    if (limit <= 0) return [];
    // Ties in start time go by order of writing: chunk ids grow, and a chunk keeps its records in order.
    type Kept = { record: InvocationRecord; chunk: number; index: number };
    const newestFirst = (a: Kept, b: Kept) => b.record.startTime - a.record.startTime || b.chunk - a.chunk || b.index - a.index;
    let kept: Kept[] = [];
    // The start time of the limit-th newest record kept, once there are that many. It is only
    // recomputed (a sort) when twice the limit has piled up: between sorts it can only be too
    // old, which at worst reads a chunk more. Sorting after every chunk took a quiet function's
    // 10,000 one-record chunks ~0.9 s to query.
    let threshold: number | undefined;
    const sortAndTrim = () => {
      kept.sort(newestFirst);
      if (kept.length > limit) kept = kept.slice(0, limit);
    };
    for (const start of this.selectChunkStarts.iterate(name, since) as Iterable<{ id: number; last_start: number }>) {
      if (kept.length >= limit) {
        if (threshold === undefined || kept.length >= 2 * limit) {
          sortAndTrim();
          threshold = kept[limit - 1]!.record.startTime;
        }
        // Not at an equal start: a chunk written later wins the tie.
        if (start.last_start < threshold) break;
      }
      const row = this.selectChunk.get(start.id) as unknown as ChunkRow;
      chunkRecords(row).forEach((record, index) => {
        if (record.startTime >= since) kept.push({ record, chunk: row.id, index });
      });
    }
    sortAndTrim();
    return kept.reverse().map((k) => k.record);
  }

  /** Keeps a function's newest `max` invocation records (in the order written): whole chunks, and the newest part of one. */
  private pruneInvocations(name: string, max: number): void {
    let total = 0;
    for (const { id, count } of this.chunkSizes.all(name) as { id: number; count: number }[]) {
      total += count;
      if (total < max) continue;
      const keep = count - (total - max);
      if (keep < count) {
        const row = this.selectChunk.get(id) as unknown as ChunkRow;
        this.replaceChunk.run(...chunkFields(InvocationBatch.of(chunkRecords(row).slice(count - keep)).columns()), id);
      }
      this.deleteChunksBefore.run(name, id);
      return;
    }
  }

  private afterBatch(): void {
    if (++this.batchesSincePrune >= this.retention.pruneEveryBatches) this.prune();
  }
}

function toInvocation(row: InvocationRow): InvocationRecord {
  return {
    requestId: row.request_id,
    function: row.function,
    version: row.version,
    startTime: row.start_time,
    wallMs: row.wall_ms,
    cpuMs: row.cpu_ms,
    billedMs: row.billed_ms,
    memoryMb: row.memory_mb,
    cold: row.cold === 1,
    outcome: row.outcome,
  };
}

function toLogLine(row: LogRow): LogLine {
  return {
    ts: row.ts,
    requestId: row.request_id,
    function: row.function,
    version: row.version,
    level: row.level,
    message: row.message,
  };
}

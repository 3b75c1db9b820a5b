/**
 * Invocation records and console lines in `<dataDir>/logs.db`, apart from registry.db:
 * high volume, synchronous=NORMAL (a crash may lose the last moments of logs, never a
 * deploy), and bounded per function so it cannot grow forever. Both are kept in chunks
 * (chunk-store.ts): one row per function per batch written.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ChunkStore, chunkTableSql, type ChunkKind, type StoredChunk } from './chunk-store.ts';
import { InvocationBatch, type InvocationColumns } from './invocation-batch.ts';
import { LogBatch, type LogColumns } from './log-batch.ts';
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
  // Schema 3: a query reads chunks by latest start, newest first (ChunkStore.newest).
  'CREATE INDEX invocation_chunks_by_start ON invocation_chunks (function, last_start, id);',
  migrateLogsToChunks,
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
  moveRowsIntoChunks(db, 'invocations', INVOCATION_CHUNKS, toInvocation);
}

/** Moves the one-row-per-record `table` into chunks, per function in the order stored, and drops it. */
function moveRowsIntoChunks<Columns, Item, Row>(db: DatabaseSync, table: string, kind: ChunkKind<Columns, Item>, toItem: (row: Row) => Item): void {
  const chunks = new ChunkStore(db, kind);
  const select = db.prepare(`SELECT * FROM ${table} WHERE function = ? ORDER BY id`);
  for (const { function: name } of db.prepare(`SELECT DISTINCT function FROM ${table}`).all() as { function: string }[]) {
    let items: Item[] = [];
    const flush = () => {
      if (items.length > 0) chunks.append(kind.columnsOf(items));
      items = [];
    };
    for (const row of select.iterate(name) as Iterable<Row>) {
      items.push(toItem(row));
      if (items.length === MIGRATION_CHUNK_RECORDS) flush();
    }
    flush();
  }
  db.exec(`DROP TABLE ${table}`);
}

/** Invocation records as chunks: `numbers` and `ids` are an InvocationBatch's typed arrays as bytes. */
const INVOCATION_CHUNKS: ChunkKind<InvocationColumns, InvocationRecord> = {
  table: 'invocation_chunks',
  timeColumn: 'last_start',
  blobs: ['numbers', 'ids'],
  encode(columns) {
    const { numbers, ids } = InvocationBatch.toBytes(columns);
    return { count: columns.length, lastTime: InvocationBatch.lastStartTime(columns), blobs: [numbers, ids], strings: stringsJson(columns) };
  },
  decode(chunk) {
    const { strings, otherIds } = parseStrings(chunk);
    return [...InvocationBatch.records(InvocationBatch.fromBytes(chunk.count, chunk.blobs[0]!, chunk.blobs[1]!, strings, otherIds))];
  },
  timeOf: (record) => record.startTime,
  columnsOf: (records) => InvocationBatch.of(records).columns(),
  byFunction: (columns) => InvocationBatch.byFunction(columns),
};

/** Console lines as chunks: a LogBatch's numbers, request ids and UTF-8 messages as bytes. */
const LOG_CHUNKS: ChunkKind<LogColumns, LogLine> = {
  table: 'log_chunks',
  timeColumn: 'last_ts',
  blobs: ['numbers', 'ids', 'text'],
  encode(columns) {
    const { numbers, ids, text } = LogBatch.toBytes(columns);
    return { count: columns.length, lastTime: LogBatch.lastTime(columns), blobs: [numbers, ids, text], strings: stringsJson(columns) };
  },
  decode(chunk) {
    const { strings, otherIds } = parseStrings(chunk);
    return [...LogBatch.lines(LogBatch.fromBytes(chunk.count, chunk.blobs[0]!, chunk.blobs[1]!, chunk.blobs[2]!, strings, otherIds))];
  },
  timeOf: (line) => line.ts,
  columnsOf: (lines) => LogBatch.of(lines).columns(),
  byFunction: (columns) => LogBatch.byFunction(columns),
};

function stringsJson(columns: { strings: string[]; otherIds: [number, string][] }): string {
  return JSON.stringify({ strings: columns.strings, otherIds: columns.otherIds });
}

function parseStrings(chunk: StoredChunk): { strings: string[]; otherIds: [number, string][] } {
  return JSON.parse(chunk.strings) as { strings: string[]; otherIds: [number, string][] };
}

/**
 * Schema 4: console lines in chunks (`log_chunks`), as the invocation records since schema 2.
 * The lines of schema 3 move over, per function in the order they were stored.
 */
function migrateLogsToChunks(db: DatabaseSync): void {
  db.exec(chunkTableSql(LOG_CHUNKS.table, LOG_CHUNKS.timeColumn, LOG_CHUNKS.blobs));
  moveRowsIntoChunks(db, 'logs', LOG_CHUNKS, toLogLine);
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
  private readonly invocations: ChunkStore<InvocationColumns, InvocationRecord>;
  private readonly logs: ChunkStore<LogColumns, LogLine>;
  /** Functions written to since the last prune, so a prune touches only those. */
  private readonly dirty = new Set<string>();
  private batchesSincePrune = 0;

  constructor(path: string, retention: LogRetention) {
    this.retention = retention;
    this.db = openDatabase(path, { synchronous: 'NORMAL', migrations: MIGRATIONS, tables: ['invocation_chunks', 'log_chunks'] });
    this.invocations = new ChunkStore(this.db, INVOCATION_CHUNKS);
    this.logs = new ChunkStore(this.db, LOG_CHUNKS);
  }

  /** Appends a batch of invocation records in one transaction: one chunk per function. */
  appendInvocations(columns: InvocationColumns): void {
    if (columns.length === 0) return;
    this.append(() => this.invocations.append(columns));
  }

  /** Appends a batch of log lines in one transaction: one chunk per function. */
  appendLogs(columns: LogColumns): void {
    if (columns.length === 0) return;
    this.append(() => this.logs.append(columns));
  }

  /** The newest `limit` invocations and log lines of a function, each list newest last. */
  query(name: string, query: LogQuery): LogQueryResult {
    const since = query.sinceMs ?? Number.MIN_SAFE_INTEGER;
    return { invocations: this.invocations.newest(name, since, query.limit), logs: this.logs.newest(name, since, query.limit) };
  }

  /** Deletes every record of a function. */
  removeFunction(name: string): void {
    transaction(this.db, () => {
      this.invocations.remove(name);
      this.logs.remove(name);
    });
    this.dirty.delete(name);
  }

  /** Trims every function written to since the last prune down to the retention bound (the newest, in the order written). */
  prune(): void {
    const names = [...this.dirty];
    this.dirty.clear();
    this.batchesSincePrune = 0;
    if (names.length === 0) return;
    transaction(this.db, () => {
      for (const name of names) {
        this.invocations.prune(name, this.retention.maxInvocationsPerFunction);
        this.logs.prune(name, this.retention.maxLogsPerFunction);
      }
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private append(write: () => string[]): void {
    transaction(this.db, () => {
      for (const name of write()) this.dirty.add(name);
    });
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

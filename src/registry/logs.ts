/**
 * Invocation records and console lines in `<dataDir>/logs.db`, apart from registry.db:
 * high volume, synchronous=NORMAL (a crash may lose the last moments of logs, never a
 * deploy), and bounded per function so it cannot grow forever.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openDatabase, transaction } from './sqlite-util.ts';
import type { InvocationRecord, LogLine, LogQuery, LogQueryResult, LogRetention } from './types.ts';

export const DEFAULT_LOG_RETENTION: LogRetention = Object.freeze({
  maxInvocationsPerFunction: 10_000,
  maxLogsPerFunction: 10_000,
  pruneEveryBatches: 50,
});

const MIGRATIONS = [
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
];

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
  private readonly insertInvocation: StatementSync;
  private readonly insertLog: StatementSync;
  private readonly selectInvocations: StatementSync;
  private readonly selectLogs: StatementSync;
  private readonly pruneInvocations: StatementSync;
  private readonly pruneLogs: StatementSync;
  private readonly deleteInvocations: StatementSync;
  private readonly deleteLogs: StatementSync;
  /** Functions written to since the last prune, so a prune touches only those. */
  private readonly dirty = new Set<string>();
  private batchesSincePrune = 0;

  constructor(path: string, retention: LogRetention) {
    this.retention = retention;
    this.db = openDatabase(path, { synchronous: 'NORMAL', migrations: MIGRATIONS, tables: ['invocations', 'logs'] });
    const db = this.db;
    this.insertInvocation = db.prepare(
      `INSERT INTO invocations (request_id, function, version, start_time, wall_ms, cpu_ms, billed_ms, memory_mb, cold, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertLog = db.prepare(
      'INSERT INTO logs (ts, request_id, function, version, level, message) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // Newest first with LIMIT, reversed in JS: the newest N, returned newest last.
    this.selectInvocations = db.prepare(
      `SELECT * FROM invocations WHERE function = ? AND start_time >= ?
       ORDER BY start_time DESC, id DESC LIMIT ?`,
    );
    this.selectLogs = db.prepare(
      'SELECT * FROM logs WHERE function = ? AND ts >= ? ORDER BY ts DESC, id DESC LIMIT ?',
    );
    this.pruneInvocations = db.prepare(
      `DELETE FROM invocations WHERE id IN (SELECT id FROM invocations WHERE function = ?
       ORDER BY start_time DESC, id DESC LIMIT -1 OFFSET ?)`,
    );
    this.pruneLogs = db.prepare(
      `DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE function = ?
       ORDER BY ts DESC, id DESC LIMIT -1 OFFSET ?)`,
    );
    this.deleteInvocations = db.prepare('DELETE FROM invocations WHERE function = ?');
    this.deleteLogs = db.prepare('DELETE FROM logs WHERE function = ?');
  }

  /** Appends a batch of invocation records in one transaction. */
  appendInvocations(records: Iterable<InvocationRecord>): void {
    transaction(this.db, () => {
      for (const r of records) {
        this.insertInvocation.run(
          r.requestId, r.function, r.version, r.startTime, r.wallMs, r.cpuMs, r.billedMs, r.memoryMb,
          r.cold ? 1 : 0, r.outcome,
        );
        this.dirty.add(r.function);
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
    const invocations = (this.selectInvocations.all(name, since, query.limit) as unknown as InvocationRow[])
      .reverse()
      .map(toInvocation);
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
        this.pruneInvocations.run(name, this.retention.maxInvocationsPerFunction);
        this.pruneLogs.run(name, this.retention.maxLogsPerFunction);
      }
    });
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
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

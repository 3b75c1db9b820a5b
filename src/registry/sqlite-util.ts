/** Shared SQLite plumbing for registry.db and logs.db: pragmas, migrations, transactions. */
import { DatabaseSync } from 'node:sqlite';
import { AtollError } from '../errors/index.ts';

/** One step of a schema: SQL, or a function for what SQL alone cannot do (run in the same transaction). */
export type Migration = string | ((db: DatabaseSync) => void);

export interface OpenOptions {
  /** FULL for data that must survive power loss (deploys); NORMAL for high-volume logs. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** Ordered migrations: index i upgrades the schema from version i to i + 1. */
  readonly migrations: readonly Migration[];
  /** Tables the current schema must have; checked on open. */
  readonly tables: readonly string[];
}

/** Opens a database in WAL mode and brings its schema up to date, or throws. */
export function openDatabase(path: string, options: OpenOptions): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    // Another process (a CLI, a second gateway) may hold the write lock briefly: wait, not fail.
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${options.synchronous}`);
    migrate(db, path, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: DatabaseSync, path: string, options: OpenOptions): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > options.migrations.length) {
    throw new AtollError(
      'INTERNAL_ERROR',
      `${path} has schema version ${current}, newer than this build supports (${options.migrations.length}); upgrade Atoll`,
      { path, schemaVersion: current },
    );
  }
  for (let version = current + 1; version <= options.migrations.length; version++) {
    transaction(db, () => {
      const migration = options.migrations[version - 1]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    });
  }
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name),
  );
  const missing = options.tables.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new AtollError('INTERNAL_ERROR', `${path} is missing tables ${missing.join(', ')}`, { path, missing });
  }
}

/** Runs `fn` in one write transaction; BEGIN IMMEDIATE takes the write lock up front. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    // SQLite may already have rolled back on some errors (e.g. SQLITE_FULL).
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

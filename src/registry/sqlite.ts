/**
 * The embedded registry: `<dataDir>/registry.db` (SQLite, WAL, synchronous=FULL) for
 * functions and versions, content-addressed blobs for code, `<dataDir>/logs.db` for logs.
 *
 * Deploy order is what makes a deploy atomic (design.md §6): every blob is written and
 * fsynced first, then ONE transaction inserts the version row and repoints the live version.
 * A crash before the commit leaves unreferenced blobs (harmless); after it, everything the
 * row references is already on disk.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { join } from 'node:path';
import { AtollError } from '../errors/index.ts';
import { BlobStore } from './blobs.ts';
import type { InvocationBatch } from './invocation-batch.ts';
import type { LogBatch } from './log-batch.ts';
import { DEFAULT_LOG_RETENTION, LogStore } from './logs.ts';
import { LogWriter } from './log-writer.ts';
import { openDatabase, transaction } from './sqlite-util.ts';
import type {
  DeployResult, FunctionRecord, FunctionStyle, LogLine, LogQuery, LogQueryResult, NewVersion,
  Registry, RegistryOptions, Runtime, VersionRecord,
} from './types.ts';

const MIGRATIONS = [
  `CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     live_version INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE versions (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     runtime TEXT NOT NULL,
     style TEXT NOT NULL,
     entry TEXT NOT NULL,
     handler TEXT,
     memory_mb INTEGER NOT NULL,
     cpu_ms INTEGER NOT NULL,
     timeout_ms INTEGER NOT NULL,
     concurrency_max INTEGER NOT NULL,
     concurrency_min_warm INTEGER NOT NULL,
     env_json TEXT NOT NULL,
     bundle_hash TEXT,
     source_map_hash TEXT,
     manifest_json TEXT NOT NULL,
     code_size INTEGER NOT NULL,
     PRIMARY KEY (name, version)
   ) STRICT;
   -- Outlives DELETE of a function so a name's version numbers are never reused: a
   -- redeploy after delete continues the sequence, and caches keyed by name@version
   -- (warm isolates, compiled code) can never serve the old code for the new version.
   CREATE TABLE version_counters (
     name TEXT PRIMARY KEY,
     last_version INTEGER NOT NULL
   ) STRICT;`,
  // Language workers may reach the network beyond the Runtime API only when asked for.
  `ALTER TABLE versions ADD COLUMN outbound_network INTEGER NOT NULL DEFAULT 0;`,
];

interface VersionRow {
  name: string;
  version: number;
  created_at: number;
  runtime: string;
  style: string;
  entry: string;
  handler: string | null;
  memory_mb: number;
  cpu_ms: number;
  timeout_ms: number;
  concurrency_max: number;
  concurrency_min_warm: number;
  env_json: string;
  bundle_hash: string | null;
  source_map_hash: string | null;
  manifest_json: string;
  code_size: number;
  outbound_network: number;
}

interface FunctionRow {
  name: string;
  live_version: number;
  created_at: number;
  updated_at: number;
}

const encoder = new TextEncoder();
const toBytes = (content: string | Uint8Array): Uint8Array =>
  typeof content === 'string' ? encoder.encode(content) : content;

export class SqliteRegistry implements Registry {
  private readonly db: DatabaseSync;
  private readonly blobs: BlobStore;
  private readonly logStore: LogStore;
  /** Set with `logWriterThread`: logs.db writes go there, reads stay on logStore. */
  private readonly logWriter: LogWriter | undefined;
  private readonly stmt: Record<
    | 'getFunction' | 'listFunctions' | 'insertFunction' | 'setLive' | 'deleteFunction' | 'getVersion'
    | 'getLiveVersion' | 'listVersions' | 'insertVersion' | 'deleteVersions' | 'getCounter' | 'setCounter',
    StatementSync
  >;

  constructor(dataDir: string, options: RegistryOptions = {}) {
    this.blobs = new BlobStore(dataDir);
    this.blobs.cleanTempFiles();
    this.db = openDatabase(join(dataDir, 'registry.db'), {
      synchronous: 'FULL',
      migrations: MIGRATIONS,
      tables: ['functions', 'versions', 'version_counters'],
    });
    try {
      const retention = { ...DEFAULT_LOG_RETENTION, ...options.logRetention };
      // This connection opens (and migrates) logs.db before the writer thread opens it.
      this.logStore = new LogStore(join(dataDir, 'logs.db'), retention);
      this.logWriter = options.logWriterThread ? new LogWriter(join(dataDir, 'logs.db'), retention) : undefined;
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.stmt = {
      getFunction: db.prepare('SELECT * FROM functions WHERE name = ?'),
      listFunctions: db.prepare('SELECT * FROM functions ORDER BY name'),
      insertFunction: db.prepare(
        'INSERT INTO functions (name, live_version, created_at, updated_at) VALUES (?, ?, ?, ?)',
      ),
      setLive: db.prepare('UPDATE functions SET live_version = ?, updated_at = ? WHERE name = ?'),
      deleteFunction: db.prepare('DELETE FROM functions WHERE name = ?'),
      getVersion: db.prepare('SELECT * FROM versions WHERE name = ? AND version = ?'),
      getLiveVersion: db.prepare(
        'SELECT v.* FROM functions f JOIN versions v ON v.name = f.name AND v.version = f.live_version WHERE f.name = ?',
      ),
      listVersions: db.prepare('SELECT * FROM versions WHERE name = ? ORDER BY version'),
      insertVersion: db.prepare(
        `INSERT INTO versions (name, version, created_at, runtime, style, entry, handler, memory_mb, cpu_ms, timeout_ms,
           concurrency_max, concurrency_min_warm, env_json, bundle_hash, source_map_hash, manifest_json, code_size, outbound_network)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteVersions: db.prepare('DELETE FROM versions WHERE name = ?'),
      getCounter: db.prepare('SELECT last_version FROM version_counters WHERE name = ?'),
      setCounter: db.prepare(
        `INSERT INTO version_counters (name, last_version) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET last_version = excluded.last_version`,
      ),
    };
  }

  async deploy(spec: NewVersion): Promise<DeployResult> {
    const paths = Object.keys(spec.files).sort();
    const fileBytes = paths.map((p) => toBytes(spec.files[p]!));
    const extra: Uint8Array[] = [];
    if (spec.bundle !== null) extra.push(toBytes(spec.bundle));
    if (spec.sourceMap !== null) extra.push(toBytes(spec.sourceMap));
    const hashes = await this.blobs.putMany([...extra, ...fileBytes]);
    const bundleHash = spec.bundle !== null ? hashes.shift()! : null;
    const sourceMapHash = spec.sourceMap !== null ? hashes.shift()! : null;
    const manifest: Record<string, string> = {};
    paths.forEach((p, i) => (manifest[p] = hashes[i]!));
    const codeSize = fileBytes.reduce((sum, b) => sum + b.byteLength, 0);

    return transaction(this.db, () => {
      const now = Date.now();
      const counter = this.stmt.getCounter.get(spec.name) as { last_version: number } | undefined;
      const version = (counter?.last_version ?? 0) + 1;
      this.stmt.setCounter.run(spec.name, version);
      const { limits, concurrency } = spec;
      this.stmt.insertVersion.run(
        spec.name, version, now, spec.runtime, spec.style, spec.entry, spec.handler, limits.memoryMb, limits.cpuMs,
        limits.timeoutMs, concurrency.max, concurrency.minWarm, JSON.stringify(spec.env), bundleHash, sourceMapHash,
        JSON.stringify(manifest), codeSize, spec.outboundNetwork ? 1 : 0,
      );
      const created = this.stmt.getFunction.get(spec.name) === undefined;
      if (created) this.stmt.insertFunction.run(spec.name, version, now, now);
      else this.stmt.setLive.run(version, now, spec.name);
      const record = toVersion(this.stmt.getVersion.get(spec.name, version) as unknown as VersionRow);
      return { version: record, created };
    });
  }

  async getFunction(name: string): Promise<FunctionRecord | undefined> {
    const row = this.stmt.getFunction.get(name) as FunctionRow | undefined;
    return row && toFunction(row);
  }

  async listFunctions(): Promise<FunctionRecord[]> {
    return (this.stmt.listFunctions.all() as unknown as FunctionRow[]).map(toFunction);
  }

  async getVersion(name: string, version: number): Promise<VersionRecord | undefined> {
    const row = this.stmt.getVersion.get(name, version) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async getLiveVersion(name: string): Promise<VersionRecord | undefined> {
    const row = this.stmt.getLiveVersion.get(name) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async listVersions(name: string): Promise<VersionRecord[]> {
    return (this.stmt.listVersions.all(name) as unknown as VersionRow[]).map(toVersion);
  }

  async rollback(name: string, version: number): Promise<FunctionRecord> {
    return transaction(this.db, () => {
      if (this.stmt.getFunction.get(name) === undefined) {
        throw new AtollError('FUNCTION_NOT_FOUND', `function ${name} does not exist`, { name });
      }
      if (this.stmt.getVersion.get(name, version) === undefined) {
        throw new AtollError('FUNCTION_NOT_FOUND', `function ${name} has no version ${version}`, { name, version });
      }
      this.stmt.setLive.run(version, Date.now(), name);
      return toFunction(this.stmt.getFunction.get(name) as unknown as FunctionRow);
    });
  }

  async remove(name: string): Promise<boolean> {
    // Logs first: a crash between the two leaves a function without logs, never logs of a
    // deleted function that would resurface under a redeploy of the same name.
    if (this.logWriter) await this.logWriter.removeFunction(name);
    else this.logStore.removeFunction(name);
    return transaction(this.db, () => {
      this.stmt.deleteVersions.run(name);
      return this.stmt.deleteFunction.run(name).changes > 0;
    });
  }

  async readBlob(hash: string): Promise<Buffer> {
    return this.blobs.read(hash);
  }

  async appendInvocations(batch: InvocationBatch): Promise<void> {
    if (batch.length === 0) return;
    if (this.logWriter) await this.logWriter.appendInvocations(batch);
    else this.logStore.appendInvocations(batch.columns());
  }

  async appendLogs(batch: LogBatch): Promise<void> {
    if (batch.length === 0) return;
    if (this.logWriter) await this.logWriter.appendLogs(batch);
    else this.logStore.appendLogs(batch.columns());
  }

  async queryLogs(name: string, query: LogQuery): Promise<LogQueryResult> {
    return this.logStore.query(name, query);
  }

  /** Trims logs.db to its retention bound now instead of on the next K-th batch. */
  async pruneLogs(): Promise<void> {
    if (this.logWriter) await this.logWriter.prune();
    else this.logStore.prune();
  }

  async close(): Promise<void> {
    await this.logWriter?.close();
    this.logStore.close();
    if (this.db.isOpen) this.db.close();
  }
}

function toFunction(row: FunctionRow): FunctionRecord {
  return { name: row.name, liveVersion: row.live_version, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    name: row.name,
    version: row.version,
    createdAt: row.created_at,
    runtime: row.runtime as Runtime,
    style: row.style as FunctionStyle,
    entry: row.entry,
    handler: row.handler,
    limits: { memoryMb: row.memory_mb, cpuMs: row.cpu_ms, timeoutMs: row.timeout_ms },
    env: JSON.parse(row.env_json) as Record<string, string>,
    concurrency: { max: row.concurrency_max, minWarm: row.concurrency_min_warm },
    bundleHash: row.bundle_hash,
    sourceMapHash: row.source_map_hash,
    manifest: JSON.parse(row.manifest_json) as Record<string, string>,
    codeSize: row.code_size,
    outboundNetwork: row.outbound_network === 1,
  };
}

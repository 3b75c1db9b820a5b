/** The registry's contract (design.md §6): one interface, SQLite now, PostgreSQL later. */
import type { ConcurrencyLimits, FunctionLimits } from '../limits/index.ts';
import type { InvocationBatch } from './invocation-batch.ts';
import type { LogBatch } from './log-batch.ts';

export type Runtime = 'js' | 'python3' | 'provided';
export type FunctionStyle = 'workers' | 'lambda';

/** Everything a deploy stores; the gateway has validated and bundled it already. */
export interface NewVersion {
  readonly name: string;
  readonly runtime: Runtime;
  readonly style: FunctionStyle;
  readonly entry: string;
  readonly handler: string | null;
  readonly limits: FunctionLimits;
  readonly env: Readonly<Record<string, string>>;
  readonly concurrency: ConcurrencyLimits;
  /** Language workers: may reach the network beyond the Runtime API (js functions always fetch through the host). */
  readonly outboundNetwork: boolean;
  /** The user's original files, path -> content; each becomes a blob in the manifest. */
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The bundled CJS code; null for runtimes that run the files as they are. */
  readonly bundle: string | Uint8Array | null;
  readonly sourceMap: string | Uint8Array | null;
}

/** One immutable version of a function. */
export interface VersionRecord {
  readonly name: string;
  readonly version: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly runtime: Runtime;
  readonly style: FunctionStyle;
  readonly entry: string;
  readonly handler: string | null;
  readonly limits: FunctionLimits;
  readonly env: Readonly<Record<string, string>>;
  readonly concurrency: ConcurrencyLimits;
  /** sha256 hex of the bundle blob; null when `bundle` was null. */
  readonly bundleHash: string | null;
  readonly sourceMapHash: string | null;
  /** Original file path -> sha256 hex of its blob. */
  readonly manifest: Readonly<Record<string, string>>;
  /** Sum of the original files' sizes in bytes (what the user uploaded). */
  readonly codeSize: number;
  readonly outboundNetwork: boolean;
}

export interface DeployResult {
  readonly version: VersionRecord;
  /** True when this deploy created the function (HTTP 201), false for a later version (200). */
  readonly created: boolean;
}

export interface FunctionRecord {
  readonly name: string;
  readonly liveVersion: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One metered invocation. */
export interface InvocationRecord {
  readonly requestId: string;
  readonly function: string;
  readonly version: number;
  /** Epoch ms. */
  readonly startTime: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly billedMs: number;
  readonly memoryMb: number;
  readonly cold: boolean;
  /** 'OK' or an error code (design.md §4). */
  readonly outcome: string;
}

/** One captured console line. */
export interface LogLine {
  /** Epoch ms. */
  readonly ts: number;
  readonly requestId: string;
  readonly function: string;
  readonly version: number;
  readonly level: string;
  readonly message: string;
}

export interface LogQuery {
  /** Newest `limit` of each kind. */
  readonly limit: number;
  /** Only entries at or after this epoch ms. */
  readonly sinceMs?: number;
}

/** Both lists ordered by time then insertion, newest last. */
export interface LogQueryResult {
  readonly invocations: InvocationRecord[];
  readonly logs: LogLine[];
}

export interface LogRetention {
  /** Newest invocation records kept per function. */
  readonly maxInvocationsPerFunction: number;
  /** Newest log lines kept per function. */
  readonly maxLogsPerFunction: number;
  /** Prune the functions written to once every this many append batches. */
  readonly pruneEveryBatches: number;
}

export interface RegistryOptions {
  readonly logRetention?: Partial<LogRetention>;
  /** Write invocation records and logs on a worker thread, off the caller's event loop (the gateway). */
  readonly logWriterThread?: boolean;
}

/**
 * Functions, versions, code blobs, invocation records and logs. Every method is async so a
 * networked implementation (PostgreSQL) can sit behind the same interface.
 */
export interface Registry {
  /** Stores a new immutable version and makes it live, atomically. */
  deploy(spec: NewVersion): Promise<DeployResult>;
  getFunction(name: string): Promise<FunctionRecord | undefined>;
  /** All functions, by name. */
  listFunctions(): Promise<FunctionRecord[]>;
  getVersion(name: string, version: number): Promise<VersionRecord | undefined>;
  getLiveVersion(name: string): Promise<VersionRecord | undefined>;
  /** A function's versions, oldest first; empty for an unknown function. */
  listVersions(name: string): Promise<VersionRecord[]>;
  /** Points the live version at an existing one; FUNCTION_NOT_FOUND if either is missing. */
  rollback(name: string, version: number): Promise<FunctionRecord>;
  /** Deletes the function, its versions and its logs; false if it did not exist. Blobs stay. */
  remove(name: string): Promise<boolean>;
  /** A blob's bytes, verified against its hash; INTERNAL_ERROR if missing or corrupt. */
  readBlob(hash: string): Promise<Buffer>;
  /** Appends a batch of invocation records in one transaction. */
  appendInvocations(batch: InvocationBatch): Promise<void>;
  /** Appends a batch of log lines in one transaction. */
  appendLogs(batch: LogBatch): Promise<void>;
  queryLogs(name: string, query: LogQuery): Promise<LogQueryResult>;
  close(): Promise<void>;
}

import { mkdtempSync, rmSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtollError } from '../../src/errors/index.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_FUNCTION_LIMITS } from '../../src/limits/index.ts';
import {
  InvocationBatch, LogBatch, openRegistry, sha256Hex, validateFunctionName, type InvocationRecord, type LogLine, type NewVersion, type Registry,
} from '../../src/registry/index.ts';

function spec(name: string, code = 'export default { fetch() { return new Response("hi") } }', extra: Partial<NewVersion> = {}): NewVersion {
  return {
    name,
    runtime: 'js',
    style: 'workers',
    entry: 'index.ts',
    handler: null,
    limits: DEFAULT_FUNCTION_LIMITS,
    env: { GREETING: 'hello' },
    concurrency: DEFAULT_CONCURRENCY,
    outboundNetwork: false,
    files: { 'index.ts': code, 'lib/util.ts': 'export const x = 1;' },
    bundle: `/* bundle */ ${code}`,
    sourceMap: '{"version":3,"sources":["index.ts"],"mappings":""}',
    ...extra,
  };
}

async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<AtollError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(AtollError);
    return error as AtollError;
  }
  throw new Error('expected an AtollError');
}

let dir: string;
let registry: Registry;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atoll-registry-'));
  registry = openRegistry(dir, { logRetention: { maxLogsPerFunction: 5, maxInvocationsPerFunction: 3, pruneEveryBatches: 1 } });
});

afterEach(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('function names', () => {
  it('accepts lowercase names with digits and dashes', () => {
    expect(() => validateFunctionName('hello-world-2')).not.toThrow();
    expect(() => validateFunctionName('a'.repeat(63))).not.toThrow();
  });

  it.each(['', '-leading', 'Upper', 'with/slash', 'with_underscore', 'a'.repeat(64), 'dot.name'])(
    'rejects %j as INVALID_FUNCTION_NAME',
    async (name) => {
      expect((await errorOf(() => validateFunctionName(name))).code).toBe('INVALID_FUNCTION_NAME');
    },
  );
});

describe('deploy', () => {
  it('creates the function on the first deploy and reports it as created', async () => {
    const result = await registry.deploy(spec('hello'));
    expect(result.created).toBe(true);
    expect(result.version).toMatchObject({
      name: 'hello', version: 1, runtime: 'js', style: 'workers', entry: 'index.ts', handler: null,
      limits: DEFAULT_FUNCTION_LIMITS, env: { GREETING: 'hello' }, concurrency: DEFAULT_CONCURRENCY,
    });
    expect(Object.keys(result.version.manifest).sort()).toEqual(['index.ts', 'lib/util.ts']);
    const fn = await registry.getFunction('hello');
    expect(fn).toMatchObject({ name: 'hello', liveVersion: 1 });
  });

  it('numbers versions 1, 2, 3 and makes each new one live', async () => {
    for (let i = 1; i <= 3; i++) {
      const result = await registry.deploy(spec('hello', `export default {} // ${i}`));
      expect(result.version.version).toBe(i);
      expect(result.created).toBe(i === 1);
    }
    expect((await registry.getLiveVersion('hello'))?.version).toBe(3);
    expect((await registry.listVersions('hello')).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('counts code size as the bytes of the original files', async () => {
    const { version } = await registry.deploy(spec('sized', 'é'));
    expect(version.codeSize).toBe(Buffer.byteLength('é') + Buffer.byteLength('export const x = 1;'));
  });

  it('stores a version without bundle for runtimes that run files as they are', async () => {
    const { version } = await registry.deploy(
      spec('py', '', { runtime: 'python3', style: 'lambda', entry: 'app.py', handler: 'app.handler', files: { 'app.py': 'def handler(e, c): return 1' }, bundle: null, sourceMap: null }),
    );
    expect(version).toMatchObject({ bundleHash: null, sourceMapHash: null, handler: 'app.handler', runtime: 'python3' });
  });

  it('keeps versions of different functions apart', async () => {
    await registry.deploy(spec('a'));
    await registry.deploy(spec('a'));
    expect((await registry.deploy(spec('b'))).version.version).toBe(1);
    expect((await registry.listFunctions()).map((f) => [f.name, f.liveVersion])).toEqual([['a', 2], ['b', 1]]);
  });
});

describe('describe and versions', () => {
  it('returns undefined or empty for an unknown function', async () => {
    expect(await registry.getFunction('nope')).toBeUndefined();
    expect(await registry.getLiveVersion('nope')).toBeUndefined();
    expect(await registry.getVersion('nope', 1)).toBeUndefined();
    expect(await registry.listVersions('nope')).toEqual([]);
  });
});

describe('rollback', () => {
  it('repoints live to an older version without creating a new one', async () => {
    await registry.deploy(spec('hello', 'export default {} // 1'));
    await registry.deploy(spec('hello', 'export default {} // 2'));
    const fn = await registry.rollback('hello', 1);
    expect(fn.liveVersion).toBe(1);
    expect((await registry.getLiveVersion('hello'))?.version).toBe(1);
    expect((await registry.listVersions('hello')).length).toBe(2);
  });

  it('never reuses a version number after a rollback', async () => {
    await registry.deploy(spec('hello'));
    await registry.deploy(spec('hello'));
    await registry.rollback('hello', 1);
    expect((await registry.deploy(spec('hello'))).version.version).toBe(3);
  });

  it('fails with FUNCTION_NOT_FOUND for an unknown function or version', async () => {
    expect((await errorOf(registry.rollback('nope', 1))).code).toBe('FUNCTION_NOT_FOUND');
    await registry.deploy(spec('hello'));
    expect((await errorOf(registry.rollback('hello', 7))).code).toBe('FUNCTION_NOT_FOUND');
    expect((await registry.getFunction('hello'))?.liveVersion).toBe(1);
  });
});

describe('remove', () => {
  it('deletes the function, its versions and its logs', async () => {
    await registry.deploy(spec('hello'));
    await registry.appendLogs(LogBatch.of([logLine('hello', 1, 'x')]));
    expect(await registry.remove('hello')).toBe(true);
    expect(await registry.getFunction('hello')).toBeUndefined();
    expect(await registry.listVersions('hello')).toEqual([]);
    expect((await registry.queryLogs('hello', { limit: 10 })).logs).toEqual([]);
    expect(await registry.listFunctions()).toEqual([]);
  });

  it('reports false for a function that does not exist', async () => {
    expect(await registry.remove('nope')).toBe(false);
  });

  it('continues the version sequence when a removed function is deployed again', async () => {
    await registry.deploy(spec('hello'));
    await registry.deploy(spec('hello'));
    await registry.remove('hello');
    const again = await registry.deploy(spec('hello'));
    expect(again.created).toBe(true);
    expect(again.version.version).toBe(3);
    expect((await registry.listVersions('hello')).map((v) => v.version)).toEqual([3]);
  });
});

describe('blobs', () => {
  it('stores code content-addressed under blobs/sha256/<2 hex>/<rest>', async () => {
    const s = spec('hello');
    const { version } = await registry.deploy(s);
    expect(version.bundleHash).toBe(sha256Hex(Buffer.from(s.bundle as string)));
    const hash = version.manifest['lib/util.ts']!;
    expect(readdirSync(join(dir, 'blobs', 'sha256', hash.slice(0, 2)))).toContain(hash.slice(2));
    expect((await registry.readBlob(hash)).toString()).toBe('export const x = 1;');
    expect((await registry.readBlob(version.sourceMapHash!)).toString()).toBe(s.sourceMap);
  });

  it('shares one blob between versions with the same content', async () => {
    const a = await registry.deploy(spec('a'));
    const b = await registry.deploy(spec('b'));
    expect(b.version.bundleHash).toBe(a.version.bundleHash);
  });

  it('reports a corrupt blob as a clear error instead of returning wrong code', async () => {
    const { version } = await registry.deploy(spec('hello'));
    const hash = version.bundleHash!;
    writeFileSync(join(dir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2)), 'tampered');
    const error = await errorOf(registry.readBlob(hash));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.details).toMatchObject({ hash, reason: 'corrupt' });
  });

  it('reports a missing blob as a clear error', async () => {
    const error = await errorOf(registry.readBlob('0'.repeat(64)));
    expect(error.details).toMatchObject({ reason: 'missing' });
  });

  it('rewrites a corrupt blob when the same content is deployed again', async () => {
    const { version } = await registry.deploy(spec('hello'));
    const hash = version.bundleHash!;
    writeFileSync(join(dir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2)), 'torn');
    await registry.deploy(spec('hello'));
    expect((await registry.readBlob(hash)).length).toBeGreaterThan(0);
  });
});

describe('reopen', () => {
  it('keeps functions, versions, blobs and logs across close and open', async () => {
    await registry.deploy(spec('hello', 'export default {} // 1'));
    const { version } = await registry.deploy(spec('hello', 'export default {} // 2'));
    await registry.rollback('hello', 1);
    await registry.appendLogs(LogBatch.of([logLine('hello', 1, 'kept')]));
    await registry.close();
    registry = openRegistry(dir);
    expect((await registry.getFunction('hello'))?.liveVersion).toBe(1);
    expect(await registry.getVersion('hello', 2)).toEqual(version);
    expect((await registry.readBlob(version.bundleHash!)).toString()).toContain('// 2');
    expect((await registry.queryLogs('hello', { limit: 10 })).logs.map((l) => l.message)).toEqual(['kept']);
  });

  it('removes temp files left by a dead writer and keeps those of a live one', async () => {
    await registry.close();
    const prefixDir = join(dir, 'blobs', 'sha256', 'ab');
    mkdirSync(prefixDir, { recursive: true });
    writeFileSync(join(prefixDir, '.tmp-999999999-deadbeef'), 'partial');
    writeFileSync(join(prefixDir, `.tmp-${process.ppid}-cafe`), 'in flight');
    registry = openRegistry(dir);
    expect(readdirSync(prefixDir)).toEqual([`.tmp-${process.ppid}-cafe`]);
  });
});

function logLine(fn: string, ts: number, message: string, requestId = 'r'): LogLine {
  return { ts, requestId, function: fn, version: 1, level: 'log', message };
}

describe.each([false, true])('logs (written on a worker thread: %s)', (logWriterThread) => {
  beforeEach(async () => {
    if (!logWriterThread) return;
    await registry.close();
    registry = openRegistry(dir, { logWriterThread, logRetention: { maxLogsPerFunction: 5, maxInvocationsPerFunction: 3, pruneEveryBatches: 1 } });
  });

  it('removing a function removes its logs', async () => {
    await registry.deploy(spec('f'));
    await registry.appendLogs(LogBatch.of([logLine('f', 1, 'gone soon')]));
    await registry.remove('f');
    expect((await registry.queryLogs('f', { limit: 10 })).logs).toEqual([]);
  });

  it('returns log lines and invocations newest last, by time then insertion', async () => {
    await registry.appendLogs(LogBatch.of([logLine('f', 20, 'b'), logLine('f', 10, 'a'), logLine('f', 20, 'c')]));
    await registry.appendLogs(LogBatch.of([logLine('f', 30, 'd'), logLine('other', 40, 'x')]));
    await registry.appendInvocations(InvocationBatch.of([
      { requestId: 'r2', function: 'f', version: 1, startTime: 200, wallMs: 3, cpuMs: 1.25, billedMs: 2, memoryMb: 128, cold: false, outcome: 'OK' },
      { requestId: 'r1', function: 'f', version: 1, startTime: 100, wallMs: 5, cpuMs: 2.5, billedMs: 3, memoryMb: 128, cold: true, outcome: 'CPU_LIMIT_EXCEEDED' },
    ]));
    const result = await registry.queryLogs('f', { limit: 10 });
    expect(result.logs.map((l) => l.message)).toEqual(['a', 'b', 'c', 'd']);
    expect(result.invocations.map((i) => i.requestId)).toEqual(['r1', 'r2']);
    expect(result.invocations[0]).toEqual({
      requestId: 'r1', function: 'f', version: 1, startTime: 100, wallMs: 5, cpuMs: 2.5, billedMs: 3, memoryMb: 128,
      cold: true, outcome: 'CPU_LIMIT_EXCEEDED',
    });
  });

  it('stores a batch of invocation records that grew past its first capacity, every field intact', async () => {
    const records: InvocationRecord[] = [];
    for (let i = 0; i < 40; i++) {
      records.push({
        // Gateway ids are 32 hex digits (kept as bytes); any other id is kept as it is.
        requestId: i % 7 === 0 ? `Upper-${i}` : (i * 7919).toString(16).padStart(32, '0'),
        function: i % 2 ? 'f' : 'g', version: 1 + (i % 3), startTime: 1_000 + i, wallMs: i + 0.25, cpuMs: i / 8,
        billedMs: i + 1, memoryMb: 128, cold: i % 5 === 0, outcome: i % 4 ? 'OK' : 'FUNCTION_TIMEOUT',
      });
    }
    const batch = new InvocationBatch(16);
    for (const record of records) batch.add(record);
    await registry.appendInvocations(batch);
    for (const fn of ['f', 'g']) {
      const stored = (await registry.queryLogs(fn, { limit: 100 })).invocations;
      expect(stored).toEqual(records.filter((r) => r.function === fn).slice(-3));
    }
  });

  it('limits to the newest entries and filters by sinceMs', async () => {
    await registry.appendLogs(LogBatch.of([logLine('f', 1, 'a'), logLine('f', 2, 'b'), logLine('f', 3, 'c')]));
    expect((await registry.queryLogs('f', { limit: 2 })).logs.map((l) => l.message)).toEqual(['b', 'c']);
    expect((await registry.queryLogs('f', { limit: 10, sinceMs: 2 })).logs.map((l) => l.message)).toEqual(['b', 'c']);
  });

  it('keeps only the newest N entries per function', async () => {
    for (let i = 0; i < 4; i++) {
      await registry.appendLogs(LogBatch.of([logLine('f', i * 2, `m${i * 2}`), logLine('f', i * 2 + 1, `m${i * 2 + 1}`)]));
      await registry.appendInvocations(InvocationBatch.of([
        { requestId: `r${i}`, function: 'f', version: 1, startTime: i, wallMs: 1, cpuMs: 1, billedMs: 1, memoryMb: 128, cold: false, outcome: 'OK' },
      ]));
    }
    await registry.appendLogs(LogBatch.of([logLine('g', 1, 'other function untouched')]));
    const result = await registry.queryLogs('f', { limit: 100 });
    expect(result.logs.map((l) => l.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(result.invocations.map((r) => r.requestId)).toEqual(['r1', 'r2', 'r3']);
    expect((await registry.queryLogs('g', { limit: 100 })).logs).toHaveLength(1);
  });

  it('finds the newest invocations by start time across chunks: one that started early and ended late, sinceMs, a limit', async () => {
    await registry.close();
    registry = openRegistry(dir, { logWriterThread, logRetention: { maxLogsPerFunction: 5, maxInvocationsPerFunction: 100, pruneEveryBatches: 1 } });
    const record = (requestId: string, startTime: number): InvocationRecord =>
      ({ requestId, function: 'f', version: 1, startTime, wallMs: 1, cpuMs: 1, billedMs: 1, memoryMb: 128, cold: false, outcome: 'OK' });
    // Each batch is a chunk of its own; 'slow' started first and was written last.
    await registry.appendInvocations(InvocationBatch.of([record('a', 10), record('b', 20)]));
    await registry.appendInvocations(InvocationBatch.of([record('c', 30), record('d', 30)]));
    await registry.appendInvocations(InvocationBatch.of([record('e', 40), record('slow', 5)]));
    const ids = async (query: { limit: number; sinceMs?: number }) => (await registry.queryLogs('f', query)).invocations.map((r) => r.requestId);
    expect(await ids({ limit: 100 })).toEqual(['slow', 'a', 'b', 'c', 'd', 'e']);
    expect(await ids({ limit: 3 })).toEqual(['c', 'd', 'e']);
    expect(await ids({ limit: 100, sinceMs: 20 })).toEqual(['b', 'c', 'd', 'e']);
    expect(await ids({ limit: 2, sinceMs: 0 })).toEqual(['d', 'e']);
  });

  it('finds the newest invocations when a chunk of short requests is followed by chunks of long ones, and gives a tie to the later chunk', async () => {
    await registry.close();
    registry = openRegistry(dir, { logWriterThread, logRetention: { maxLogsPerFunction: 5, maxInvocationsPerFunction: 100, pruneEveryBatches: 1000 } });
    const record = (requestId: string, startTime: number): InvocationRecord =>
      ({ requestId, function: 'f', version: 1, startTime, wallMs: 1, cpuMs: 1, billedMs: 1, memoryMb: 128, cold: false, outcome: 'OK' });
    await registry.appendInvocations(InvocationBatch.of([record('short', 100), record('a90', 90)]));
    await registry.appendInvocations(InvocationBatch.of([record('long', 10)]));
    await registry.appendInvocations(InvocationBatch.of([record('b90', 90), record('longer', 5)]));
    const ids = async (limit: number) => (await registry.queryLogs('f', { limit })).invocations.map((r) => r.requestId);
    expect(await ids(1)).toEqual(['short']);
    expect(await ids(2)).toEqual(['b90', 'short']);
    expect(await ids(3)).toEqual(['a90', 'b90', 'short']);
  });

  it('finds the same newest invocations as a full sort, over hundreds of chunks with overlapping start times and ties', async () => {
    await registry.close();
    registry = openRegistry(dir, { logWriterThread, logRetention: { maxLogsPerFunction: 5, maxInvocationsPerFunction: 100_000, pruneEveryBatches: 1000 } });
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const written: InvocationRecord[] = [];
    for (let chunk = 0; chunk < 300; chunk++) {
      const records = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i): InvocationRecord => ({
        // Mostly rising with the chunks, some started long before they were written, many equal.
        requestId: `c${chunk}-${i}`, function: 'f', version: 1, startTime: Math.floor(chunk * 2 - (random() < 0.1 ? random() * 200 : random() * 40)),
        wallMs: 1, cpuMs: 1, billedMs: 1, memoryMb: 128, cold: false, outcome: 'OK',
      }));
      written.push(...records);
      await registry.appendInvocations(InvocationBatch.of(records));
    }
    // Newest by start time, ties by order of writing; newest last.
    const order = written.map((record, at) => ({ record, at })).sort((x, y) => x.record.startTime - y.record.startTime || x.at - y.at).map((x) => x.record.requestId);
    for (const limit of [1, 7, 50, 333, 5000]) {
      for (const sinceMs of [undefined, 300]) {
        const expected = order.filter((id) => sinceMs === undefined || written.find((r) => r.requestId === id)!.startTime >= sinceMs).slice(-limit);
        const got = (await registry.queryLogs('f', { limit, sinceMs })).invocations.map((r) => r.requestId);
        expect(got, `limit ${limit}, sinceMs ${sinceMs}`).toEqual(expected);
      }
    }
  });
});

describe('logs.db written by an earlier version (one row per invocation)', () => {
  it('keeps every invocation record when it moves them into chunks', async () => {
    await registry.close();
    for (const file of ['logs.db', 'logs.db-wal', 'logs.db-shm']) rmSync(join(dir, file), { force: true });
    const logs = new DatabaseSync(join(dir, 'logs.db'));
    logs.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
      INSERT INTO schema_migrations VALUES (1, 0);
      CREATE TABLE invocations (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, function TEXT NOT NULL, version INTEGER NOT NULL,
        start_time INTEGER NOT NULL, wall_ms REAL NOT NULL, cpu_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL,
        cold INTEGER NOT NULL, outcome TEXT NOT NULL);
      CREATE TABLE logs (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, request_id TEXT NOT NULL, function TEXT NOT NULL,
        version INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);
      INSERT INTO logs (ts, request_id, function, version, level, message) VALUES (7, 'r', 'f', 1, 'log', 'kept');`);
    const insert = logs.prepare('INSERT INTO invocations (request_id, function, version, start_time, wall_ms, cpu_ms, billed_ms, memory_mb, cold, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const old: InvocationRecord[] = [];
    for (let i = 0; i < 12; i++) {
      const r: InvocationRecord = {
        requestId: i === 3 ? 'not-hex' : i.toString(16).padStart(32, 'a'), function: i % 3 ? 'f' : 'g', version: 1 + (i % 2),
        startTime: 1_000 + i, wallMs: i + 0.5, cpuMs: i / 4, billedMs: i + 1, memoryMb: 256, cold: i === 0, outcome: i === 5 ? 'FUNCTION_ERROR' : 'OK',
      };
      old.push(r);
      insert.run(r.requestId, r.function, r.version, r.startTime, r.wallMs, r.cpuMs, r.billedMs, r.memoryMb, r.cold ? 1 : 0, r.outcome);
    }
    logs.close();
    registry = openRegistry(dir, { logRetention: { maxLogsPerFunction: 100, maxInvocationsPerFunction: 100, pruneEveryBatches: 1 } });
    for (const fn of ['f', 'g']) {
      expect((await registry.queryLogs(fn, { limit: 100 })).invocations).toEqual(old.filter((r) => r.function === fn));
    }
    expect((await registry.queryLogs('f', { limit: 100 })).logs.map((l) => l.message)).toEqual(['kept']);
  });

  it('keeps every console line when a schema-3 logs.db (one row per line) moves them into chunks', async () => {
    await registry.close();
    for (const file of ['logs.db', 'logs.db-wal', 'logs.db-shm']) rmSync(join(dir, file), { force: true });
    const logs = new DatabaseSync(join(dir, 'logs.db'));
    logs.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);
      INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0);
      CREATE TABLE invocation_chunks (id INTEGER PRIMARY KEY, function TEXT NOT NULL, count INTEGER NOT NULL, last_start INTEGER NOT NULL,
        numbers BLOB NOT NULL, ids BLOB NOT NULL, strings TEXT NOT NULL);
      CREATE INDEX invocation_chunks_by_function ON invocation_chunks (function, id);
      CREATE INDEX invocation_chunks_by_start ON invocation_chunks (function, last_start, id);
      CREATE TABLE logs (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, request_id TEXT NOT NULL, function TEXT NOT NULL,
        version INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);
      CREATE INDEX logs_by_function_time ON logs (function, ts, id);`);
    const insert = logs.prepare('INSERT INTO logs (ts, request_id, function, version, level, message) VALUES (?, ?, ?, ?, ?, ?)');
    const old: LogLine[] = [];
    // More lines of f than one migrated chunk holds (5,000), interleaved with g's.
    for (let i = 0; i < 6000; i++) {
      const line: LogLine = {
        ts: 1_000 + i, requestId: i === 7 ? 'not-hex' : i.toString(16).padStart(32, 'b'), function: i % 4 ? 'f' : 'g',
        version: 1, level: i % 3 ? 'log' : 'error', message: i === 9 ? 'kia ora, 世界 🌏' : `line ${i}`,
      };
      old.push(line);
      insert.run(line.ts, line.requestId, line.function, line.version, line.level, line.message);
    }
    logs.close();
    registry = openRegistry(dir, { logRetention: { maxLogsPerFunction: 10_000, maxInvocationsPerFunction: 100, pruneEveryBatches: 1 } });
    for (const fn of ['f', 'g']) {
      expect((await registry.queryLogs(fn, { limit: 10_000 })).logs).toEqual(old.filter((l) => l.function === fn));
    }
  });
});

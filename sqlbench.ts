// per-row cost of appending invocation records to logs.db, steady state with pruning at 10k rows
import { DatabaseSync } from 'node:sqlite';
import { rmSync, mkdirSync } from 'node:fs';
const variant = process.argv[2] ?? 'current';
const dir = `/tmp/sqlb-${variant}`; rmSync(dir, { recursive: true, force: true }); mkdirSync(dir);
const db = new DatabaseSync(`${dir}/logs.db`);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
const clustered = variant.startsWith('clustered');
db.exec(clustered ? `CREATE TABLE invocations (function TEXT NOT NULL, start_time INTEGER NOT NULL, seq INTEGER NOT NULL, request_id TEXT NOT NULL, version INTEGER NOT NULL,
  wall_ms REAL NOT NULL, cpu_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL, cold INTEGER NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (function, start_time, seq)) WITHOUT ROWID`
 : `CREATE TABLE invocations (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, function TEXT NOT NULL, version INTEGER NOT NULL, start_time INTEGER NOT NULL,
  wall_ms REAL NOT NULL, cpu_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL, cold INTEGER NOT NULL, outcome TEXT NOT NULL);
  CREATE INDEX invocations_by_function_time ON invocations (function, start_time, id);`);
const ROWS = variant.endsWith('multi') ? 32 : 1;
const cols = clustered ? '(function, start_time, seq, request_id, version, wall_ms, cpu_ms, billed_ms, memory_mb, cold, outcome)' : '(request_id, function, version, start_time, wall_ms, cpu_ms, billed_ms, memory_mb, cold, outcome)';
const one = clustered ? '(?,?,?,?,?,?,?,?,?,?,?)' : '(?,?,?,?,?,?,?,?,?,?)';
const ins = db.prepare(`INSERT INTO invocations ${cols} VALUES ${one}`);
const insMany = db.prepare(`INSERT INTO invocations ${cols} VALUES ${Array(ROWS).fill(one).join(',')}`);
const prune = clustered
  ? db.prepare(`DELETE FROM invocations WHERE function = ? AND (start_time, seq) < (SELECT start_time, seq FROM invocations WHERE function = ? ORDER BY start_time DESC, seq DESC LIMIT 1 OFFSET ?)`)
  : db.prepare(`DELETE FROM invocations WHERE id IN (SELECT id FROM invocations WHERE function = ? ORDER BY start_time DESC, id DESC LIMIT -1 OFFSET ?)`);
let seq = 0; let t0 = Date.now();
const id = () => Math.random().toString(16).slice(2).padEnd(16, '0') + Math.random().toString(16).slice(2).padEnd(16, '0');
function batch(n: number) {
  db.exec('BEGIN IMMEDIATE');
  if (ROWS === 1) {
    for (let i = 0; i < n; i++) { const s = seq++; const st = t0 + (s >> 4);
      if (clustered) ins.run('hello', st, s, id(), 1, 0.02, 0.01, 1, 128, 0, 'OK');
      else ins.run(id(), 'hello', 1, st, 0.02, 0.01, 1, 128, 0, 'OK'); }
  } else {
    const args: any[] = [];
    for (let i = 0; i < n; i++) { const s = seq++; const st = t0 + (s >> 4);
      if (clustered) args.push('hello', st, s, id(), 1, 0.02, 0.01, 1, 128, 0, 'OK'); else args.push(id(), 'hello', 1, st, 0.02, 0.01, 1, 128, 0, 'OK');
      if (args.length === ROWS * (clustered ? 11 : 10)) { insMany.run(...args); args.length = 0; } }
  }
  db.exec('COMMIT');
}
let batches = 0;
function step() { batch(3000); if (++batches % 50 === 0) { db.exec('BEGIN IMMEDIATE'); clustered ? prune.run('hello', 'hello', 10000) : prune.run('hello', 10000); db.exec('COMMIT'); } }
for (let i = 0; i < 60; i++) step();
const c0 = process.cpuUsage(); const N = 100;
for (let i = 0; i < N; i++) step();
const c = process.cpuUsage(c0);
console.log(variant, ((c.user + c.system) / (N * 3000)).toFixed(2), 'us/row (incl id gen)');

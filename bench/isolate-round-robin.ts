/**
 * What a sandbox host pays for spreading one function's load over many isolates: a warm
 * hello world invoked round-robin over K isolates on this thread, time per invocation
 * (host wall time, which includes isolated-vm's copies in and out). The first K (1 by
 * default) is the baseline, measured in the same run (column vsFirst). This is why a pool
 * should not scale out when its host is the bottleneck (src/scheduler/function-pool.ts).
 *
 *   node --no-node-snapshot bench/isolate-round-robin.ts
 *
 * BENCH_ISOLATES (default 1,4,8,16,50) the K values; BENCH_WARMUP (default 20000) and
 * BENCH_INVOKES (default 40000) invocations per K. Results in bench/results/isolate-round-robin.json.
 */
import { buildRuntime } from '../sandbox/build.ts';
import type { FunctionMeta, GuestRequest } from '../sandbox/src/bridge.ts';
import { GuestIsolate, RuntimeScript } from '../src/sandbox-host/isolate.ts';
import { envInt, printTable, round, writeResult } from './lib/report.ts';

const COUNTS = (process.env.BENCH_ISOLATES ?? '1,4,8,16,50').split(',').map(Number);
const WARMUP = envInt('BENCH_WARMUP', 20_000);
const INVOKES = envInt('BENCH_INVOKES', 40_000);
const HELLO = "module.exports.default = { fetch() { return new Response('Hello World') } }";
const meta: FunctionMeta = { name: 'hello', version: 1, memoryMb: 128, maxResponseBytes: 6 * 1024 * 1024 };

function request(): GuestRequest {
  const now = Date.now();
  return {
    kind: 'http', requestId: 'rr', method: 'GET', url: 'http://127.0.0.1:8787/', basePath: '/fn/hello',
    headers: [['host', '127.0.0.1:8787']], sourceIp: '127.0.0.1', timeEpochMs: now, deadlineMs: now + 30_000,
  };
}

const runtime = new RuntimeScript(await buildRuntime());
const rows: { isolates: number; usPerInvoke: number; vsFirst: number }[] = [];
for (const count of COUNTS) {
  const guests: GuestIsolate[] = [];
  let answered = 0;
  for (let i = 0; i < count; i++) {
    const guest = new GuestIsolate(runtime, 128, (message) => {
      throw new Error(`catastrophic isolate error: ${message}`);
    });
    guest.setHooks({ log() {}, setTimer() {}, clearTimer() {}, done: () => void answered++ });
    const loaded = guest.load(HELLO, 'hello.js', {}, meta);
    if (loaded.kind !== 'loaded') throw new Error(`load: ${JSON.stringify(loaded)}`);
    guests.push(guest);
  }
  for (let i = 0; i < WARMUP; i++) guests[i % count]!.invoke(i, request(), undefined);
  answered = 0;
  const started = performance.now();
  for (let i = 0; i < INVOKES; i++) guests[i % count]!.invoke(i, request(), undefined);
  const us = ((performance.now() - started) * 1000) / INVOKES;
  if (answered !== INVOKES) throw new Error(`${answered} of ${INVOKES} invocations answered`);
  rows.push({ isolates: count, usPerInvoke: round(us, 1), vsFirst: round(us / (rows[0]?.usPerInvoke ?? us), 2) });
  for (const guest of guests) guest.dispose();
}
printTable(`isolate round-robin: µs per warm hello-world invocation (${INVOKES} after ${WARMUP} warm-up)`, rows);
writeResult('isolate-round-robin', { params: { counts: COUNTS, warmup: WARMUP, invokes: INVOKES }, rows });

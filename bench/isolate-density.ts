/**
 * Isolate density, in-process: memory per warm guest isolate of the in-isolate runtime.
 *
 *   node --no-node-snapshot bench/isolate-density.ts
 *
 * Boots BENCH_ISOLATES (default 200) GuestIsolates in this process, loads a Workers
 * hello world into each, invokes it once, then reports the RSS delta per isolate and the
 * average V8 heap used per isolate (heap after boot alone, too). Target: <= 1.5 MB RSS
 * and <= 0.9 MB heap per warm isolate.
 */
import { LAZY_MODULES_MARKER, buildRuntime } from '../sandbox/build.ts';
import type { FunctionMeta, GuestRequest, GuestResult } from '../sandbox/src/bridge.ts';
import { GuestIsolate, RuntimeScript } from '../src/sandbox-host/isolate.ts';

const COUNT = Number(process.env.BENCH_ISOLATES ?? 200);
const meta: FunctionMeta = { name: 'hello', version: 1, memoryMb: 128, maxResponseBytes: 6 * 1024 * 1024 };

function request(): GuestRequest {
  const now = Date.now();
  return {
    kind: 'http', requestId: 'density', method: 'GET', url: 'http://localhost:8080/hello?x=1', basePath: '/fn/hello',
    headers: [['host', 'localhost:8080'], ['accept', '*/*']], sourceIp: '127.0.0.1', timeEpochMs: now, deadlineMs: now + 30_000,
  };
}

const built = await buildRuntime();
const script = new RuntimeScript(built);
const boot = () => new GuestIsolate(script, 128, (m) => { throw new Error(`catastrophic: ${m}`); });
boot().dispose(); // warm-up

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const rss0 = process.memoryUsage().rss;
const isolates: GuestIsolate[] = [];
let bootHeap = 0;
const bootMs: number[] = [];
for (let i = 0; i < COUNT; i++) {
  const t = performance.now();
  const g = boot();
  bootMs.push(performance.now() - t);
  bootHeap += g.heapUsedBytes();
  let result: GuestResult | undefined;
  g.setHooks({ log() {}, setTimer() {}, clearTimer() {}, done: (_id, r) => void (result = r) });
  const loaded = g.load(`module.exports.default = { fetch() { return new Response("hello ${i}") } }`, 'hello.js', {}, meta);
  g.invoke(1, request(), undefined);
  if (loaded.kind !== 'loaded' || result?.kind !== 'response') throw new Error(`isolate ${i}: ${JSON.stringify(loaded)} ${JSON.stringify(result)}`);
  isolates.push(g);
}
gc?.();
await new Promise((r) => setTimeout(r, 200));
const rss1 = process.memoryUsage().rss;
let heap = 0;
for (const g of isolates) heap += g.heapUsedBytes();
bootMs.sort((a, b) => a - b);
const mb = (n: number) => (n / 1024 / 1024).toFixed(3);
console.log(`runtime boot script: ${(built.split(LAZY_MODULES_MARKER)[0]!.length / 1024).toFixed(0)} KB (of ${(built.length / 1024).toFixed(0)} KB with the lazy modules)`);
console.log(`${COUNT} warm isolates: RSS/isolate ${mb((rss1 - rss0) / COUNT)} MB, heap/isolate ${mb(heap / COUNT)} MB (after boot ${mb(bootHeap / COUNT)} MB), boot p50 ${bootMs[COUNT >> 1]!.toFixed(2)} ms`);
for (const g of isolates) g.dispose();

/**
 * Micro-benchmark of the in-isolate runtime (sandbox/): boot, heap after boot, first
 * invocation and warm invocations, measured in isolate CPU time (isolate.cpuTime).
 *
 * Every figure is set beside a baseline measured in the same run: a stub runtime booted
 * through the same GuestIsolate and bridge whose `invoke` answers at once with a
 * constant result. On a shared machine the noise hits both; the difference is the runtime.
 *
 *   node --no-node-snapshot bench/runtime-micro.ts
 *
 * BENCH_BOOTS (default 50) isolates are booted per runtime; BENCH_INVOKES (default 10000)
 * warm invocations are timed per style after BENCH_WARMUP (default 2000). Results go to
 * bench/results/runtime-micro.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildRuntime } from '../sandbox/build.ts';
import type { FunctionMeta, GuestRequest, GuestResult } from '../sandbox/src/bridge.ts';
import { GuestIsolate, RuntimeScript } from '../src/sandbox-host/isolate.ts';

const BOOTS = Number(process.env.BENCH_BOOTS ?? 50);
const INVOKES = Number(process.env.BENCH_INVOKES ?? 10_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);

/** The baseline: the bridge round trip and nothing else. */
const STUB_RUNTIME = `(() => {
  const bridge = globalThis.__atollBridge;
  delete globalThis.__atollBridge;
  let fn = null;
  return Object.freeze({
    load(factory, env, meta) {
      const module = { exports: {} };
      factory(module.exports, module);
      fn = module.exports;
      return { kind: 'loaded', style: 'workers' };
    },
    invoke(id, request, body) {
      bridge.done(id, { kind: 'response', status: 200, statusText: '', headers: [], body: null });
    },
    fireTimer(id) {},
    settle() {},
    pull() {},
    cancel() {},
  });
})()`;

const WORKERS_HELLO = "module.exports.default = { fetch(req) { return new Response('hello') } }";
const LAMBDA_HELLO = "module.exports.handler = async () => ({ statusCode: 200, body: 'hi' })";

const meta: FunctionMeta = { name: 'hello', version: 1, memoryMb: 128, maxResponseBytes: 6 * 1024 * 1024 };

function request(): GuestRequest {
  const now = Date.now();
  return {
    kind: 'http',
    requestId: 'bench-0001',
    method: 'GET',
    url: 'http://localhost:8080/hello?name=world',
    basePath: '/fn/hello',
    headers: [
      ['host', 'localhost:8080'],
      ['user-agent', 'wrk/4.2'],
      ['accept', '*/*'],
    ],
    sourceIp: '127.0.0.1',
    timeEpochMs: now,
    deadlineMs: now + 30_000,
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

interface Row {
  runtime: string;
  bootMsP50: number;
  bootMsP99: number;
  heapAfterBootKb: number;
  firstInvokeCpuMs: { workers: number; lambda: number };
  warmCpuUs: { workers: { p50: number; p99: number }; lambda: { p50: number; p99: number } };
}

function boot(script: RuntimeScript): GuestIsolate {
  return new GuestIsolate(script, 128, (message) => {
    throw new Error(`catastrophic isolate error: ${message}`);
  });
}

function measure(name: string, script: RuntimeScript): Row {
  boot(script).dispose(); // warm-up
  const bootMs: number[] = [];
  const heaps: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const t = performance.now();
    const g = boot(script);
    bootMs.push(performance.now() - t);
    heaps.push(g.heapUsedBytes());
    g.dispose();
  }
  bootMs.sort((a, b) => a - b);
  heaps.sort((a, b) => a - b);
  const first = { workers: 0, lambda: 0 };
  const warm = { workers: { p50: 0, p99: 0 }, lambda: { p50: 0, p99: 0 } };
  for (const style of ['workers', 'lambda'] as const) {
    const firsts: number[] = [];
    let g: GuestIsolate | undefined;
    for (let i = 0; i < 10; i++) {
      g?.dispose();
      g = boot(script);
      let result: GuestResult | undefined;
      g.setHooks({ log() {}, setTimer() {}, clearTimer() {}, done: (_id, r) => void (result = r) });
      const before = g.cpuMs;
      const loaded = g.load(style === 'workers' ? WORKERS_HELLO : LAMBDA_HELLO, 'hello.js', {}, meta);
      g.invoke(1, request(), undefined);
      firsts.push(g.cpuMs - before);
      if (loaded.kind !== 'loaded' || result?.kind !== 'response') {
        throw new Error(`${name}/${style}: load ${JSON.stringify(loaded)}, result ${JSON.stringify(result)}`);
      }
    }
    firsts.sort((a, b) => a - b);
    first[style] = quantile(firsts, 0.5);
    const req = request();
    const isolate = g!.handle;
    for (let i = 0; i < WARMUP; i++) g!.invoke(i, req, undefined);
    const samples: number[] = new Array(INVOKES);
    for (let i = 0; i < INVOKES; i++) {
      const before = isolate.cpuTime;
      g!.invoke(i, req, undefined);
      samples[i] = Number(isolate.cpuTime - before) / 1000;
    }
    samples.sort((a, b) => a - b);
    warm[style] = { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
    g!.dispose();
  }
  return {
    runtime: name,
    bootMsP50: quantile(bootMs, 0.5),
    bootMsP99: quantile(bootMs, 0.99),
    heapAfterBootKb: quantile(heaps, 0.5) / 1024,
    firstInvokeCpuMs: first,
    warmCpuUs: warm,
  };
}

const source = await buildRuntime();
const rows = [measure('baseline (stub runtime)', new RuntimeScript(STUB_RUNTIME)), measure('atoll runtime', new RuntimeScript(source))];

const f = (n: number, d = 2) => n.toFixed(d);
const table = rows.map((r) => ({
  runtime: r.runtime,
  'boot ms p50': f(r.bootMsP50),
  'boot ms p99': f(r.bootMsP99),
  'heap KB': f(r.heapAfterBootKb, 0),
  'first invoke ms (W/L)': `${f(r.firstInvokeCpuMs.workers)} / ${f(r.firstInvokeCpuMs.lambda)}`,
  'workers µs p50/p99': `${f(r.warmCpuUs.workers.p50, 1)} / ${f(r.warmCpuUs.workers.p99, 1)}`,
  'lambda µs p50/p99': `${f(r.warmCpuUs.lambda.p50, 1)} / ${f(r.warmCpuUs.lambda.p99, 1)}`,
}));
console.log(`runtime bundle: ${(source.length / 1024).toFixed(0)} KB; ${BOOTS} boots, ${INVOKES} warm invocations per style`);
console.table(table);

const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(
  `${out}runtime-micro.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, bundleBytes: source.length, boots: BOOTS, invokes: INVOKES, rows }, null, 2)}\n`,
);

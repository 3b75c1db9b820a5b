/**
 * Issue 3's throughput bench: a warm Workers function answering with a 1 KB JSON
 * `Response` (built with Response.json for every request) next to the plain-text hello
 * world, on the same server in the same run, measured in turn run after run.
 *
 *   node bench/web-platform.ts
 *
 * Atoll runs on core 0, the load generator on core 1. Env: BENCH_DURATION (s, 10),
 * BENCH_CONNECTIONS (50), BENCH_RUNS (3), BENCH_WARMUP (s, 2), BENCH_LOADGEN.
 */
import { AtollServer, HELLO_SOURCE } from './lib/atoll.ts';
import { generateLoad, loadGenerator, type LoadResult } from './lib/load.ts';
import { cpuTimeMs, processTree } from './lib/procs.ts';
import { envInt, median, printTable, round, writeResult } from './lib/report.ts';

const DURATION_S = envInt('BENCH_DURATION', 10);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50);
const RUNS = envInt('BENCH_RUNS', 3);
const WARMUP_S = envInt('BENCH_WARMUP', 2);

/** About 1 KB of JSON: a page of 14 records, serialised for every request. */
const JSON_SOURCE = `
const items = Array.from({ length: 14 }, (_, i) => ({ id: i + 1, name: 'item-' + (i + 1), price: 10 + i * 1.25, tags: ['a', 'b'], inStock: i % 2 === 0 }));
export default {
  fetch(request) {
    return Response.json({ page: 1, total: items.length, items });
  },
};`;

const server = await AtollServer.start({ cpus: '0' });
try {
  await server.deploy('hello', HELLO_SOURCE);
  await server.deploy('json1k', JSON_SOURCE);
  const probe = await server.invoke('json1k');
  const bytes = Buffer.byteLength(probe.body);
  if (probe.status !== 200 || bytes < 900 || bytes > 1200) throw new Error(`json1k answered ${probe.status} with ${bytes} bytes`);
  console.log(`web-platform: ${RUNS} x ${DURATION_S} s, ${CONNECTIONS} connections, ${loadGenerator()}; json1k body ${bytes} bytes`);
  const targets = { hello: `${server.url}/fn/hello`, json1k: `${server.url}/fn/json1k` };
  const samples: Record<string, (LoadResult & { cpuUsPerReq: number })[]> = { hello: [], json1k: [] };
  for (const url of Object.values(targets)) {
    if (WARMUP_S > 0) await generateLoad({ url, durationS: WARMUP_S, connections: CONNECTIONS, cpus: '1' });
  }
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, url] of Object.entries(targets)) {
      // Server CPU per request (gateway and sandbox hosts): steadier than req/s on a shared machine.
      const pids = processTree(server.pid);
      const cpuBefore = pids.map(cpuTimeMs);
      const load = await generateLoad({ url, durationS: DURATION_S, connections: CONNECTIONS, cpus: '1' });
      const cpuMs = pids.reduce((sum, pid, i) => sum + cpuTimeMs(pid) - cpuBefore[i]!, 0);
      const s = { ...load, cpuUsPerReq: load.requests ? (cpuMs * 1000) / load.requests : 0 };
      samples[name]!.push(s);
      console.log(`run ${run} ${name.padEnd(7)} ${Math.round(s.reqPerSec)} req/s  p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms  ${s.cpuUsPerReq.toFixed(1)} µs CPU/req  errors ${s.errors}  non-2xx ${s.non2xx}`);
    }
  }
  const rows = Object.entries(samples).map(([name, s]) => ({
    function: name,
    reqPerSec: Math.round(median(s.map((x) => x.reqPerSec))),
    p50Ms: round(median(s.map((x) => x.p50Ms))),
    p99Ms: round(median(s.map((x) => x.p99Ms))),
    cpuUsPerReq: round(median(s.map((x) => x.cpuUsPerReq)), 1),
    errors: s.reduce((sum, x) => sum + x.errors + x.non2xx, 0),
  }));
  const gap = round(1 - rows[1]!.reqPerSec / rows[0]!.reqPerSec, 3);
  printTable(`web-platform: median of ${RUNS} runs`, rows);
  console.log(`json1k is ${(gap * 100).toFixed(1)}% below hello (target: at most 15%)`);
  writeResult('web-platform', { params: { durationS: DURATION_S, connections: CONNECTIONS, runs: RUNS, jsonBytes: bytes, loadGenerator: loadGenerator() }, rows, gap, samples });
} finally {
  await server.close();
}

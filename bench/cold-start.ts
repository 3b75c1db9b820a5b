/**
 * Cold start: deploy a function, then time its first request and a warm one after it.
 *
 *   node bench/cold-start.ts
 *
 * BENCH_FUNCTIONS (default 100) distinct hello-world functions (each answers its own text,
 * so no two share code) are deployed one after another. For each: PUT the deploy, then
 * time GET /fn/name (first: instance created, code loaded, module top level run) and at
 * once a second GET (warm: the same instance). The warm request is the baseline measured
 * in the same breath, so first − warm is what a cold start costs beyond an ordinary
 * request. The invocation records (logs API) give the isolate CPU of each.
 * The server is not pinned: cold starts use both cores as they would in production.
 */
import { performance } from 'node:perf_hooks';
import { AtollServer } from './lib/atoll.ts';
import { envInt, printTable, summarize, writeResult, type Summary } from './lib/report.ts';

const COUNT = envInt('BENCH_FUNCTIONS', 100);

function source(i: number): string {
  return `export default { fetch() { return new Response('Hello World ${i}') } }`;
}

async function main(): Promise<void> {
  const server = await AtollServer.start();
  const deployMs: number[] = [];
  const firstMs: number[] = [];
  const warmMs: number[] = [];
  const overheadMs: number[] = [];
  const coldCpuMs: number[] = [];
  const coldWallMs: number[] = [];
  const warmCpuMs: number[] = [];
  const warmWallMs: number[] = [];
  let notCold = 0;
  try {
    // One throwaway function so that the first sample does not pay for lazy server set-up.
    await server.deploy('cold-warmup', source(-1));
    await server.invoke('cold-warmup');

    for (let i = 0; i < COUNT; i++) {
      const name = `cold-${i}`;
      const t0 = performance.now();
      await server.deploy(name, source(i));
      const t1 = performance.now();
      const first = await server.invoke(name);
      const t2 = performance.now();
      const warm = await server.invoke(name);
      const t3 = performance.now();
      if (first.body !== `Hello World ${i}` || warm.body !== first.body) throw new Error(`${name}: ${first.status} ${first.body} / ${warm.status} ${warm.body}`);
      deployMs.push(t1 - t0);
      firstMs.push(t2 - t1);
      warmMs.push(t3 - t2);
      overheadMs.push(t2 - t1 - (t3 - t2));
    }
    for (let i = 0; i < COUNT; i++) {
      // Newest first: [warm, first].
      const records = await server.invocations(`cold-${i}`, 2);
      const cold = records.find((r) => r.cold);
      const warm = records.find((r) => !r.cold);
      if (!cold) notCold++;
      if (cold) {
        coldCpuMs.push(cold.cpuMs);
        coldWallMs.push(cold.wallMs);
      }
      if (warm) {
        warmCpuMs.push(warm.cpuMs);
        warmWallMs.push(warm.wallMs);
      }
    }
  } finally {
    await server.close();
  }

  const summaries: Record<string, Summary> = {
    'deploy (PUT, client)': summarize(deployMs),
    'first request (client)': summarize(firstMs),
    'warm request (client)': summarize(warmMs),
    'first - warm (overhead)': summarize(overheadMs),
    'cold record cpuMs': summarize(coldCpuMs),
    'cold record wallMs': summarize(coldWallMs),
    'warm record cpuMs': summarize(warmCpuMs),
    'warm record wallMs': summarize(warmWallMs),
  };
  printTable(`cold-start: ${COUNT} functions, ms`, Object.entries(summaries).map(([what, s]) => ({ what, ...s })));
  if (notCold) console.log(`${notCold} first requests were not recorded as cold`);
  const target = { overheadP50Ms: 3, overheadP99Ms: 10 };
  const overhead = summaries['first - warm (overhead)']!;
  const meets = overhead.p50 <= target.overheadP50Ms && overhead.p99 <= target.overheadP99Ms;
  console.log(`target: overhead p50 <= ${target.overheadP50Ms} ms and p99 <= ${target.overheadP99Ms} ms: ${meets ? 'met' : 'MISSED'}`);
  writeResult('cold-start', { params: { functions: COUNT }, summaries, target, meets, notCold, samples: { deployMs, firstMs, warmMs, overheadMs, coldCpuMs, coldWallMs } });
}

await main();

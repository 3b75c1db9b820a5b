/**
 * Tenant isolation under load: a warm hello world (the victim) served alone, then while
 * another function (the neighbour) keeps blowing its CPU limit, on the same server in the
 * same run, measured in turn run after run.
 *
 *   node bench/noisy-neighbour.ts
 *
 * The neighbour spins in `for (;;) {}` with cpuMs 20; BENCH_SPIN_RATE requests a second are
 * sent to it, each killed by the watchdog (503 CPU_LIMIT_EXCEEDED) and its isolate replaced.
 * At 5 a second that is ~10 % of the server's core by design: what this shows is what the
 * victim loses beyond that share (cold starts of the neighbour's new isolates, late
 * terminations, the scheduler's reaction), whether any victim request fails, and whether a
 * sandbox host was replaced. Atoll runs on core 0, the load generator and the neighbour's
 * client on core 1. Env: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (50), BENCH_RUNS (3),
 * BENCH_WARMUP (s, 2), BENCH_SPIN_RATE (per second, 5), BENCH_LOADGEN.
 */
import { AtollServer, HELLO_SOURCE } from './lib/atoll.ts';
import { generateLoad, loadGenerator, type LoadResult } from './lib/load.ts';
import { envInt, median, printTable, round, writeResult } from './lib/report.ts';

const DURATION_S = envInt('BENCH_DURATION', 10);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50);
const RUNS = envInt('BENCH_RUNS', 3);
const WARMUP_S = envInt('BENCH_WARMUP', 2);
const SPIN_RATE = envInt('BENCH_SPIN_RATE', 5);

const SPINNER_SOURCE = 'export default { fetch() { for (;;) {} } }';

/** Sends `rate` requests a second to the neighbour until stopped; counts answers by status. */
function neighbour(url: string, rate: number): { stop(): Promise<Record<string, number>> } {
  const statuses: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p: Promise<void> = fetch(url)
      .then(async (res) => {
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      })
      .catch(() => {
        statuses.error = (statuses.error ?? 0) + 1;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / rate);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return statuses;
    },
  };
}

const server = await AtollServer.start({ cpus: '0' });
try {
  await server.deploy('victim', HELLO_SOURCE);
  await server.deploy('spinner', SPINNER_SOURCE, { cpuMs: 20 });
  const probe = await server.invoke('spinner');
  if (probe.status !== 503) throw new Error(`spinner answered ${probe.status}, not 503`);
  console.log(`noisy-neighbour: ${RUNS} x ${DURATION_S} s, ${CONNECTIONS} connections, ${loadGenerator()}; neighbour: ${SPIN_RATE} CPU-limit kills a second`);
  const url = `${server.url}/fn/victim`;
  if (WARMUP_S > 0) await generateLoad({ url, durationS: WARMUP_S, connections: CONNECTIONS, cpus: '1' });
  const restartsBefore = (await server.api('GET', '/api/server')).sandboxHostRestarts as number;
  const samples: Record<'alone' | 'neighbour', LoadResult[]> = { alone: [], neighbour: [] };
  const neighbourStatuses: Record<string, number> = {};
  for (let run = 1; run <= RUNS; run++) {
    for (const phase of ['alone', 'neighbour'] as const) {
      const noise = phase === 'neighbour' ? neighbour(`${server.url}/fn/spinner`, SPIN_RATE) : undefined;
      const load = await generateLoad({ url, durationS: DURATION_S, connections: CONNECTIONS, cpus: '1' });
      const statuses = await noise?.stop();
      for (const [status, n] of Object.entries(statuses ?? {})) neighbourStatuses[status] = (neighbourStatuses[status] ?? 0) + n;
      samples[phase].push(load);
      console.log(`run ${run} ${phase.padEnd(9)} ${Math.round(load.reqPerSec)} req/s  p50 ${load.p50Ms.toFixed(2)} ms  p99 ${load.p99Ms.toFixed(2)} ms  errors ${load.errors}  non-2xx ${load.non2xx}${statuses ? `  neighbour ${JSON.stringify(statuses)}` : ''}`);
    }
  }
  const restarts = ((await server.api('GET', '/api/server')).sandboxHostRestarts as number) - restartsBefore;
  const rows = (['alone', 'neighbour'] as const).map((phase) => ({
    victim: phase === 'alone' ? 'alone' : `with ${SPIN_RATE} kills/s next door`,
    reqPerSec: Math.round(median(samples[phase].map((x) => x.reqPerSec))),
    p50Ms: round(median(samples[phase].map((x) => x.p50Ms))),
    p99Ms: round(median(samples[phase].map((x) => x.p99Ms))),
    failed: samples[phase].reduce((sum, x) => sum + x.errors + x.non2xx, 0),
  }));
  const ratio = round(rows[1]!.reqPerSec / rows[0]!.reqPerSec, 3);
  printTable(`noisy-neighbour: median of ${RUNS} runs`, rows);
  console.log(`victim keeps ${(ratio * 100).toFixed(1)}% of its throughput; neighbour answers ${JSON.stringify(neighbourStatuses)}; sandbox hosts replaced: ${restarts}`);
  writeResult('noisy-neighbour', { params: { durationS: DURATION_S, connections: CONNECTIONS, runs: RUNS, spinRate: SPIN_RATE, loadGenerator: loadGenerator() }, rows, ratio, neighbourStatuses, hostRestarts: restarts, samples });
} finally {
  await server.close();
}

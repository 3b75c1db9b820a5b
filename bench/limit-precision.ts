/**
 * CPU-limit precision: how far past its cpuMs limit a runaway function gets before the
 * watchdog stops it.
 *
 *   node bench/limit-precision.ts
 *
 * For each limit in BENCH_CPU_LIMITS (default 10,50,200 ms) a `while (true) {}` function is
 * deployed with that cpuMs and invoked BENCH_INVOCATIONS (default 20) times; each must end
 * in 503 CPU_LIMIT_EXCEEDED. The recorded cpuMs of every invocation is read back from the
 * logs API: min / median / max, and the max overshoot (max − limit).
 */
import { AtollServer } from './lib/atoll.ts';
import { envInt, median, printTable, round, writeResult } from './lib/report.ts';

const LIMITS = (process.env.BENCH_CPU_LIMITS ?? '10,50,200').split(',').map(Number);
const INVOCATIONS = envInt('BENCH_INVOCATIONS', 20);
const SPIN = 'export default { fetch() { while (true) {} } }';

async function main(): Promise<void> {
  const server = await AtollServer.start();
  const rows: Record<string, unknown>[] = [];
  const samples: Record<string, { cpuMs: number[]; wallMs: number[]; outcomes: string[]; statuses: number[] }> = {};
  try {
    for (const cpuMs of LIMITS) {
      const name = `spin-${cpuMs}`;
      await server.deploy(name, SPIN, { cpuMs });
      const statuses: number[] = [];
      for (let i = 0; i < INVOCATIONS; i++) {
        const res = await server.invoke(name);
        statuses.push(res.status);
        if (!res.body.includes('CPU_LIMIT_EXCEEDED')) console.error(`${name}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      const records = await server.invocations(name, INVOCATIONS);
      const cpu = records.map((r) => r.cpuMs);
      const wall = records.map((r) => r.wallMs);
      samples[name] = { cpuMs: cpu, wallMs: wall, outcomes: records.map((r) => r.outcome), statuses };
      const max = Math.max(...cpu);
      rows.push({
        limitMs: cpuMs,
        n: cpu.length,
        cpuMin: round(Math.min(...cpu)),
        cpuMedian: round(median(cpu)),
        cpuMax: round(max),
        maxOvershootMs: round(max - cpuMs),
        maxOvershootPct: round(((max - cpuMs) / cpuMs) * 100, 1),
        wallMedian: round(median(wall)),
        wallMax: round(Math.max(...wall)),
        not503: statuses.filter((s) => s !== 503).length,
      });
    }
  } finally {
    await server.close();
  }
  printTable(`limit-precision: ${INVOCATIONS} runaway invocations per limit, recorded ms`, rows);
  writeResult('limit-precision', { params: { limits: LIMITS, invocations: INVOCATIONS }, rows, samples });
}

await main();

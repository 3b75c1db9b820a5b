/**
 * Density: memory of a server holding BENCH_FUNCTIONS (default 1000) warm functions.
 *
 *   node bench/density.ts
 *
 * Deploys that many distinct hello-world functions, makes each warm with one request,
 * then sums VmRSS of the gateway and every sandbox host (pids from GET /api/server, and
 * the gateway's process tree from /proc so nothing is missed). The same sum is taken on
 * the fresh server first: the baseline, in the same run. BENCH_CONCURRENCY (default 4)
 * deploys go at once. Target: <= 2 GB in total for 1000 warm functions.
 */
import { AtollServer } from './lib/atoll.ts';
import { commandOf, processTree, rssKb } from './lib/procs.ts';
import { envInt, printTable, round, writeResult } from './lib/report.ts';

const COUNT = envInt('BENCH_FUNCTIONS', 1000);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 4);
const TARGET_MB = 2048;

interface Memory {
  totalMb: number;
  processes: { pid: number; role: string; rssMb: number }[];
}

async function memory(server: AtollServer): Promise<Memory> {
  const info = await server.processes();
  const hosts = new Set(info.sandboxPids);
  const pids = new Set([info.pid, ...info.sandboxPids, ...processTree(server.pid)]);
  const processes = [...pids].map((pid) => ({
    pid,
    role: pid === info.pid ? 'gateway' : hosts.has(pid) ? 'sandbox host' : `child: ${commandOf(pid)}`,
    rssMb: round(rssKb(pid) / 1024, 1),
  }));
  return { totalMb: round(processes.reduce((sum, p) => sum + p.rssMb, 0), 1), processes };
}

async function main(): Promise<void> {
  const server = await AtollServer.start();
  try {
    const before = await memory(server);
    const started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < COUNT) {
        const i = next++;
        const name = `dense-${i}`;
        await server.deploy(name, `export default { fetch() { return new Response('Hello World ${i}') } }`);
        const res = await server.invoke(name);
        if (res.body !== `Hello World ${i}`) throw new Error(`${name}: ${res.status} ${res.body}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const loadSeconds = (Date.now() - started) / 1000;
    // Let the hosts settle (GC after the burst) before reading RSS.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await memory(server);
    const scheduler = (await server.processes()).scheduler ?? {};

    const perFunctionMb = round(after.totalMb / COUNT, 3);
    const marginalMb = round((after.totalMb - before.totalMb) / COUNT, 3);
    printTable('density: RSS per process after', after.processes);
    printTable(`density: ${COUNT} warm functions`, [
      { what: 'total RSS, empty server (MB)', value: before.totalMb },
      { what: `total RSS, ${COUNT} warm (MB)`, value: after.totalMb },
      { what: 'MB per warm function (total / n)', value: perFunctionMb },
      { what: 'MB per warm function (marginal)', value: marginalMb },
      { what: 'warm instances (scheduler)', value: scheduler.instances ?? '-' },
      { what: 'deploy + first request, s', value: round(loadSeconds, 1) },
    ]);
    const meets = after.totalMb <= TARGET_MB;
    console.log(`target: <= ${TARGET_MB} MB total: ${meets ? 'met' : 'MISSED'}`);
    writeResult('density', {
      params: { functions: COUNT, concurrency: CONCURRENCY },
      before,
      after,
      perFunctionMb,
      marginalMb,
      scheduler,
      loadSeconds,
      targetMb: TARGET_MB,
      meets,
    });
  } finally {
    await server.close();
  }
}

await main();

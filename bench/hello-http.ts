/**
 * Warm hello world over HTTP: Atoll against a bare Hono server and workerd, in the same run.
 *
 *   npm install --prefix bench      # autocannon, workerd; wrk via apt-get install wrk
 *   node bench/hello-http.ts
 *
 * Every server process runs on core 0 (`taskset -c 0`; Atoll's sandbox hosts inherit the
 * affinity from the gateway), the load generator on core 1. Servers are started together
 * and measured in turn, run after run, so a disturbance on the shared machine hits all of
 * them alike; the median of BENCH_RUNS runs is reported. Env: BENCH_DURATION (s, 10),
 * BENCH_CONNECTIONS (50), BENCH_RUNS (3), BENCH_WARMUP (s, 2), BENCH_LOADGEN (wrk|autocannon),
 * BENCH_SERVERS (comma list of names to run), BENCH_PROFILE=1 (--cpu-prof the Atoll
 * gateway and sandbox hosts into bench/results/prof/<server>/; read them with
 * bench/tools/cpuprofile-top.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtollServer, HELLO_SOURCE } from './lib/atoll.ts';
import { generateLoad, loadGenerator, type LoadResult } from './lib/load.ts';
import { cpuTimeMs, processTree } from './lib/procs.ts';
import { envInt, median, printTable, RESULTS_DIR, round, writeResult } from './lib/report.ts';

const DURATION_S = envInt('BENCH_DURATION', 10);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 50);
const RUNS = envInt('BENCH_RUNS', 3);
const WARMUP_S = envInt('BENCH_WARMUP', 2);
const SERVER_CPUS = '0';
const LOAD_CPUS = '1';
const BENCH = fileURLToPath(new URL('./', import.meta.url));

interface Target {
  name: string;
  url: string;
  /** The server's root process; its descendants are counted with it. */
  pid: number;
  /** Atoll: the function instances alive (its `atoll_instances` gauge). */
  instances?(): Promise<number>;
  close(): Promise<void>;
}

/** Spawns a server pinned to SERVER_CPUS and waits for a line that gives its port. */
function spawnServer(name: string, cmd: string, args: string[], portLine: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn('taskset', ['-c', SERVER_CPUS, cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = portLine.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function startHono(): Promise<Target> {
  const { child, port } = await spawnServer('hono', process.execPath, [`${BENCH}servers/hono-hello.ts`], /listening (\d+)/);
  return { name: 'hono (bare)', url: `http://127.0.0.1:${port}/`, pid: child.pid!, close: () => stopChild(child) };
}

function workerdBinary(): string | undefined {
  const candidates = [`${BENCH}node_modules/.bin/workerd`, `${BENCH}node_modules/@cloudflare/workerd-linux-64/bin/workerd`];
  return candidates.find((path) => existsSync(path));
}

async function startWorkerd(): Promise<Target> {
  const binary = workerdBinary();
  if (!binary) throw new Error('workerd is not installed: run npm install --prefix bench');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn('taskset', ['-c', SERVER_CPUS, binary, 'serve', `${BENCH}workerd/hello.capnp`, '--socket-addr', `http=127.0.0.1:${port}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error('workerd did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name: 'workerd', url, pid: child.pid!, close: () => stopChild(child) };
}

async function startAtoll(name: string, env: Record<string, string>): Promise<Target> {
  // NODE_OPTIONS reaches the gateway only (sandbox hosts take ATOLL_HOST_NODE_OPTIONS): its profile is written at exit.
  const profile: Record<string, string> = process.env.BENCH_PROFILE === '1' ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${RESULTS_DIR}prof/${name}` } : {};
  const server = await AtollServer.start({ cpus: SERVER_CPUS, env: { ...env, ...profile } });
  await server.deploy('hello', HELLO_SOURCE);
  const first = await server.invoke('hello');
  if (first.body !== 'Hello World') throw new Error(`atoll hello answered ${first.status} ${first.body}`);
  const instances = async (): Promise<number> => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^atoll_instances (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  };
  return { name, url: `${server.url}/fn/hello`, pid: server.pid, instances, close: () => server.close() };
}

const STARTERS: Record<string, () => Promise<Target>> = {
  hono: startHono,
  workerd: startWorkerd,
  atoll: () => startAtoll('atoll', {}),
  'atoll-1host': () => startAtoll('atoll-1host', { ATOLL_SANDBOX_HOSTS: '1' }),
};

interface Sample extends LoadResult {
  /** Server CPU (all its processes) per request, µs. */
  cpuUsPerReq: number;
  /** Of which in the root process (Atoll: the gateway; the rest is its sandbox hosts). */
  rootCpuUsPerReq: number;
  /** Atoll: function instances alive after the run. */
  instances?: number;
}

async function measure(target: Target): Promise<Sample> {
  if (WARMUP_S > 0) await generateLoad({ url: target.url, durationS: WARMUP_S, connections: CONNECTIONS, cpus: LOAD_CPUS });
  const pids = processTree(target.pid);
  const cpuBefore = pids.map(cpuTimeMs);
  const result = await generateLoad({ url: target.url, durationS: DURATION_S, connections: CONNECTIONS, cpus: LOAD_CPUS });
  const cpuDelta = pids.map((pid, i) => cpuTimeMs(pid) - cpuBefore[i]!);
  const perReq = (ms: number): number => (result.requests ? (ms * 1000) / result.requests : 0);
  const instances = await target.instances?.();
  return { ...result, cpuUsPerReq: perReq(cpuDelta.reduce((a, b) => a + b, 0)), rootCpuUsPerReq: perReq(cpuDelta[0]!), instances };
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SERVERS ?? Object.keys(STARTERS).join(',')).split(',').map((s) => s.trim());
  const targets: Target[] = [];
  const skipped: Record<string, string> = {};
  console.log(`hello-http: ${RUNS} x ${DURATION_S} s, ${CONNECTIONS} connections, ${loadGenerator()} on core ${LOAD_CPUS}, servers on core ${SERVER_CPUS}`);
  try {
    for (const key of wanted) {
      const start = STARTERS[key];
      if (!start) throw new Error(`unknown server ${key}; known: ${Object.keys(STARTERS).join(', ')}`);
      try {
        targets.push(await start());
      } catch (error) {
        skipped[key] = (error as Error).message;
        console.error(`skipping ${key}: ${(error as Error).message}`);
      }
    }
    const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
    for (let run = 1; run <= RUNS; run++) {
      for (const target of targets) {
        const sample = await measure(target);
        samples.get(target.name)!.push(sample);
        console.log(
          `run ${run} ${target.name.padEnd(12)} ${Math.round(sample.reqPerSec).toString().padStart(6)} req/s  p50 ${sample.p50Ms.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms  ${sample.cpuUsPerReq.toFixed(1)} µs CPU/req (root ${sample.rootCpuUsPerReq.toFixed(1)})${sample.instances === undefined ? '' : `  instances ${sample.instances}`}  errors ${sample.errors}  non-2xx ${sample.non2xx}`,
        );
      }
    }

    const rows = targets.map((t) => {
      const s = samples.get(t.name)!;
      return {
        server: t.name,
        reqPerSec: Math.round(median(s.map((x) => x.reqPerSec))),
        p50Ms: round(median(s.map((x) => x.p50Ms))),
        p99Ms: round(median(s.map((x) => x.p99Ms))),
        cpuUsPerReq: round(median(s.map((x) => x.cpuUsPerReq)), 1),
        rootCpuUsPerReq: round(median(s.map((x) => x.rootCpuUsPerReq)), 1),
        errors: s.reduce((sum, x) => sum + x.errors + x.non2xx, 0),
      };
    });
    const rps = (name: string): number | undefined => rows.find((r) => r.server === name)?.reqPerSec;
    const ratios: Record<string, number> = {};
    for (const atoll of ['atoll', 'atoll-1host']) {
      const a = rps(atoll);
      if (a === undefined) continue;
      const w = rps('workerd');
      const h = rps('hono (bare)');
      if (w) ratios[`${atoll}/workerd`] = round(a / w, 3);
      if (h) ratios[`${atoll}/hono`] = round(a / h, 3);
    }
    printTable(`hello-http: median of ${RUNS} runs`, rows);
    printTable('ratios (req/s)', Object.entries(ratios).map(([pair, ratio]) => ({ pair, ratio })));
    writeResult('hello-http', {
      params: { durationS: DURATION_S, connections: CONNECTIONS, runs: RUNS, warmupS: WARMUP_S, loadGenerator: loadGenerator(), serverCpus: SERVER_CPUS, loadCpus: LOAD_CPUS },
      rows,
      ratios,
      skipped,
      samples: Object.fromEntries(samples),
    });
  } finally {
    for (const target of targets) await target.close();
  }
}

await main();

/**
 * The python3 runtime's own cost: what the Runtime API hop adds to a warm invocation, and
 * how long a worker takes from process start to its first /next.
 *
 *   node_modules/.bin/node bench/python-runtime-api.ts
 *
 * Warm: a hello-world handler (an API Gateway-style event in, `{statusCode, body}` out)
 * invoked one at a time through sandbox/python3/bootstrap.py against the fake Runtime API
 * of the tests (a Node HTTP server on loopback), timed by the server from handing out the
 * event to receiving the response. The baseline, measured in the same run, round after
 * round, is a bare python3 loop calling the same handler in-process: the call alone, and
 * the call with the event decoded from and the result encoded to JSON. The hop's cost is
 * bootstrap p50 − bare call p50 (the target: ≤ 1 ms). Atoll's real Runtime API
 * server adds its own work on top; this bench isolates the runtime's side.
 *
 * Cold: a fresh fake Runtime API and a new bootstrap process per sample, with the
 * invocation already queued; times to the first GET /next (process start, interpreter
 * start, handler import) and to the first response. Per interpreter invocation style:
 * the interpreter itself, with `-S` (no site module: no site-packages, which a stdlib-only
 * runtime does not need), and `python3` as found on PATH when that is a different file
 * (a pyenv shim, for instance).
 *
 * BENCH_INVOKES (default 5000) warm invocations per round after BENCH_WARMUP (500),
 * BENCH_RUNS (3) rounds, BENCH_COLD (20) cold starts per style. ATOLL_TEST_PYTHON picks
 * the interpreter. Results go to bench/results/python-runtime-api.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  PYTHON_BOOTSTRAP,
  lambdaEnv,
  pythonExecutable,
  spawnBootstrap,
  startFakeRuntimeApi,
  type FakeRuntimeApi,
  type RuntimeProcess,
} from '../test/helpers/fake-runtime-api.ts';
import { cpuTimeMs } from './lib/procs.ts';
import { envInt, printTable, round, summarize, writeResult, type Summary } from './lib/report.ts';

const INVOKES = envInt('BENCH_INVOKES', 5000);
const WARMUP = envInt('BENCH_WARMUP', 500);
const RUNS = envInt('BENCH_RUNS', 3);
const COLD = envInt('BENCH_COLD', 20);

const HANDLER = `def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "Hello World"}
`;

/** A GET as API Gateway's HTTP API payload 2.0 carries it, about the size Atoll sends. */
const EVENT = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/hello',
  rawQueryString: 'name=world',
  headers: { host: 'localhost:8080', 'user-agent': 'wrk/4.2', accept: '*/*', 'x-forwarded-proto': 'http' },
  queryStringParameters: { name: 'world' },
  requestContext: {
    accountId: 'atoll',
    apiId: 'atoll',
    domainName: 'localhost',
    http: { method: 'GET', path: '/hello', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'wrk/4.2' },
    requestId: 'bench-0001',
    routeKey: '$default',
    stage: '$default',
    time: '27/Nov/2026:12:00:00 +0000',
    timeEpoch: 1795780800000,
  },
  isBase64Encoded: false,
};

/** The baseline: the same handler, called in a loop in one python3 process; prints per-call ns. */
const BARE_LOOP = `import json, sys, time
sys.path.insert(0, sys.argv[1])
from app import handler
raw = open(sys.argv[2], "rb").read()
n, warmup = int(sys.argv[3]), int(sys.argv[4])
clock = time.perf_counter_ns
class Context:
    aws_request_id = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
ctx = Context()
event = json.loads(raw)
call = []
for i in range(warmup + n):
    t0 = clock()
    handler(event, ctx)
    call.append(clock() - t0)
full = []
for i in range(warmup + n):
    t0 = clock()
    json.dumps(handler(json.loads(raw), ctx)).encode()
    full.append(clock() - t0)
print(json.dumps({"call": call[warmup:], "json": full[warmup:]}))
`;

function bareLoop(python: string, taskRoot: string, eventFile: string): { call: number[]; json: number[] } {
  const out = execFileSync(python, ['-c', BARE_LOOP, taskRoot, eventFile, String(INVOKES), String(WARMUP)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ns = JSON.parse(out) as { call: number[]; json: number[] };
  return { call: ns.call.map((v) => v / 1000), json: ns.json.map((v) => v / 1000) };
}

interface WarmRound {
  latencyUs: number[];
  pythonCpuUs: number;
  nodeCpuUs: number;
}

/** Sequential invocations through the bootstrap; latency as the Runtime API server sees it. */
async function bootstrapRound(api: FakeRuntimeApi, proc: RuntimeProcess): Promise<WarmRound> {
  for (let i = 0; i < WARMUP; i++) await api.invoke(EVENT);
  const latencyUs: number[] = [];
  const cpu0 = cpuTimeMs(proc.child.pid!);
  const node0 = process.cpuUsage();
  for (let i = 0; i < INVOKES; i++) {
    const t0 = performance.now();
    const outcome = await api.invoke(EVENT);
    latencyUs.push((performance.now() - t0) * 1000);
    if (outcome.kind !== 'response') throw new Error(`invocation failed: ${outcome.body}`);
  }
  const node = process.cpuUsage(node0);
  return {
    latencyUs,
    pythonCpuUs: ((cpuTimeMs(proc.child.pid!) - cpu0) * 1000) / INVOKES,
    nodeCpuUs: (node.user + node.system) / INVOKES,
  };
}

interface ColdSample {
  nextMs: number;
  responseMs: number;
}

/** A fresh Runtime API with the invocation already queued, and a new bootstrap process. */
async function coldStart(command: string, flags: string[], taskRoot: string): Promise<ColdSample> {
  const api = await startFakeRuntimeApi();
  try {
    const response = api.invoke(EVENT);
    const t0 = performance.now();
    const child = spawn(command, [...flags, PYTHON_BOOTSTRAP], { env: lambdaEnv(api, taskRoot, 'app.handler'), stdio: 'ignore' });
    const outcome = await response;
    const responseMs = performance.now() - t0;
    child.kill('SIGKILL');
    const first = api.calls.find((c) => c.path === '/invocation/next');
    if (outcome.kind !== 'response' || !first) throw new Error(`cold start failed: ${outcome.body}`);
    return { nextMs: first.at - t0, responseMs };
  } finally {
    await api.close();
  }
}

async function main(): Promise<void> {
  const python = pythonExecutable();
  const onPath = execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
  const version = execFileSync(python, ['--version'], { encoding: 'utf8' }).trim();
  const taskRoot = mkdtempSync(join(tmpdir(), 'atoll-py-bench-'));
  const eventFile = join(taskRoot, 'event.json');
  writeFileSync(join(taskRoot, 'app.py'), HANDLER);
  writeFileSync(eventFile, JSON.stringify(EVENT));
  console.log(`${version} at ${python}; ${RUNS} rounds of ${INVOKES} warm invocations (after ${WARMUP}), ${COLD} cold starts per style`);

  const api = await startFakeRuntimeApi();
  const proc = spawnBootstrap(lambdaEnv(api, taskRoot, 'app.handler'));
  const bareCall: number[] = [];
  const bareJson: number[] = [];
  const hop: number[] = [];
  const rounds: WarmRound[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const bare = bareLoop(python, taskRoot, eventFile);
      bareCall.push(...bare.call);
      bareJson.push(...bare.json);
      const measured = await bootstrapRound(api, proc);
      rounds.push(measured);
      hop.push(...measured.latencyUs);
    }
  } finally {
    proc.child.kill('SIGKILL');
    await api.close();
  }

  const warm: Record<string, Summary> = {
    'bare python3 loop: handler call': summarize(bareCall),
    'bare python3 loop: JSON in + call + JSON out': summarize(bareJson),
    'bootstrap via Runtime API (server-side round trip)': summarize(hop),
  };
  const overheadP50Us = round(warm['bootstrap via Runtime API (server-side round trip)']!.p50 - warm['bare python3 loop: handler call']!.p50);
  const pythonCpuUs = round(rounds.reduce((s, r) => s + r.pythonCpuUs, 0) / rounds.length);
  const nodeCpuUs = round(rounds.reduce((s, r) => s + r.nodeCpuUs, 0) / rounds.length);
  printTable('warm invocation, µs', Object.entries(warm).map(([what, s]) => ({ what, ...s })));
  console.log(`\nRuntime API hop, p50 overhead over the bare call: ${overheadP50Us} µs (target ≤ 1000 µs)`);
  console.log(`CPU per invocation: bootstrap process ${pythonCpuUs} µs, fake server + client (Node) ${nodeCpuUs} µs`);

  const styles: { name: string; command: string; flags: string[] }[] = [
    { name: `${python}`, command: python, flags: [] },
    { name: `${python} -S`, command: python, flags: ['-S'] },
  ];
  if (onPath && onPath !== python) styles.push({ name: `${onPath} (on PATH)`, command: onPath, flags: [] });
  const cold: Record<string, { firstNextMs: Summary; firstResponseMs: Summary }> = {};
  for (const style of styles) {
    const next: number[] = [];
    const response: number[] = [];
    await coldStart(style.command, style.flags, taskRoot); // page cache, .pyc files
    for (let i = 0; i < COLD; i++) {
      const sample = await coldStart(style.command, style.flags, taskRoot);
      next.push(sample.nextMs);
      response.push(sample.responseMs);
    }
    cold[style.name] = { firstNextMs: summarize(next), firstResponseMs: summarize(response) };
  }
  printTable(
    'cold start, ms from spawn',
    Object.entries(cold).map(([command, c]) => ({
      command,
      'first /next p50': c.firstNextMs.p50,
      'first /next p99': c.firstNextMs.p99,
      'first response p50': c.firstResponseMs.p50,
      'first response p99': c.firstResponseMs.p99,
    })),
  );
  rmSync(taskRoot, { recursive: true, force: true });

  writeResult('python-runtime-api', {
    python: { version, executable: python, onPath },
    parameters: { invokes: INVOKES, warmup: WARMUP, runs: RUNS, cold: COLD },
    warmUs: warm,
    overheadP50Us,
    cpuPerInvocationUs: { bootstrap: pythonCpuUs, fakeServerAndClient: nodeCpuUs },
    coldMs: cold,
  });
}

await main();

/**
 * Python workers: what the Runtime API hop costs a warm invocation, and how long a cold
 * start takes.
 *
 *   node bench/python-workers.ts
 *
 * Measured in the same run:
 * - bare: python3 calling the same handler in a loop in one process (json in and out of
 *   each call, as the runtime does), per call;
 * - warm: sequential `GET /fn/py` on one connection, client time, for the python3 function
 *   and for a Workers-style JS hello world beside it; hop = python warm − bare;
 * - throughput: wrk (or autocannon, on core 1) at BENCH_CONNECTIONS against both, after a
 *   2 s warm-up at that concurrency;
 * - cold: BENCH_FUNCTIONS python functions, each deployed and then invoked once; client
 *   time of deploy → first response, and of the first request alone.
 * BENCH_PYTHON_BOOTSTRAP runs another python3 runtime (ATOLL_PYTHON_BOOTSTRAP) in place of
 * sandbox/python3/bootstrap.py.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AtollServer } from './lib/atoll.ts';
import { generateLoad } from './lib/load.ts';
import { envInt, printTable, round, summarize, writeResult } from './lib/report.ts';

const COLD = envInt('BENCH_FUNCTIONS', 20);
const WARM = envInt('BENCH_REQUESTS', 2000);
const DURATION_S = envInt('BENCH_DURATION', 5);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);

const HANDLER = 'def handler(event, context):\n    return {"statusCode": 200, "body": "Hello World"}\n';
const JS = 'export default { fetch: () => new Response("Hello World") }';

/** Per-call ms of the handler called in a loop in one python3 process, with JSON as the runtime does it. */
function bareLoop(calls: number): number[] {
  const script = `
import json, time
${HANDLER}
event = json.dumps({"version": "2.0", "rawPath": "/", "headers": {"host": "x"}, "requestContext": {"http": {"method": "GET"}}})
out = []
for _ in range(${calls}):
    t = time.perf_counter()
    json.dumps(handler(json.loads(event), None))
    out.append((time.perf_counter() - t) * 1000)
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(process.env.ATOLL_PYTHON ?? 'python3', ['-c', script], { encoding: 'utf8' })) as number[];
}

async function sequential(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - t);
  }
  return times;
}

async function main(): Promise<void> {
  const bootstrap = process.env.BENCH_PYTHON_BOOTSTRAP;
  const server = await AtollServer.start({ env: bootstrap ? { ATOLL_PYTHON_BOOTSTRAP: resolve(bootstrap) } : {} });
  const rows: Record<string, unknown>[] = [];
  const result: Record<string, unknown> = { bootstrap: bootstrap ?? 'sandbox/python3/bootstrap.py' };
  try {
    await server.api('PUT', '/api/functions/py', { files: { 'app.py': HANDLER }, handler: 'app.handler', concurrency: { max: CONNECTIONS } });
    await server.deploy('js', JS);
    await sequential(`${server.url}/fn/py`, 200);
    await sequential(`${server.url}/fn/js`, 200);

    const bare = summarize(bareLoop(WARM));
    const py = summarize(await sequential(`${server.url}/fn/py`, WARM));
    const js = summarize(await sequential(`${server.url}/fn/js`, WARM));
    rows.push({ what: 'bare python3 loop, per call', ...bare });
    rows.push({ what: 'python3 over HTTP, warm', ...py });
    rows.push({ what: 'js isolate over HTTP, warm', ...js });
    // The gateway's own record of each warm python invocation: dispatch to the worker → its
    // answer, the Runtime API hop itself without the client's HTTP to the gateway.
    const records = (await server.invocations('py', WARM)).filter((r) => !r.cold && r.outcome === 'OK');
    const dispatch = summarize(records.map((r) => r.wallMs));
    rows.push({ what: 'python3 dispatch → answer (record)', ...dispatch });
    result.warm = { bare, python: py, js, dispatch, hopP50Ms: round(dispatch.p50 - bare.p50), endToEndOverBareP50Ms: round(py.p50 - bare.p50), overJsP50Ms: round(py.p50 - js.p50) };

    // A warm-up at the same concurrency first: the pools grow to it (cold starts) outside the measurement.
    await generateLoad({ url: `${server.url}/fn/py`, durationS: 2, connections: CONNECTIONS, cpus: '1' });
    await generateLoad({ url: `${server.url}/fn/js`, durationS: 2, connections: CONNECTIONS, cpus: '1' });
    const pyLoad = await generateLoad({ url: `${server.url}/fn/py`, durationS: DURATION_S, connections: CONNECTIONS, cpus: '1' });
    const jsLoad = await generateLoad({ url: `${server.url}/fn/js`, durationS: DURATION_S, connections: CONNECTIONS, cpus: '1' });
    result.load = { connections: CONNECTIONS, python: pyLoad, js: jsLoad };

    const coldTotal: number[] = [];
    const coldFirst: number[] = [];
    for (let i = 0; i < COLD; i++) {
      const t0 = performance.now();
      await server.api('PUT', `/api/functions/cold-${i}`, { files: { 'app.py': HANDLER.replace('Hello World', `Hello ${i}`) }, handler: 'app.handler' });
      const t1 = performance.now();
      const first = await server.invoke(`cold-${i}`);
      if (first.body !== `Hello ${i}`) throw new Error(`cold-${i}: ${first.status} ${first.body}`);
      coldTotal.push(performance.now() - t0);
      coldFirst.push(performance.now() - t1);
    }
    rows.push({ what: 'cold: deploy → first response', ...summarize(coldTotal) });
    rows.push({ what: 'cold: first request', ...summarize(coldFirst) });
    result.cold = { total: summarize(coldTotal), firstRequest: summarize(coldFirst) };
  } finally {
    await server.close();
  }
  printTable('python3 workers (ms)', rows);
  const load = result.load as { python: { reqPerSec: number; p50Ms: number; p99Ms: number }; js: { reqPerSec: number; p50Ms: number; p99Ms: number } };
  printTable(`throughput, ${CONNECTIONS} connections`, [
    { what: 'python3', reqPerSec: round(load.python.reqPerSec, 0), p50Ms: load.python.p50Ms, p99Ms: load.python.p99Ms },
    { what: 'js isolate', reqPerSec: round(load.js.reqPerSec, 0), p50Ms: load.js.p50Ms, p99Ms: load.js.p99Ms },
  ]);
  const warm = result.warm as { hopP50Ms: number; endToEndOverBareP50Ms: number; overJsP50Ms: number };
  console.log(`\nRuntime API hop (gateway's dispatch → answer p50 − bare loop p50): ${warm.hopP50Ms} ms (target ≤ 1)`);
  console.log(`End to end over HTTP: python warm p50 − bare loop p50 ${warm.endToEndOverBareP50Ms} ms; python over the JS isolate ${warm.overJsP50Ms} ms`);
  writeResult('python-workers', result);
}

await main();

/**
 * A sandbox host that dies (design.md §1): only the invocations it was running fail with
 * WORKER_CRASHED; the gateway keeps its PID, the host is replaced, and every other
 * invocation, on the other hosts, completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { StartedAtoll } from '../../src/gateway/index.ts';
import { HostPool } from '../../src/sandbox-host/index.ts';

/** A response's JSON body, untyped: the tests check its shape. */
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();


const SLOW = 'export default { async fetch() { await new Promise((r) => setTimeout(r, 1000)); return new Response("done"); } }';
const FAST = 'export default { fetch: () => new Response("fast") }';

type Server = TestServer & { atoll: StartedAtoll };
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Wait until `n` invocations are running, then a little longer for them to reach their host. */
async function busyInstances(s: Server, n: number): Promise<void> {
  const { scheduler } = s.atoll.context;
  await waitFor(() => scheduler.stats().instances - scheduler.stats().idle >= n, 5_000);
  await new Promise((r) => setTimeout(r, 150));
}

async function errorCode(res: Response): Promise<string | undefined> {
  return (await json(res)).error?.code;
}

/** Invocation records of `name`, polled until there are `n` of them. */
async function invocations(s: Server, name: string, n: number): Promise<any[]> {
  let records: any[] = [];
  for (let i = 0; i < 40 && records.length < n; i++) {
    records = (await s.api('GET', `/functions/${name}/logs`)).body.invocations;
    if (records.length < n) await new Promise((r) => setTimeout(r, 50));
  }
  return records;
}

describe('sandbox host crash', () => {
  it('host crash: the in-flight request gets WORKER_CRASHED, the gateway survives, a new host serves the next request', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    const s = server;
    await s.deploy('slow', SLOW);
    expect((await s.fn('slow')).status).toBe(200);
    const gatewayPid = await s.gatewayPid();
    const [hostPid] = s.atoll.sandboxPids();
    expect(hostPid).toBeGreaterThan(0);

    const inFlight = s.fn('slow');
    await busyInstances(s, 1);
    process.kill(hostPid!, 'SIGKILL');
    const res = await inFlight;
    expect(res.status).toBe(502);
    expect(await errorCode(res)).toBe('WORKER_CRASHED');

    expect(await s.gatewayPid()).toBe(gatewayPid);
    await waitFor(() => s.atoll.sandboxPids().length === 1 && s.atoll.sandboxPids()[0] !== hostPid, 10_000);
    await s.atoll.context.hosts.ready();
    const after = await s.fn('slow');
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('done');
    expect((await s.api('GET', '/server')).body.sandboxHostRestarts).toBe(1);
  });

  it('host crash: the crashed invocation is metered with its outcome, and the others around it too', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    const s = server;
    await s.deploy('metered', SLOW);
    expect((await s.fn('metered')).status).toBe(200);
    const inFlight = s.fn('metered');
    await busyInstances(s, 1);
    process.kill(s.atoll.sandboxPids()[0]!, 'SIGKILL');
    expect((await inFlight).status).toBe(502);
    await waitFor(() => s.atoll.context.hosts.hosts.every((h) => h.alive), 10_000);
    await s.atoll.context.hosts.ready();
    expect((await s.fn('metered')).status).toBe(200);
    const records = await invocations(s, 'metered', 3);
    expect(records.map((r) => r.outcome)).toEqual(['OK', 'WORKER_CRASHED', 'OK']);
    for (const r of records) {
      expect(Number.isFinite(r.cpuMs)).toBe(true);
      expect(Number.isFinite(r.billedMs)).toBe(true);
    }
  });

  it('host crash: with two hosts, a request in flight on the other host completes', async () => {
    server = await startTestServer({ sandboxHosts: 2 });
    const s = server;
    await s.deploy('spread', SLOW, { concurrency: { max: 4 } });
    await s.deploy('bystander', FAST);
    const pids = s.atoll.sandboxPids();
    expect(pids).toHaveLength(2);

    // Two concurrent invocations: two instances, one on each host (the scheduler spreads them).
    const inFlight = [s.fn('spread'), s.fn('spread')];
    await busyInstances(s, 2);
    process.kill(pids[0]!, 'SIGKILL');
    const results = await Promise.all(inFlight.map(async (p) => {
      const res = await p;
      return res.status === 200 ? `200 ${await res.text()}` : `${res.status} ${await errorCode(res)}`;
    }));
    expect(results.sort()).toEqual(['200 done', '502 WORKER_CRASHED']);

    // Meanwhile and afterwards, everything else is served.
    expect(await (await s.fn('bystander')).text()).toBe('fast');
    await waitFor(() => s.atoll.sandboxPids().length === 2 && !s.atoll.sandboxPids().includes(pids[0]!), 10_000);
    expect(s.atoll.sandboxPids()).toContain(pids[1]);
    await s.atoll.context.hosts.ready();
    const again = await Promise.all([s.fn('spread'), s.fn('spread')]);
    expect(again.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('sandbox host that breaks the protocol', () => {
  // Writes one frame whose JSON head is cut short, then stays alive: only the gateway can end it.
  const GARBAGE = `
    import { writeSync } from 'node:fs';
    const head = Buffer.from('{"id":');
    const frame = Buffer.alloc(9 + head.length);
    frame.writeUInt32LE(5 + head.length, 0);
    frame.writeUInt8(6, 4);
    frame.writeUInt32LE(head.length, 5);
    head.copy(frame, 9);
    writeSync(3, frame);
    setInterval(() => {}, 1000);
  `;

  it('malformed frame: the host is killed and replaced, and the gateway goes on', async () => {
    const pool = new HostPool({
      hosts: 1,
      program: GARBAGE,
      runtimeSource: '',
      init: { defaultMemoryMb: 128, spareIsolates: 0, maxIsolates: 10, startupCpuMs: 100, startupTimeoutMs: 1000, maxResponseBytes: 1024, hostOps: { fetchAllow: [], maxSubrequests: 1 } },
      onLogs: () => {},
      onInstancesLost: () => {},
    });
    // It never says Ready: its start fails.
    const ready = pool.ready().then(() => 'ready', () => 'failed');
    try {
      const [first] = pool.pids();
      const late = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 5_000).unref());
      expect(await Promise.race([ready, late])).toBe('failed');
      expect(() => process.kill(first!, 0)).toThrow();
      // A host that died before it booted is replaced after a short back-off.
      await waitFor(() => pool.restarts >= 1 && pool.pids()[0] !== undefined && pool.pids()[0] !== first, 5_000);
    } finally {
      await pool.close();
    }
  });
});

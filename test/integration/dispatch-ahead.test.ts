/**
 * Dispatch ahead (FunctionPool, AHEAD_WAIT_MS): while short invocations saturate a sandbox
 * host, the scheduler gives a busy instance a few more invocations, which its host holds
 * and starts one after another. A held invocation that never started is never lost: it
 * runs elsewhere when the one before it kills its isolate, runs long, or takes the host
 * down; only what was running fails.
 *
 * The first tests drive a real host through SandboxHost directly, so that invocations are
 * held on one instance for certain; the last ones go through HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { StartedAtoll } from '../../src/gateway/index.ts';
import type { GuestRequest, InvokeResult, SandboxHost } from '../../src/sandbox-host/index.ts';

type Server = TestServer & { atoll: StartedAtoll };
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * `?spin` spins, `?wait=MS` awaits a timer, anything else answers at once; every answer
 * carries the instance's invocation count, so the order they ran in shows.
 */
const WORKLOAD = `
let count = 0;
export default {
  async fetch(request: Request): Promise<Response> {
    count += 1;
    const url = new URL(request.url);
    if (url.searchParams.has('spin')) for (;;) {}
    const wait = Number(url.searchParams.get('wait') ?? 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return new Response(String(count));
  },
};
`;

/** Instance ids far above the scheduler's, so the test's own instances never meet its. */
let nextInstanceId = 1_000_000;

/** An instance of the deployed function `name` on the server's only host, driven by hand. */
async function handInstance(s: Server, name: string): Promise<{ host: SandboxHost; invoke(query: string): Promise<InvokeResult> }> {
  const version = await s.atoll.context.catalog.live(name);
  const host = s.atoll.context.hosts.hosts[0]!;
  const instanceId = nextInstanceId++;
  host.define(version.fnKey, `${version.name}.js`, version.code, version.sourceMap);
  host.create({ instanceId, fnKey: version.fnKey, name: version.name, version: version.version, limits: version.limits, env: {} });
  const invoke = (query: string) => {
    const now = Date.now();
    const request: GuestRequest = {
      kind: 'http', requestId: `test-${now}-${query}`, method: 'GET', url: `http://localhost/${query}`, basePath: '',
      headers: [], sourceIp: '127.0.0.1', timeEpochMs: now, deadlineMs: now + version.limits.timeoutMs,
    };
    return host.invoke(instanceId, request, undefined, now + 60_000);
  };
  return { host, invoke };
}

const text = (result: InvokeResult) => (result.kind === 'response' ? result.body?.toString() : `${result.kind} ${'code' in result ? result.code : ''}`);

describe('dispatch ahead: a sandbox host holding invocations for one instance', () => {
  it('runs the held invocations one after another, in the order they came', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    await server.deploy('ordered', WORKLOAD);
    const { invoke } = await handInstance(server, 'ordered');
    const results = await Promise.all([invoke(''), invoke(''), invoke(''), invoke('')]);
    expect(results.map(text)).toEqual(['1', '2', '3', '4']);
  });

  it('hands back unstarted what waits behind an invocation that runs long, which still completes', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    await server.deploy('patient', WORKLOAD);
    const { invoke } = await handInstance(server, 'patient');
    const long = invoke('?wait=500');
    const held = await Promise.all([invoke(''), invoke('')]);
    for (const result of held) expect(result).toMatchObject({ kind: 'failure', notStarted: true, disposed: false });
    // Neither ran: the long one still counts 1, and the instance serves on.
    expect(text(await long)).toBe('1');
    expect(text(await invoke(''))).toBe('2');
  });

  it('hands back unstarted, as disposed, what waits behind an invocation that blows its CPU limit', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    await server.deploy('spinner', WORKLOAD, { limits: { cpuMs: 50 } });
    const { invoke } = await handInstance(server, 'spinner');
    const [spun, ...held] = await Promise.all([invoke('?spin'), invoke(''), invoke('')]);
    expect(spun).toMatchObject({ kind: 'failure', code: 'CPU_LIMIT_EXCEEDED', disposed: true });
    expect(spun!.kind === 'failure' && spun.notStarted).toBeFalsy();
    for (const result of held) expect(result).toMatchObject({ kind: 'failure', notStarted: true, disposed: true });
  });

  it('when the host is killed, only the running invocation fails: those held behind it come back unstarted', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    await server.deploy('doomed', WORKLOAD, { limits: { cpuMs: 10_000, timeoutMs: 20_000 } });
    const { host, invoke } = await handInstance(server, 'doomed');
    expect(text(await invoke(''))).toBe('1');
    const running = invoke('?spin');
    const held = [invoke(''), invoke('')];
    // The spin holds the host's thread: the held ones cannot be handed back before the kill.
    await new Promise((r) => setTimeout(r, 200));
    process.kill(host.pid!, 'SIGKILL');
    expect(await running).toMatchObject({ kind: 'failure', code: 'WORKER_CRASHED', notStarted: false });
    for (const result of await Promise.all(held)) expect(result).toMatchObject({ kind: 'failure', notStarted: true });
  });

  it('when the host is killed, an invocation that ran is never handed back as unstarted (it would run twice)', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    await server.deploy('twice', WORKLOAD, { limits: { cpuMs: 10_000, timeoutMs: 20_000 } });
    const { host, invoke } = await handInstance(server, 'twice');
    expect(text(await invoke(''))).toBe('1');
    // Sent in one write, so the host reads them together: the first two answer at once,
    // and the spin holds the host until the kill, before their results are flushed as a
    // matter of course (at the end of the turn).
    const ran = [invoke(''), invoke(''), invoke('?spin')];
    await new Promise((r) => setTimeout(r, 200));
    process.kill(host.pid!, 'SIGKILL');
    const results = await Promise.all(ran);
    // Each ran (the spin held the host, so none could be handed back): each either answered
    // or failed as started, never as unstarted, which would have it run again elsewhere.
    for (const result of results) expect(result.kind === 'failure' && result.notStarted).toBeFalsy();
    expect(results[2]).toMatchObject({ kind: 'failure', code: 'WORKER_CRASHED' });
  });
});

describe('a sandbox host that dies', () => {
  it('has its instances forgotten by the scheduler as soon as it is known dead, not once its socket has drained', async () => {
    // The host starts a process that keeps its end of the socket open for 3 s after the host
    // is gone, so the gateway sees the exit long before the socket closes.
    const keepSocket = "--import=data:text/javascript,import{spawn}from'node:child_process';spawn('sleep',['3'],{stdio:['ignore','ignore','ignore',3]}).unref();";
    const saved = process.env.ATOLL_HOST_NODE_OPTIONS;
    process.env.ATOLL_HOST_NODE_OPTIONS = keepSocket;
    try {
      server = await startTestServer({ sandboxHosts: 1 });
    } finally {
      if (saved === undefined) delete process.env.ATOLL_HOST_NODE_OPTIONS;
      else process.env.ATOLL_HOST_NODE_OPTIONS = saved;
    }
    await server.deploy('orphaned', WORKLOAD);
    // Three instances, idle once these are answered.
    await Promise.all([1, 2, 3].map(() => server!.fn('orphaned?wait=100')));
    const { scheduler, hosts } = server.atoll.context;
    expect(scheduler.stats().instances).toBe(3);
    const host = hosts.hosts[0]!;
    process.kill(host.pid!, 'SIGKILL');
    // Checked in the same turn as the exit is seen: a request arriving then must not be
    // handed an idle instance of the dead host (each would be a retry wasted on it).
    const forgotten = await new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        if (host.alive) return;
        clearInterval(poll);
        resolve(scheduler.stats().instances);
      }, 0);
    });
    expect(forgotten).toBe(0);
    // Requests meanwhile get instances on the new host, none a dead one's.
    const answers = await Promise.all([1, 2, 3, 4].map(() => server!.fn('orphaned')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});

describe('dispatch ahead over HTTP', () => {
  /** Sequential warm requests: the pool learns that runs are short next to their leases. */
  async function warm(s: Server, name: string): Promise<void> {
    for (let i = 0; i < 5; i++) expect((await s.fn(name)).status).toBe(200);
  }

  it('requests queued behind a neighbour that blows its CPU limit are answered 200, not WORKER_CRASHED', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    const s = server;
    await s.deploy('neighbour', WORKLOAD, { limits: { cpuMs: 50 }, concurrency: { max: 1 } });
    await warm(s, 'neighbour');
    const spin = s.fn('neighbour?spin');
    const others = Array.from({ length: 3 }, () => s.fn('neighbour'));
    const spun = await spin;
    expect(spun.status).toBe(503);
    expect(((await spun.json()) as any).error.code).toBe('CPU_LIMIT_EXCEEDED');
    expect((await Promise.all(others)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a host crash fails the running request only; the requests queued behind it are served by the new host', async () => {
    server = await startTestServer({ sandboxHosts: 1 });
    const s = server;
    await s.deploy('crashy', WORKLOAD, { limits: { cpuMs: 10_000, timeoutMs: 20_000 }, concurrency: { max: 1 } });
    await warm(s, 'crashy');
    const gatewayPid = await s.gatewayPid();
    const [hostPid] = s.atoll.sandboxPids();
    const running = s.fn('crashy?spin');
    await new Promise((r) => setTimeout(r, 150));
    const others = Array.from({ length: 3 }, () => s.fn('crashy'));
    await new Promise((r) => setTimeout(r, 150));
    process.kill(hostPid!, 'SIGKILL');
    const crashed = await running;
    expect(crashed.status).toBe(502);
    expect(((await crashed.json()) as any).error.code).toBe('WORKER_CRASHED');
    expect((await Promise.all(others)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await s.gatewayPid()).toBe(gatewayPid);
  });
});

/**
 * Runs that hold their sandbox host's thread far past their CPU limit, over and over:
 * - a loop V8 is still interpreting checks for termination only when its tier-up budget runs
 *   out, and V8 sets that budget to ~2^30 while it optimises the function: a function warmed
 *   up and then made to spin keeps its host's thread for ~0.2-2 s after the watchdog's kill
 *   (README, Limits);
 * - a module top level that spins spends the start-up budget (1 s) in every new instance.
 * A tenant could hold the hosts it shares with others that way; after one such run its
 * instances are made on a quarantine host instead (Scheduler, OVERRUN_MS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer } from './attack.ts';

/** `x-warm: N` calls work() N times first (V8 starts optimising it); `x-spin` then spins in it. */
const OFFENDER = `
let calls = 0;
function work(spin) { calls++; if (spin) { for (;;) {} } return calls; }
export default {
  fetch(request) {
    const n = Number(request.headers.get('x-warm') ?? 0);
    for (let i = 0; i < n; i++) work(false);
    if (request.headers.has('x-spin')) work(true);
    return new Response(String(calls));
  },
};`;

type HostView = { pid: number; answered: boolean; instances?: number };

describe('late termination', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('a function warmed up and then spinning while V8 optimises it is moved to a quarantine host, away from other tenants', async () => {
    await deployOk(server, 'victim', 'export default { fetch: () => new Response("fine") }');
    expect((await server.fn('victim')).status).toBe(200);
    await deployOk(server, 'offender', OFFENDER, { limits: { cpuMs: 50 } });
    const regularPids = (await server.api('GET', '/server')).body.sandboxPids as number[];

    // An ordinary runaway, stopped on time, moves nothing.
    await expectError(await server.fn('offender', { headers: { 'x-spin': '1' } }), 503, 'CPU_LIMIT_EXCEEDED');
    expect((await server.api('GET', '/server')).body.sandboxPids).toEqual(regularPids);

    let pids = regularPids;
    for (const warm of [1000, 2000, 3000, 5000, 10000, 1000, 2000, 3000, 5000, 10000]) {
      await expectError(await server.fn('offender', { headers: { 'x-warm': String(warm), 'x-spin': '1' } }), 503, 'CPU_LIMIT_EXCEEDED');
      pids = (await server.api('GET', '/server')).body.sandboxPids;
      if (pids.length > regularPids.length) break;
    }
    expect(pids.length, 'a quarantine host was started').toBe(regularPids.length + 1);
    const quarantinePid = pids.find((p) => !regularPids.includes(p));

    // The offender's next instance runs there; the regular hosts keep only the victim's.
    expect((await server.fn('offender')).status).toBe(200);
    const hosts = (await server.api('GET', '/server')).body.sandboxHosts as HostView[];
    const instancesOn = (match: (h: HostView) => boolean) => hosts.filter(match).reduce((sum, h) => sum + (h.instances ?? 0), 0);
    expect(hosts.every((h) => h.answered)).toBe(true);
    expect(instancesOn((h) => h.pid === quarantinePid)).toBe(1);
    expect(instancesOn((h) => h.pid !== quarantinePid)).toBe(1);
    expect((await server.fn('victim')).status).toBe(200);
    await expectSurvives(server, pid);
  });
});

describe('start-up budget spent at every start', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('a function whose module top level spins (each new instance burns the 1 s start-up budget) is moved to the quarantine host', async () => {
    await deployOk(server, 'spin-at-start', 'for (;;) {}\nexport default { fetch: () => new Response("never") };');
    const regularPids = (await server.api('GET', '/server')).body.sandboxPids as number[];
    await expectError(await server.fn('spin-at-start'), 503, 'CPU_LIMIT_EXCEEDED');
    // The next instance is made on the quarantine host, which starts for it.
    await expectError(await server.fn('spin-at-start'), 503, 'CPU_LIMIT_EXCEEDED');
    const pids = (await server.api('GET', '/server')).body.sandboxPids as number[];
    expect(pids.length).toBe(regularPids.length + 1);
    expect(pids.filter((p) => regularPids.includes(p))).toEqual(regularPids);
    await expectSurvives(server, pid);
  });
});

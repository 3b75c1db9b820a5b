/** Attacks on the CPU limit: loops the watchdog must stop, in code, in microtasks and at start-up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer, worker } from './attack.ts';

describe('CPU exhaustion', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('while(true){} is stopped: 503 CPU_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'spin', worker('while (true) {}'));
    await expectError(await server.fn('spin'), 503, 'CPU_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('a microtask loop (recursive Promise.resolve().then) is stopped: 503 CPU_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'microtasks', worker('const f = () => Promise.resolve().then(f); f(); await new Promise(() => {});'));
    await expectError(await server.fn('microtasks'), 503, 'CPU_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('for(;;) await null is stopped: CPU counts across awaits, 503 CPU_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'await-null', worker('for (;;) await null;'));
    await expectError(await server.fn('await-null'), 503, 'CPU_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('ReDoS /^(a+)+$/ on 40 a\'s and a "!" is stopped: 503 CPU_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'redos', worker('return new Response(String(/^(a+)+$/.test("a".repeat(40) + "!")));'));
    await expectError(await server.fn('redos'), 503, 'CPU_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('await new Promise(() => {}) never settles: 504 FUNCTION_TIMEOUT at timeoutMs', async () => {
    await deployOk(server, 'never', worker('await new Promise(() => {});'), { limits: { timeoutMs: 500 } });
    const started = Date.now();
    await expectError(await server.fn('never'), 504, 'FUNCTION_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    await expectSurvives(server, pid);
  });

  it('throw { get message() { for(;;); } } does not hang: 500 FUNCTION_ERROR', async () => {
    // The runtime reports an uncaught throw without reading the thrown object's accessors
    // (the log says just "Uncaught Error"), so the getter never runs and this is a plain
    // uncaught exception. Were the getter ever run on the host's behalf, the watchdog would
    // still be armed and the answer would be CPU_LIMIT_EXCEEDED, never a hang.
    await deployOk(server, 'throwing-getter', worker('throw { get message() { for (;;); }, get stack() { for (;;); }, get name() { for (;;); } };'));
    const started = Date.now();
    await expectError(await server.fn('throwing-getter'), 500, 'FUNCTION_ERROR');
    expect(Date.now() - started).toBeLessThan(3000);
    await expectSurvives(server, pid);
  });

  it('a module top level that spins forever fails the first request in about a second: 503 CPU_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'top-level-spin', 'export default { fetch: () => new Response("unreachable") };\nfor (;;) {}\n');
    const started = Date.now();
    await expectError(await server.fn('top-level-spin'), 503, 'CPU_LIMIT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(3000);
    await expectSurvives(server, pid);
  });
});

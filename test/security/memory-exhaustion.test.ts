/** Attacks on the memory limit and the stack: heap bombs, huge allocations, runaway recursion. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer, worker } from './attack.ts';

describe('memory exhaustion', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('an array/object allocation bomb hits the heap limit first: 503 MEMORY_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'alloc-bomb', worker('const a = []; for (;;) a.push({ x: [1, 2, 3] });'), { limits: { memoryMb: 16, cpuMs: 5000 } });
    await expectError(await server.fn('alloc-bomb'), 503, 'MEMORY_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('new Array(1e9).fill(0) takes its sandbox host down, not the gateway: 502 WORKER_CRASHED', async () => {
    // V8 cannot interrupt the fill builtin: the watchdog disposes the isolate, the host's
    // main thread stays stuck, and the reaper kills the host. Only this invocation fails.
    await deployOk(server, 'fill-bomb', worker('new Array(1e9).fill(0); return new Response("filled");'));
    const before = (await server.api('GET', '/server')).body;
    await expectError(await server.fn('fill-bomb'), 502, 'WORKER_CRASHED');
    await expectSurvives(server, pid);
    const after = (await server.api('GET', '/server')).body;
    expect(after.sandboxHostRestarts).toBe(before.sandboxHostRestarts + 1);
    expect(after.sandboxPids).not.toEqual(before.sandboxPids);
  });

  it('a doubling string (s += s forever) ends in a RangeError: 500 FUNCTION_ERROR', async () => {
    // V8 caps a string at about 2^29 characters and throws "RangeError: Invalid string length"
    // when s += s would pass it; a flat doubling string reaches the cap after ~29 steps,
    // as a rope of a few hundred bytes (no heap pressure). The exception is the function's
    // own and catchable, so an uncaught one is FUNCTION_ERROR, not a platform limit.
    await deployOk(server, 'string-bomb', worker('let s = "x"; for (;;) s += s;'));
    await expectError(await server.fn('string-bomb'), 500, 'FUNCTION_ERROR');
    await expectSurvives(server, pid);
  });

  it('new ArrayBuffer(2**32) is refused by the allocator: 503 MEMORY_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'array-buffer-bomb', worker('new ArrayBuffer(2 ** 32); return new Response("allocated");'));
    const before = (await server.api('GET', '/server')).body;
    await expectError(await server.fn('array-buffer-bomb'), 503, 'MEMORY_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
    // Not by way of a crashed host: the allocation failure is reported, the host lives on.
    expect((await server.api('GET', '/server')).body.sandboxHostRestarts).toBe(before.sandboxHostRestarts);
  });

  it('unbounded recursion (const f = () => f(); f()) is a RangeError caught by V8: 500 FUNCTION_ERROR', async () => {
    await deployOk(server, 'deep-recursion', worker('const f = () => f(); f();'));
    await expectError(await server.fn('deep-recursion'), 500, 'FUNCTION_ERROR');
    await expectSurvives(server, pid);
  });
});

/**
 * A handler that answers at once but leaves a process spinning behind it, outside every
 * invocation (Lambda would freeze it): the idle check replaces the worker.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { curlBootstrap, settledWorkerProcesses } from '../helpers/workers.ts';
import { startAttackServer } from './attack.ts';
import { deployBootstrap, expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

it('worker leaving a background process spinning after its answer: killed between invocations, canary after, nothing left', async () => {
  await deployBootstrap(server, 'spinner', curlBootstrap('  (while :; do :; done) >/dev/null 2>&1 &\n  RESPONSE="pid=$$"'), { cpuMs: 1000 });
  const first = await server.fn('spinner');
  expect(first.status).toBe(200);
  const firstPid = await first.text();
  // Killed once it has spun for more than max(cpuMs, 200 ms) while idle (checked once a second).
  expect(await settledWorkerProcesses('spinner', 8000)).toEqual([]);
  const { body } = await server.api('GET', '/functions/spinner/logs');
  expect(body.logs.some((l: any) => /between invocations/.test(l.message))).toBe(true);
  const second = await server.fn('spinner');
  expect(second.status).toBe(200);
  expect(await second.text()).not.toBe(firstPid);
  await expectCleanAfter(server, pid, 'spinner', true);
});

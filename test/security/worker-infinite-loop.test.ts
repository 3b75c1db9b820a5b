/** A handler that spins forever is stopped at its CPU limit; the worker and its processes are killed. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { curlBootstrap } from '../helpers/workers.ts';
import { expectError, startAttackServer } from './attack.ts';
import { deployBootstrap, expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

it('worker infinite loop: 503 CPU_LIMIT_EXCEEDED, the canary answers after, nothing left behind', async () => {
  await deployBootstrap(server, 'spin', curlBootstrap('  while :; do :; done'), { cpuMs: 100, timeoutMs: 20_000 });
  await expectError(await server.fn('spin'), 503, 'CPU_LIMIT_EXCEEDED');
  const { body } = await server.api('GET', '/functions/spin/logs');
  expect(body.invocations.map((r: any) => r.outcome)).toEqual(['CPU_LIMIT_EXCEEDED']);
  await expectCleanAfter(server, pid, 'spin');
});

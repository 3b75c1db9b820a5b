/** A handler that never answers: stopped at its timeout. */
import { afterAll, beforeAll, it } from 'vitest';
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

it('worker that never responds: 504 FUNCTION_TIMEOUT, canary after, nothing left', async () => {
  await deployBootstrap(server, 'stuck', curlBootstrap('  sleep 1000'), { timeoutMs: 1000 });
  await expectError(await server.fn('stuck'), 504, 'FUNCTION_TIMEOUT');
  await expectCleanAfter(server, pid, 'stuck');
});

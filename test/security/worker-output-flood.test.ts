/** A handler that floods stdout: its output is slowed to the budget (its writes block), so it runs into its timeout. */
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

it('worker flooding stdout (50 MB): throttled, 504 FUNCTION_TIMEOUT, canary after, nothing left', async () => {
  await deployBootstrap(server, 'chatty', curlBootstrap('  yes "$(printf %0500d 0)" | head -c 50000000'), { cpuMs: 30_000, timeoutMs: 2000 });
  await expectError(await server.fn('chatty'), 504, 'FUNCTION_TIMEOUT');
  const { body } = await server.api('GET', '/functions/chatty/logs?limit=10000');
  expect(body.logs.some((l: any) => /output is slowed down/.test(l.message))).toBe(true);
  // 50 MB is 100,000 lines of 500 bytes; at about 1 MB a second, two seconds let a few thousand through.
  expect(body.logs.length).toBeLessThan(10_000);
  await expectCleanAfter(server, pid, 'chatty');
});

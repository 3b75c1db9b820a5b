/**
 * Fork bombs. RLIMIT_NPROC caps the processes of a worker's uid; the CPU watchdog counts
 * the whole process tree; when the worker ends, every process of its uid is killed, so
 * orphans that left the tree are not left behind either.
 */
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

it('worker fork bomb (hundreds of spinning orphans, each double-forked out of the tree): 503 CPU_LIMIT_EXCEEDED, canary after, nothing left', async () => {
  const bomb = `  awk 'BEGIN { for (i = 0; i < 500; i++) system("sh -c \\"while :; do :; done\\" &") }'; sleep 1000`;
  await deployBootstrap(server, 'forks', curlBootstrap(bomb), { cpuMs: 300, timeoutMs: 20_000 });
  await expectError(await server.fn('forks'), 503, 'CPU_LIMIT_EXCEEDED');
  await expectCleanAfter(server, pid, 'forks');
});

it('worker fork bomb (the classic, whose orphans leave the tree): 504 FUNCTION_TIMEOUT, canary after, nothing left', async () => {
  await deployBootstrap(server, 'classic', curlBootstrap('  bomb() { bomb | bomb & }; bomb; sleep 1000'), { cpuMs: 30_000, timeoutMs: 1500 });
  await expectError(await server.fn('classic'), 504, 'FUNCTION_TIMEOUT');
  await expectCleanAfter(server, pid, 'classic');
});

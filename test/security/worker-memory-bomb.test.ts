/** A handler that grows without bound is stopped at its memory limit and replaced. */
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

it('worker memory bomb (a string doubling in the shell): 503 MEMORY_LIMIT_EXCEEDED, canary after, nothing left', async () => {
  await deployBootstrap(server, 'grow', curlBootstrap('  x=aaaaaaaaaaaaaaaa; while :; do x="$x$x"; done'), { memoryMb: 64, cpuMs: 20_000, timeoutMs: 20_000 });
  await expectError(await server.fn('grow'), 503, 'MEMORY_LIMIT_EXCEEDED');
  await expectCleanAfter(server, pid, 'grow');
});

it('worker memory bomb in a child process (awk building an array): 503 MEMORY_LIMIT_EXCEEDED', async () => {
  await deployBootstrap(server, 'grow-child', curlBootstrap("  awk 'BEGIN { while (1) a[i++] = sprintf(\"%0200d\", i) }'"), { memoryMb: 64, cpuMs: 20_000, timeoutMs: 20_000 });
  await expectError(await server.fn('grow-child'), 503, 'MEMORY_LIMIT_EXCEEDED');
  await expectCleanAfter(server, pid, 'grow-child');
});

it('worker memory bomb in one allocation (100 MB zero-filled at once, limit 64 MB): 503 MEMORY_LIMIT_EXCEEDED, even though the bootstrap lives on', async () => {
  await deployBootstrap(server, 'grow-once', curlBootstrap('  python3 -c "b = bytearray(100 * 1024 * 1024)" || true'), { memoryMb: 64, cpuMs: 20_000, timeoutMs: 20_000 });
  await expectError(await server.fn('grow-once'), 503, 'MEMORY_LIMIT_EXCEEDED');
  await expectCleanAfter(server, pid, 'grow-once');
});

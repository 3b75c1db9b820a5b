/** A bootstrap that exits at once, before asking for work. */
import { afterAll, beforeAll, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { expectError, startAttackServer } from './attack.ts';
import { deployBootstrap, expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

it('worker bootstrap that exits immediately: 502 WORKER_CRASHED, every time, canary after, nothing left', async () => {
  await deployBootstrap(server, 'quits', '#!/bin/sh\necho bye\nexit 3\n');
  await expectError(await server.fn('quits'), 502, 'WORKER_CRASHED');
  await expectError(await server.fn('quits'), 502, 'WORKER_CRASHED');
  await expectCleanAfter(server, pid, 'quits');
});

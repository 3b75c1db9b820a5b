/** A bootstrap that never asks for work: stopped at the start-up timeout. */
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

it('worker bootstrap that never calls /next: 504 FUNCTION_TIMEOUT at the start-up timeout, canary after, nothing left', async () => {
  await deployBootstrap(server, 'mute', '#!/bin/sh\nsleep 1000\n', { timeoutMs: 1000 });
  await expectError(await server.fn('mute'), 504, 'FUNCTION_TIMEOUT');
  await expectCleanAfter(server, pid, 'mute');
});

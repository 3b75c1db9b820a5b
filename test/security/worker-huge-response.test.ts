/** A runtime that posts a 100 MB response: refused with 413 part way through. */
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

it('worker posting a 100 MB response: refused with 413 part way, 502 INVALID_FUNCTION_RESPONSE, canary after, nothing left once deleted', async () => {
  const flood = '  head -c 100000000 /dev/zero | curl -sS -o /dev/null -X POST -H "Transfer-Encoding: chunked" -T - "$API/invocation/$REQUEST_ID/response" || true\n  continue';
  await deployBootstrap(server, 'flood', curlBootstrap(flood), { cpuMs: 30_000 });
  await expectError(await server.fn('flood'), 502, 'INVALID_FUNCTION_RESPONSE');
  const { body } = await server.api('GET', '/functions/flood/logs');
  expect(body.invocations.map((r: any) => r.outcome)).toEqual(['INVALID_FUNCTION_RESPONSE']);
  await expectCleanAfter(server, pid, 'flood', true);
});

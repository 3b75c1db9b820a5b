/**
 * A deploy whose env would load the attacker's code into the root processes that start a
 * worker (prlimit, setpriv, unshare, the Perl relay): LD_PRELOAD, GCONV_PATH, PERL5OPT.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { curlBootstrap } from '../helpers/workers.ts';
import { expectSurvives, startAttackServer } from './attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

it.each([
  ['LD_PRELOAD', '/tmp/evil.so'],
  ['LD_LIBRARY_PATH', '/tmp'],
  ['GCONV_PATH', '/tmp'],
  ['PERL5OPT', '-Mevil'],
  ['LC_ALL', '/tmp/locale'],
])('worker env %s: refused at deploy with 400 INVALID_CONFIG, canary after', async (name, value) => {
  const res = await server.api('PUT', '/functions/loader', { files: { bootstrap: curlBootstrap() }, env: { [name]: value } });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('INVALID_CONFIG');
  await expectSurvives(server, pid);
});

it('the same variables stay allowed for a js function (nothing of it runs outside its isolate)', async () => {
  const res = await server.deploy('loader-js', 'export default { fetch: (r, env) => new Response(env.LD_PRELOAD) }', { env: { LD_PRELOAD: 'x' } });
  expect(res.status).toBe(201);
});

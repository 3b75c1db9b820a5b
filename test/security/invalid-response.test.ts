/** Answers the gateway must refuse: non-Responses, huge bodies, header injection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, procMemory, startAttackServer, worker } from './attack.ts';

describe('invalid function responses', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('fetch returning a function: 502 INVALID_FUNCTION_RESPONSE', async () => {
    await deployOk(server, 'returns-function', worker('return () => new Response("sneaky");'));
    await expectError(await server.fn('returns-function'), 502, 'INVALID_FUNCTION_RESPONSE');
    await expectSurvives(server, pid);
  });

  it('fetch returning a Symbol: 502 INVALID_FUNCTION_RESPONSE', async () => {
    await deployOk(server, 'returns-symbol', worker('return Symbol("x");'));
    await expectError(await server.fn('returns-symbol'), 502, 'INVALID_FUNCTION_RESPONSE');
    await expectSurvives(server, pid);
  });

  it('a 256 MiB response body: 502 INVALID_FUNCTION_RESPONSE, and the gateway never holds it', async () => {
    await deployOk(server, 'huge-body', worker('return new Response(new Uint8Array(256 * 1024 * 1024).fill(120));'), { limits: { memoryMb: 512, cpuMs: 5000 } });
    const before = procMemory(pid);
    await expectError(await server.fn('huge-body'), 502, 'INVALID_FUNCTION_RESPONSE');
    const after = procMemory(pid);
    // The host refuses the body inside the isolate; the gateway's peak RSS does not move by
    // anything like 256 MiB (a copy over IPC would add at least that).
    expect(after.hwmBytes - before.hwmBytes).toBeLessThan(64 * 1024 * 1024);
    await expectSurvives(server, pid);
  });

  it('a Lambda-style header with CR/LF (x-a: a\\r\\nSet-Cookie: evil=1): 502 INVALID_FUNCTION_RESPONSE, no cookie reaches the client', async () => {
    await deployOk(server, 'lambda-crlf', `export async function handler() {
      return { statusCode: 200, headers: { 'x-a': 'a\\r\\nSet-Cookie: evil=1' }, body: 'x' };
    }`);
    const res = await server.fn('lambda-crlf');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-a')).toBeNull();
    await expectError(res, 502, 'INVALID_FUNCTION_RESPONSE');
    await expectSurvives(server, pid);
  });

  it('a Workers-style header with CR/LF (new Response with x-a: a\\r\\nb): the spec Headers throws TypeError, 500 FUNCTION_ERROR', async () => {
    await deployOk(server, 'workers-crlf', worker('return new Response("x", { headers: { "x-a": "a\\r\\nSet-Cookie: evil=1" } });'));
    const res = await server.fn('workers-crlf');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-a')).toBeNull();
    await expectError(res, 500, 'FUNCTION_ERROR');
    await expectSurvives(server, pid);
  });
});

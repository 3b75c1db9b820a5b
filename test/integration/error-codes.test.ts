/**
 * Every error code of design.md §4, provoked for real over HTTP: the status, the code, and
 * the error body `{error: {code, message, requestId}}` with its `x-atoll-request-id` header.
 * And every code the platform can produce is documented in the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/errors/index.ts';
import { REPO_ROOT, startTestServer, TEST_TOKEN, type TestServer } from '../helpers/server.ts';
import type { StartedAtoll } from '../../src/gateway/index.ts';

const OK = 'export default { fetch: () => new Response("ok") }';
const SLEEP = (ms: number) => `export default { async fetch() { await new Promise((r) => setTimeout(r, ${ms})); return new Response("slept"); } }`;

let server: TestServer & { atoll: StartedAtoll };
beforeAll(async () => {
  // No queue: a request past concurrency.max is refused at once.
  server = await startTestServer({ queueDepth: 0 });
  expect((await server.deploy('ok', OK)).status).toBe(201);
});
afterAll(async () => server?.close());

async function expectError(res: Response | { status: number; body: any; headers: Headers }, status: number, code: string): Promise<void> {
  const body = res instanceof Response ? await res.json() : res.body;
  expect({ status: res.status, code: body?.error?.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toMatch(/.+/);
  expect(res.headers.get('x-atoll-request-id')).toBe(body.error.requestId);
}

/** Wait until `n` invocations are running, then a little longer for them to reach their host. */
async function busyInstances(s: typeof server, n: number): Promise<void> {
  const busy = () => s.atoll.context.scheduler.stats().instances - s.atoll.context.scheduler.stats().idle;
  for (let i = 0; i < 200 && busy() < n; i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 150));
}

describe('error codes (design.md §4)', () => {
  it('FUNCTION_NOT_FOUND 404: no such function, or no such version', async () => {
    await expectError(await server.fn('no-such-function'), 404, 'FUNCTION_NOT_FOUND');
    await expectError(await server.fn('ok@7'), 404, 'FUNCTION_NOT_FOUND');
    await expectError(await server.api('GET', '/functions/no-such-function'), 404, 'FUNCTION_NOT_FOUND');
  });

  it('INVALID_FUNCTION_NAME 400: over HTTP and at deploy', async () => {
    await expectError(await server.fn('Not_A_Name'), 400, 'INVALID_FUNCTION_NAME');
    await expectError(await server.api('PUT', '/functions/Not_A_Name', { files: { 'index.ts': OK } }), 400, 'INVALID_FUNCTION_NAME');
  });

  it('INVALID_CONFIG 400: a limit out of range', async () => {
    await expectError(await server.api('PUT', '/functions/bad-config', { files: { 'index.ts': OK }, limits: { memoryMb: -1 } }), 400, 'INVALID_CONFIG');
  });

  it('COMPILE_ERROR 400: a syntax error', async () => {
    await expectError(await server.api('PUT', '/functions/bad-syntax', { files: { 'index.ts': 'export default {' } }), 400, 'COMPILE_ERROR');
  });

  it('INVALID_BUNDLE 400: an import of a package that is not in the deploy', async () => {
    await expectError(await server.api('PUT', '/functions/bad-bundle', { files: { 'index.ts': 'import leftPad from "left-pad";\nexport default { fetch: () => new Response(leftPad("x", 3)) };' } }), 400, 'INVALID_BUNDLE');
  });

  it('UNAUTHORIZED 401: a wrong token', async () => {
    const res = await fetch(`${server.url}/api/functions`, { headers: { authorization: `Bearer not-${TEST_TOKEN}` } });
    await expectError(res, 401, 'UNAUTHORIZED');
  });

  it('PAYLOAD_TOO_LARGE 413: a request body over 6 MiB', async () => {
    const res = await server.fn('ok', { method: 'POST', body: new Uint8Array(6 * 1024 * 1024 + 1) });
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('TOO_MANY_REQUESTS 429: concurrency limit reached and queue full', async () => {
    await server.deploy('one-at-a-time', SLEEP(500), { concurrency: { max: 1 } });
    const [a, b] = await Promise.all([server.fn('one-at-a-time'), server.fn('one-at-a-time')]);
    const [served, refused] = a.status === 200 ? [a, b] : [b, a];
    expect(served.status).toBe(200);
    await expectError(refused, 429, 'TOO_MANY_REQUESTS');
  });

  it('FUNCTION_ERROR 500: an uncaught exception', async () => {
    await server.deploy('throws', 'export default { fetch() { throw new TypeError("nope"); } }');
    await expectError(await server.fn('throws'), 500, 'FUNCTION_ERROR');
  });

  it('INVALID_FUNCTION_RESPONSE 502: fetch returns something that is not a Response', async () => {
    await server.deploy('not-a-response', 'export default { fetch() { return "just a string" as any; } }');
    await expectError(await server.fn('not-a-response'), 502, 'INVALID_FUNCTION_RESPONSE');
  });

  it('INVALID_FUNCTION_RESPONSE 502: a Lambda statusCode out of range', async () => {
    await server.deploy('bad-status', 'export async function handler() { return { statusCode: 42, body: "x" }; }');
    await expectError(await server.fn('bad-status'), 502, 'INVALID_FUNCTION_RESPONSE');
  });

  it('WORKER_CRASHED 502: the sandbox host dies during the invocation', async () => {
    await server.deploy('crash-victim', SLEEP(1000));
    const pending = server.fn('crash-victim');
    await busyInstances(server, 1);
    process.kill(server.atoll.sandboxPids()[0]!, 'SIGKILL');
    await expectError(await pending, 502, 'WORKER_CRASHED');
    // Let the replacement host come up before the next tests.
    for (let i = 0; i < 100 && !(server.atoll.context.hosts.hosts.every((h) => h.alive) && server.atoll.sandboxPids().length === 1); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.atoll.context.hosts.ready();
  });

  it('CPU_LIMIT_EXCEEDED 503: an endless loop', async () => {
    await server.deploy('spins', 'export default { fetch() { for (;;) {} } }', { limits: { cpuMs: 50 } });
    await expectError(await server.fn('spins'), 503, 'CPU_LIMIT_EXCEEDED');
  });

  it('MEMORY_LIMIT_EXCEEDED 503: allocation past memoryMb', async () => {
    await server.deploy('hoards', 'const keep: unknown[] = [];\nexport default { fetch() { for (;;) keep.push(new Array(1e5).fill({ a: Math.random() })); } }', {
      limits: { memoryMb: 32, cpuMs: 10_000 },
    });
    await expectError(await server.fn('hoards'), 503, 'MEMORY_LIMIT_EXCEEDED');
  });

  it('FUNCTION_TIMEOUT 504: an await that never settles', async () => {
    await server.deploy('hangs', 'export default { fetch() { return new Promise<Response>(() => {}); } }', { limits: { timeoutMs: 300 } });
    await expectError(await server.fn('hangs'), 504, 'FUNCTION_TIMEOUT');
  });

  it('the server keeps serving after all of them', async () => {
    const res = await server.fn('ok');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
  });
});

describe('documentation', () => {
  it('every error code the platform produces is documented in README.md', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const undocumented = Object.keys(ERROR_STATUS).filter((code) => !new RegExp(`\\b${code}\\b`).test(readme));
    expect(undocumented).toEqual([]);
  });
});

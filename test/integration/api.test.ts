/**
 * The management API over real HTTP (design.md §3, §4): deploy, list, describe, versions,
 * rollback, delete, direct invoke, logs and metering, auth, deploy-time errors, function
 * errors, the error body, health and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_TOKEN, type TestServer, logsUntil } from '../helpers/server.ts';

const text = (s: string) => `export default { fetch: () => new Response(${JSON.stringify(s)}) }`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());


/** Every platform error: `{error: {code, message, requestId}}` and the id in the header. */
async function expectError(res: Response | { status: number; body: any; headers: Headers }, status: number, code: string): Promise<any> {
  const body = res instanceof Response ? await res.json() : res.body;
  expect(res.status).toBe(status);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toMatch(/.+/);
  expect(res.headers.get('x-atoll-request-id')).toBe(body.error.requestId);
  return body;
}

describe('deploy, list, describe, versions', () => {
  it('deploy: the first deploy is 201, the next 200 with the next version', async () => {
    const first = await server.deploy('lifecycle', text('v1'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'lifecycle', version: 1 });
    const second = await server.deploy('lifecycle', text('v2'));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ name: 'lifecycle', version: 2 });
    expect(await (await server.fn('lifecycle')).text()).toBe('v2');
  });

  it('list: includes the deployed function with its live version', async () => {
    const { status, body } = await server.api('GET', '/functions');
    expect(status).toBe(200);
    expect(body.functions).toContainEqual(expect.objectContaining({ name: 'lifecycle', liveVersion: 2 }));
  });

  it('describe: names the live version', async () => {
    const { status, body } = await server.api('GET', '/functions/lifecycle');
    expect(status).toBe(200);
    expect(body.name).toBe('lifecycle');
    expect(body.liveVersion).toBe(2);
    expect(body.live).toMatchObject({ version: 2, live: true, style: 'workers' });
  });

  it('versions: lists every version, the live one marked', async () => {
    const { status, body } = await server.api('GET', '/functions/lifecycle/versions');
    expect(status).toBe(200);
    expect(body.versions.map((v: any) => v.version).sort()).toEqual([1, 2]);
    expect(body.versions.find((v: any) => v.live).version).toBe(2);
  });

  it('rollback: repoints live, and /fn/name serves the old code', async () => {
    const { status, body } = await server.api('POST', '/functions/lifecycle/rollback', { version: 1 });
    expect(status).toBe(200);
    expect(body.liveVersion).toBe(1);
    expect((await server.api('GET', '/functions/lifecycle')).body.liveVersion).toBe(1);
    expect(await (await server.fn('lifecycle')).text()).toBe('v1');
  });

  it('rollback: to a version that does not exist is FUNCTION_NOT_FOUND', async () => {
    await expectError(await server.api('POST', '/functions/lifecycle/rollback', { version: 42 }), 404, 'FUNCTION_NOT_FOUND');
  });

  it('delete: removes the function, which is then FUNCTION_NOT_FOUND everywhere', async () => {
    expect((await server.deploy('doomed', text('bye'))).status).toBe(201);
    expect(await (await server.fn('doomed')).text()).toBe('bye');
    expect((await server.api('DELETE', '/functions/doomed')).status).toBe(200);
    await expectError(await server.api('GET', '/functions/doomed'), 404, 'FUNCTION_NOT_FOUND');
    await expectError(await server.fn('doomed'), 404, 'FUNCTION_NOT_FOUND');
    await expectError(await server.api('DELETE', '/functions/doomed'), 404, 'FUNCTION_NOT_FOUND');
    expect((await server.api('GET', '/functions')).body.functions.map((f: any) => f.name)).not.toContain('doomed');
  });
});

describe('direct invoke', () => {
  it('invoke: passes the event to a Lambda handler and returns its result', async () => {
    await server.deploy('direct-lambda', 'export async function handler(event: any) { return { got: event, sum: event.a + event.b }; }');
    const { status, body } = await server.api('POST', '/functions/direct-lambda/invoke', { a: 2, b: 3 });
    expect(status).toBe(200);
    expect(body).toEqual({ got: { a: 2, b: 3 }, sum: 5 });
  });

  it('invoke: posts the event to a Workers fetch handler and returns its JSON answer', async () => {
    await server.deploy('direct-workers', 'export default { async fetch(r: Request) { const e = await r.json(); return Response.json({ doubled: e.n * 2 }); } }');
    const { status, body } = await server.api('POST', '/functions/direct-workers/invoke', { n: 21 });
    expect(status).toBe(200);
    expect(body).toEqual({ doubled: 42 });
  });

  it('invoke: an unknown function is FUNCTION_NOT_FOUND', async () => {
    await expectError(await server.api('POST', '/functions/nobody-here/invoke', {}), 404, 'FUNCTION_NOT_FOUND');
  });
});

describe('logs and metering', () => {
  it('logs: console lines carry the invocation request id, which is the x-atoll-request-id header', async () => {
    await server.deploy('chatty', 'export default { fetch(r: Request) { console.log("hello from", r.url); return new Response("ok"); } }');
    const res = await server.fn('chatty/first');
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-atoll-request-id');
    expect(requestId).toMatch(/.+/);
    const body = await logsUntil(server, 'chatty', (b) => b.logs?.some((l: any) => l.requestId === requestId));
    const line = body.logs.find((l: any) => l.requestId === requestId);
    expect(line.message).toContain('/first');
    expect(line.level).toBe('log');
  });

  it('logs: invocation records are complete, cold then warm, newest last', async () => {
    await server.deploy('metered', text('m'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await server.fn('metered');
      expect(res.status).toBe(200);
      ids.push(res.headers.get('x-atoll-request-id')!);
    }
    const body = await logsUntil(server, 'metered', (b) => b.invocations?.length >= 3);
    const records = body.invocations;
    expect(records.map((r: any) => r.requestId)).toEqual(ids);
    for (const r of records) {
      expect(r).toMatchObject({ function: 'metered', version: 1, memoryMb: 128, outcome: 'OK' });
      expect(Number.isNaN(Date.parse(r.startTime))).toBe(false);
      expect(r.wallMs).toBeGreaterThanOrEqual(0);
      expect(r.cpuMs).toBeGreaterThanOrEqual(0);
      expect(r.billedMs).toBeGreaterThanOrEqual(r.wallMs);
    }
    expect(records.map((r: any) => r.cold)).toEqual([true, false, false]);
  });

  it('billing: billed time is wall time rounded up to the granularity', async () => {
    const billed = await startTestServer({ billingGranularityMs: 100 });
    try {
      await billed.deploy('slowish', 'export default { async fetch() { await new Promise((r) => setTimeout(r, 30)); return new Response("x"); } }');
      for (let i = 0; i < 3; i++) expect((await billed.fn('slowish')).status).toBe(200);
      let records: any[] = [];
      for (let i = 0; i < 40 && records.length < 3; i++) {
        records = (await billed.api('GET', '/functions/slowish/logs')).body.invocations;
        if (records.length < 3) await new Promise((r) => setTimeout(r, 50));
      }
      expect(records).toHaveLength(3);
      for (const r of records) {
        expect(r.billedMs % 100).toBe(0);
        expect(r.billedMs).toBeGreaterThanOrEqual(r.wallMs);
        expect(r.billedMs - r.wallMs).toBeLessThan(100);
      }
    } finally {
      await billed.close();
    }
  });
});

describe('auth', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/functions'],
    ['PUT', '/functions/secured', { files: { 'index.ts': text('no') } }],
    ['GET', '/functions/lifecycle'],
    ['DELETE', '/functions/lifecycle'],
    ['GET', '/functions/lifecycle/versions'],
    ['POST', '/functions/lifecycle/rollback', { version: 1 }],
    ['POST', '/functions/lifecycle/invoke', {}],
    ['GET', '/functions/lifecycle/logs'],
    ['GET', '/server'],
  ];

  for (const [method, path, body] of routes) {
    it(`${method} /api${path} without a token or with a wrong one is UNAUTHORIZED`, async () => {
      for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Basic ${TEST_TOKEN}`, TEST_TOKEN]) {
        const res = await fetch(`${server.url}/api${path}`, {
          method,
          headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        await expectError(res, 401, 'UNAUTHORIZED');
      }
    });
  }

  it('nothing was changed by the unauthorized calls', async () => {
    expect((await server.api('GET', '/functions/lifecycle')).status).toBe(200);
    await expectError(await server.api('GET', '/functions/secured'), 404, 'FUNCTION_NOT_FOUND');
  });
});

describe('deploy errors', () => {
  it('deploy: a TypeScript syntax error in a nested file is COMPILE_ERROR at its file, line and column; the previous version keeps serving', async () => {
    expect((await server.deploy('compiles', text('good'))).status).toBe(201);
    const res = await server.api('PUT', '/functions/compiles', {
      files: {
        'index.ts': 'import { f } from "./lib/util.ts";\nexport default { fetch: () => new Response(f()) };\n',
        'lib/util.ts': 'export function f(): string {\n  return "x";\n}\nconst broken: number = (1 + ;\n',
      },
    });
    const body = await expectError(res, 400, 'COMPILE_ERROR');
    const [first] = body.error.details.errors;
    expect(first.file).toBe('lib/util.ts');
    expect(first.line).toBe(4);
    expect(first.column).toBe(29);
    expect(await (await server.fn('compiles')).text()).toBe('good');
    expect((await server.api('GET', '/functions/compiles')).body.liveVersion).toBe(1);
    expect((await server.api('GET', '/functions/compiles/versions')).body.versions).toHaveLength(1);
  });

  it('deploy: a bare package import is INVALID_BUNDLE', async () => {
    await expectError(await server.api('PUT', '/functions/bare', { files: { 'index.ts': 'import _ from "lodash";\nexport default { fetch: () => new Response(_.VERSION) };' } }), 400, 'INVALID_BUNDLE');
  });

  it('deploy: cpuMs over the server maximum is INVALID_CONFIG', async () => {
    await expectError(await server.api('PUT', '/functions/greedy', { files: { 'index.ts': text('x') }, limits: { cpuMs: 10_000_000 } }), 400, 'INVALID_CONFIG');
  });

  it('deploy: an unknown limit is INVALID_CONFIG', async () => {
    await expectError(await server.api('PUT', '/functions/greedy', { files: { 'index.ts': text('x') }, limits: { gpuCount: 1 } }), 400, 'INVALID_CONFIG');
  });

  it('deploy: an invalid name is INVALID_FUNCTION_NAME', async () => {
    for (const name of ['Upper', '-dash-first', 'a_b', 'x'.repeat(64)]) {
      await expectError(await server.api('PUT', `/functions/${name}`, { files: { 'index.ts': text('x') } }), 400, 'INVALID_FUNCTION_NAME');
    }
  });
});

describe('function errors', () => {
  it('an uncaught exception is FUNCTION_ERROR without the stack; the logs carry the stack at the user file and line', async () => {
    await server.deploy('thrower', {
      'index.ts': 'export default {\n  fetch(): Response {\n    throw new Error("kaboom-secret");\n  },\n};\n',
    });
    const res = await server.fn('thrower');
    const body = await expectError(res, 500, 'FUNCTION_ERROR');
    const raw = JSON.stringify(body);
    expect(raw).not.toContain('index.ts');
    expect(raw).not.toMatch(/\n\s+at /);
    expect(raw).not.toContain('    at ');
    const logs = await logsUntil(server, 'thrower', (b) => b.logs?.some((l: any) => l.requestId === body.error.requestId));
    const line = logs.logs.find((l: any) => l.requestId === body.error.requestId);
    expect(line.message).toContain('kaboom-secret');
    expect(line.message).toContain('index.ts:3');
  });
});

describe('health and metrics', () => {
  it('/healthz and /readyz answer 200', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('/metrics is Prometheus text with atoll_invocations_total', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toMatch(/^# (HELP|TYPE) atoll_invocations_total/m);
    expect(body).toMatch(/^atoll_invocations_total\{[^}]*\} \d+/m);
  });

  it('an unknown route is a JSON error with the request id header', async () => {
    await expectError(await fetch(`${server.url}/no/such/route`), 404, 'NOT_FOUND');
  });
});

/**
 * The Runtime API listener of one worker, driven by a real HTTP client: the 2018-06-01
 * protocol and the status codes AWS gives for wrong ids, second answers, malformed and
 * oversized bodies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { RuntimeApi, type ApiInvocation, type ReportedError } from '../../src/workers/index.ts';

interface Seen {
  next: number;
  responses: [string, string][];
  errors: [string, ReportedError][];
  initErrors: ReportedError[];
  tooLarge: [string, number][];
  abandoned: string[];
}

const started: RuntimeApi[] = [];

afterEach(() => {
  for (const api of started.splice(0)) api.close();
});

async function start(maxResponseBytes = 1024, uid?: number): Promise<{ api: RuntimeApi; seen: Seen; base: string }> {
  const seen: Seen = { next: 0, responses: [], errors: [], initErrors: [], tooLarge: [], abandoned: [] };
  const api = await RuntimeApi.listen({
    maxResponseBytes,
    uid,
    events: {
      next: () => seen.next++,
      response: (id, body) => seen.responses.push([id, body.toString('utf8')]),
      error: (id, error) => seen.errors.push([id, error]),
      initError: (error) => seen.initErrors.push(error),
      tooLarge: (id, bytes) => seen.tooLarge.push([id, bytes]),
      abandoned: (id) => seen.abandoned.push(id),
    },
  });
  started.push(api);
  return { api, seen, base: `http://${api.address}/2018-06-01/runtime` };
}

function invocation(requestId: string, extra: Partial<ApiInvocation> = {}): ApiInvocation {
  return {
    requestId, deadlineMs: 1_900_000_000_000, functionArn: 'arn:aws:lambda:atoll:000000000000:function:f:1', traceId: 'Root=1-0-0',
    clientContext: undefined, cognitoIdentity: undefined, body: Buffer.from('{"e":1}'), ...extra,
  };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers });

describe('runtime API: /next', () => {
  it('long-polls until an invocation is dispatched, then hands it over with the Lambda-Runtime headers', async () => {
    const { api, base, seen } = await start();
    const next = fetch(`${base}/invocation/next`);
    await new Promise((r) => setTimeout(r, 50));
    expect(api.waiting).toBe(true);
    api.dispatch(invocation('req-1'));
    const res = await next;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"e":1}');
    expect(res.headers.get('lambda-runtime-aws-request-id')).toBe('req-1');
    expect(res.headers.get('lambda-runtime-deadline-ms')).toBe('1900000000000');
    expect(res.headers.get('lambda-runtime-invoked-function-arn')).toBe('arn:aws:lambda:atoll:000000000000:function:f:1');
    expect(res.headers.get('lambda-runtime-trace-id')).toBe('Root=1-0-0');
    expect(res.headers.has('lambda-runtime-client-context')).toBe(false);
    expect(res.headers.has('lambda-runtime-cognito-identity')).toBe(false);
    expect(seen.next).toBe(1);
  });

  it('an invocation dispatched before /next is handed over at once; client context and identity when present', async () => {
    const { api, base } = await start();
    api.dispatch(invocation('req-2', { clientContext: '{"custom":{"a":1}}', cognitoIdentity: '{"cognitoIdentityId":"x"}' }));
    const res = await fetch(`${base}/invocation/next`);
    expect(res.headers.get('lambda-runtime-client-context')).toBe('{"custom":{"a":1}}');
    expect(res.headers.get('lambda-runtime-cognito-identity')).toBe('{"cognitoIdentityId":"x"}');
  });

  it('a second /next while one waits is 403; /next without answering abandons the invocation', async () => {
    const { api, base, seen } = await start();
    const first = fetch(`${base}/invocation/next`);
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${base}/invocation/next`)).status).toBe(403);
    api.dispatch(invocation('req-3'));
    await (await first).text();
    const again = fetch(`${base}/invocation/next`);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.abandoned).toEqual(['req-3']);
    expect((await post(`${base}/invocation/req-3/response`, '1')).status).toBe(403);
    api.close();
    await again.catch(() => {});
  });
});

describe('runtime API: answers', () => {
  async function holding(requestId: string, maxResponseBytes?: number) {
    const started = await start(maxResponseBytes);
    started.api.dispatch(invocation(requestId));
    await (await fetch(`${started.base}/invocation/next`)).text();
    return started;
  }

  it('response: 202, then 403 for a second answer to the same id (response or error)', async () => {
    const { base, seen } = await holding('r1');
    const res = await post(`${base}/invocation/r1/response`, '{"ok":true}');
    expect(res.status).toBe(202);
    expect(seen.responses).toEqual([['r1', '{"ok":true}']]);
    expect((await post(`${base}/invocation/r1/response`, '{}')).status).toBe(403);
    expect((await post(`${base}/invocation/r1/error`, '{}')).status).toBe(403);
  });

  it('an id that is not the invocation in progress is 400 InvalidRequestID', async () => {
    const { base, seen } = await holding('r2');
    const res = await post(`${base}/invocation/someone-else/response`, '{}');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorType: 'InvalidRequestID' });
    expect((await post(`${base}/invocation/someone-else/error`, '{}')).status).toBe(400);
    expect(seen.responses).toEqual([]);
  });

  it('error: AWS error format with the Lambda-Runtime-Function-Error-Type header', async () => {
    const { base, seen } = await holding('r3');
    const res = await post(`${base}/invocation/r3/error`, JSON.stringify({ errorMessage: 'boom', errorType: 'ValueError', stackTrace: ['a', 'b'] }), { 'lambda-runtime-function-error-type': 'Unhandled' });
    expect(res.status).toBe(202);
    expect(seen.errors).toEqual([['r3', { errorMessage: 'boom', errorType: 'ValueError', stackTrace: ['a', 'b'] }]]);
  });

  it('error: a malformed body is still accepted, its type taken from the header as AWS does', async () => {
    const { base, seen } = await holding('r4');
    expect((await post(`${base}/invocation/r4/error`, 'not json', { 'lambda-runtime-function-error-type': 'Runtime.Crash' })).status).toBe(202);
    expect(seen.errors[0]![1]).toMatchObject({ errorType: 'Runtime.Crash', errorMessage: 'not json', stackTrace: [] });
  });

  it('a response over the limit is 413 (declared length or streamed), and the invocation fails', async () => {
    const { base, seen } = await holding('r5', 1024);
    expect((await post(`${base}/invocation/r5/response`, 'x'.repeat(2048))).status).toBe(413);
    expect(seen.tooLarge).toEqual([['r5', 2048]]);
    expect(seen.responses).toEqual([]);
  });

  it('a chunked response over the limit is cut off with 413', async () => {
    const { base, seen, api: server } = await holding('r6', 1024);
    const { port } = new URL(base);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/2018-06-01/runtime/invocation/r6/response', headers: { 'transfer-encoding': 'chunked' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('y'.repeat(512));
    });
    expect(status).toBe(413);
    expect(seen.tooLarge.map(([id]) => id)).toEqual(['r6']);
    server.close();
  });

  it('init/error: 202 before the first /next, 403 after it', async () => {
    const { base, seen } = await start();
    expect((await post(`${base}/init/error`, JSON.stringify({ errorMessage: 'no module', errorType: 'Runtime.ImportModuleError' }))).status).toBe(202);
    expect(seen.initErrors).toEqual([{ errorMessage: 'no module', errorType: 'Runtime.ImportModuleError', stackTrace: [] }]);
    const second = await start();
    second.api.dispatch(invocation('r7'));
    await (await fetch(`${second.base}/invocation/next`)).text();
    expect((await post(`${second.base}/init/error`, '{}')).status).toBe(403);
  });

  it('unknown paths and methods are 404', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/invocation/next`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/invocation/x/response`)).status).toBe(404);
    expect((await fetch(`${base.replace('2018-06-01', '2020-01-01')}/invocation/next`)).status).toBe(404);
  });
});

describe('runtime API: one worker, one listener', () => {
  it('a listener bound to a worker uid drops connections from any other uid', async () => {
    const { base } = await start(1024, 54321);
    await expect(fetch(`${base}/invocation/next`)).rejects.toThrow();
  });
});

/**
 * ctx.waitUntil (issue 3): work a Workers-style function hands to waitUntil runs after the
 * response is sent, keeps its instance busy until it settles, is bounded by the
 * wall-clock limit, and is logged and metered with the invocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, logsUntil } from '../helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());


describe('ctx.waitUntil', () => {
  it('waitUntil: work after the response runs to completion, logged under the request id and metered with it', async () => {
    await server.deploy('late', `
      export default {
        fetch(request: Request, env: unknown, ctx: any) {
          ctx.waitUntil(new Promise((r) => setTimeout(r, 100)).then(() => console.log('late work done')));
          return new Response('early');
        },
      };`);
    const res = await server.fn('late');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('early');
    const requestId = res.headers.get('x-atoll-request-id');
    const body = await logsUntil(server, 'late', (b) => b.invocations?.length >= 1 && b.logs?.some((l: any) => l.message === 'late work done'));
    expect(body.logs.find((l: any) => l.message === 'late work done').requestId).toBe(requestId);
    const record = body.invocations.find((r: any) => r.requestId === requestId);
    expect(record.outcome).toBe('OK');
    // The record covers the waitUntil work: its 100 ms timer had to fire before the invocation ended.
    expect(record.wallMs).toBeGreaterThanOrEqual(100);
  });

  it('waitUntil: the instance serves no other request until the work has settled', async () => {
    await server.deploy('single', `
      let pending = 0;
      export default {
        fetch(request: Request, env: unknown, ctx: any) {
          if (new URL(request.url).pathname === '/check') return new Response(String(pending));
          pending++;
          ctx.waitUntil(new Promise((r) => setTimeout(r, 150)).then(() => { pending--; }));
          return new Response('started');
        },
      };`, { concurrency: { max: 1 } });
    expect(await (await server.fn('single/start')).text()).toBe('started');
    // With one instance at most, /check waits for it: the waitUntil work of /start is over by then.
    expect(await (await server.fn('single/check')).text()).toBe('0');
  });

  it('waitUntil: a rejected promise is logged as an error and does not change the response', async () => {
    await server.deploy('rejects', `
      export default {
        fetch(request: Request, env: unknown, ctx: any) {
          ctx.waitUntil(Promise.reject(new RangeError('background failure')));
          return new Response('fine');
        },
      };`);
    const res = await server.fn('rejects');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('fine');
    const requestId = res.headers.get('x-atoll-request-id');
    const body = await logsUntil(server, 'rejects', (b) => b.logs?.some((l: any) => l.requestId === requestId && l.level === 'error'));
    const line = body.logs.find((l: any) => l.requestId === requestId && l.level === 'error');
    expect(line.message).toContain('RangeError');
  });

  it('waitUntil: work that never settles is cut off at the wall-clock limit; the next request gets a fresh instance', async () => {
    await server.deploy('forever', `
      export default {
        fetch(request: Request, env: unknown, ctx: any) {
          ctx.waitUntil(new Promise(() => {}));
          return new Response('answered');
        },
      };`, { limits: { timeoutMs: 300 } });
    const first = await server.fn('forever');
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('answered');
    const requestId = first.headers.get('x-atoll-request-id');
    const body = await logsUntil(server, 'forever', (b) => b.invocations?.some((r: any) => r.requestId === requestId));
    expect(body.invocations.find((r: any) => r.requestId === requestId).outcome).toBe('FUNCTION_TIMEOUT');
    const second = await server.fn('forever');
    expect(second.status).toBe(200);
    const again = await logsUntil(server, 'forever', (b) => b.invocations?.some((r: any) => r.requestId === second.headers.get('x-atoll-request-id')));
    expect(again.invocations.find((r: any) => r.requestId === second.headers.get('x-atoll-request-id')).cold).toBe(true);
  });

  it('waitUntil: direct invokes keep the instance for waitUntil work too', async () => {
    await server.deploy('direct', `
      let pending = 0;
      export default {
        async fetch(request: Request, env: unknown, ctx: any) {
          const event = await request.json();
          if (event.check) return Response.json({ pending });
          pending++;
          ctx.waitUntil(new Promise((r) => setTimeout(r, 150)).then(() => { pending--; }));
          return Response.json({ started: true });
        },
      };`, { concurrency: { max: 1 } });
    expect((await server.api('POST', '/functions/direct/invoke', {})).body).toEqual({ started: true });
    expect((await server.api('POST', '/functions/direct/invoke', { check: true })).body).toEqual({ pending: 0 });
  });
});

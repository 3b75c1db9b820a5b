/**
 * Rejections and exceptions as Workers reports them: a promise rejected without a handler
 * is logged and the request goes on (it may be handled later); a thrown DOMException is
 * logged with its name and message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsUntil, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

/** The log lines of `requestId`, once there are some. */
async function logsFor(name: string, requestId: string | null): Promise<any[]> {
  const body = await logsUntil(server, name, (b) => b.logs?.some((l: any) => l.requestId === requestId));
  return (body.logs ?? []).filter((l: any) => l.requestId === requestId);
}

describe('unhandled rejections', () => {
  it('a rejection handled only after a timer is not a crash: 200, and the instance is kept warm', async () => {
    await server.deploy('late-catch', `
      export default {
        async fetch() {
          const p = Promise.reject(new Error('handled later'));
          await new Promise((r) => setTimeout(r, 5));
          try { await p; } catch (e) { return new Response('caught ' + e.message); }
          return new Response('not reached');
        },
      };`);
    const first = await server.fn('late-catch');
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('caught handled later');
    const lines = await logsFor('late-catch', first.headers.get('x-atoll-request-id'));
    expect(lines.some((l) => l.level === 'error' && l.message.includes('handled later'))).toBe(true);
    const second = await server.fn('late-catch');
    expect(second.status).toBe(200);
    const { body } = await server.api('GET', '/functions/late-catch/logs');
    expect(body.invocations.map((r: any) => r.cold)).toEqual([true, false]);
  });

  it('a rejection never handled is logged; the response the function returns is still served', async () => {
    await server.deploy('dangling', `
      export default {
        fetch() {
          Promise.reject(new TypeError('nobody listens'));
          return new Response('fine');
        },
      };`);
    const res = await server.fn('dangling');
    expect(res.status).toBe(200);
    const lines = await logsFor('dangling', res.headers.get('x-atoll-request-id'));
    expect(lines.find((l) => l.level === 'error').message).toContain('nobody listens');
  });

  it('an uncaught DOMException is logged with its name and message', async () => {
    await server.deploy('dom-error', 'export default { fetch() { throw new DOMException("the key is wrong", "DataError"); } }');
    const res = await server.fn('dom-error');
    expect(res.status).toBe(500);
    expect((await res.json() as any).error.code).toBe('FUNCTION_ERROR');
    const lines = await logsFor('dom-error', res.headers.get('x-atoll-request-id'));
    expect(lines[0].message).toMatch(/^Uncaught DataError: the key is wrong/);
  });
});

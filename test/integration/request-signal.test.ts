/**
 * `request.signal` of a Workers-style function follows its HTTP client: it aborts (an
 * AbortError DOMException) when the client disconnects before the response is out, and
 * never while the client waits. Real server, real HTTP client that really goes away.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsUntil, startTestServer, type TestServer } from '../helpers/server.ts';

/** GET /fn/{path} and drop the connection after `afterMs`, without reading an answer. */
function disconnectAfter(server: TestServer, path: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(`${server.url}/fn/${path}`);
    req.on('error', () => {});
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

const logged = (body: any, text: string): boolean => body.logs?.some((l: { message: string }) => l.message === text);

describe('request.signal', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('aborts with an AbortError when the client disconnects while the function awaits, and its listener runs', async () => {
    expect((await server.deploy('waits-for-abort', `export default { async fetch(request) {
      await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      console.log('aborted: ' + request.signal.reason.name);
      return new Response('nobody is listening');
    } }`, { limits: { timeoutMs: 10_000 } })).status).toBe(201);
    await disconnectAfter(server, 'waits-for-abort', 300);
    const logs = await logsUntil(server, 'waits-for-abort', (b) => logged(b, 'aborted: AbortError'));
    expect(logged(logs, 'aborted: AbortError')).toBe(true);
  });

  it('read for the first time after the client left, the signal is already aborted', async () => {
    expect((await server.deploy('reads-late', `export default { async fetch(request) {
      await new Promise((resolve) => setTimeout(resolve, 800));
      console.log('aborted later: ' + request.signal.aborted);
      return new Response('late');
    } }`)).status).toBe(201);
    await disconnectAfter(server, 'reads-late', 200);
    const logs = await logsUntil(server, 'reads-late', (b) => b.logs?.some((l: { message: string }) => l.message.startsWith('aborted later')));
    expect(logged(logs, 'aborted later: true')).toBe(true);
  });

  it('a client that waits for the answer: the signal never aborts', async () => {
    expect((await server.deploy('patient', `export default { async fetch(request) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return new Response(String(request.signal.aborted));
    } }`)).status).toBe(201);
    const res = await server.fn('patient');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('false');
  });
});

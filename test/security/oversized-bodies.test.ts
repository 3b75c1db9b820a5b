/** Request bodies past their limits, declared or streamed, and a pathologically deep JSON body. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer, worker } from './attack.ts';

const MiB = 1024 * 1024;

describe('oversized bodies', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
    await deployOk(server, 'echo-length', worker('return new Response(String((await request.arrayBuffer()).byteLength));'));
    await deployOk(server, 'event-echo', 'export async function handler(event) { return { ok: true, type: typeof event }; }');
  });
  afterAll(async () => server?.close());

  it('a 7 MiB body with Content-Length: 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await server.fn('echo-length', { method: 'POST', body: new Uint8Array(7 * MiB) });
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    await expectSurvives(server, pid);
  });

  it('a 7 MiB chunked body (stream, no Content-Length): 413 PAYLOAD_TOO_LARGE', async () => {
    let sent = 0;
    const chunk = new Uint8Array(256 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 7 * MiB) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await server.fn('echo-length', { method: 'POST', body, duplex: 'half' } as RequestInit);
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    await expectSurvives(server, pid);
  }, 10_000);

  it('a deploy body over 50 MiB: 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await server.api('PUT', '/functions/too-big', { files: { 'index.ts': `// ${'x'.repeat(51 * MiB)}\n${worker('return new Response("x");')}` } });
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect((await server.api('GET', '/functions/too-big')).status).toBe(404);
    await expectSurvives(server, pid);
  });

  it('a JSON body nested a million deep is answered promptly, over HTTP and by direct invoke', async () => {
    const deep = '['.repeat(1e6) + ']'.repeat(1e6);
    let started = Date.now();
    const http = await server.fn('event-echo', { method: 'POST', body: deep, headers: { 'content-type': 'application/json' } });
    await http.arrayBuffer();
    expect(http.status).toBeGreaterThanOrEqual(200);
    expect(Date.now() - started).toBeLessThan(5000);
    started = Date.now();
    const invoked = await fetch(`${server.url}/api/functions/event-echo/invoke`, {
      method: 'POST',
      body: deep,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    });
    await invoked.arrayBuffer();
    expect(invoked.status).toBeGreaterThanOrEqual(200);
    expect(Date.now() - started).toBeLessThan(5000);
    await expectSurvives(server, pid);
  });
});

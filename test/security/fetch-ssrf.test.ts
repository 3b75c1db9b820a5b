/**
 * Outbound fetch as an attack: guest code aiming at the host's loopback, the private
 * network and the cloud metadata address, directly, through DNS and through redirects;
 * more subrequests than allowed; a response bigger than the function's memory. Every
 * barred fetch rejects inside the function with a TypeError; the gateway keeps serving.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer } from './attack.ts';

/** A function that fetches `?url=` and reports what happened: the status, or the error's name and message. */
const PROBE = `
export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get('url');
    try {
      const res = await fetch(target, { redirect: new URL(request.url).searchParams.get('redirect') ?? 'follow' });
      return Response.json({ status: res.status, body: (await res.text()).slice(0, 200) });
    } catch (e) {
      return Response.json({ error: e.name, message: e.message });
    }
  },
};`;

let secret: Server;
let allowed: Server;
let secretPort: number;
let allowedPort: number;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('fetch SSRF', () => {
  let server: ServerProcess;
  let pid: number;

  beforeAll(async () => {
    // The "internal service" a guest must never reach, and an allowed host that redirects to it.
    secret = createServer((_req, res) => res.end('internal secret'));
    allowed = createServer((req, res) => {
      const to = new URL(req.url!, 'http://x').searchParams.get('to');
      if (to) {
        res.writeHead(302, { location: to });
        res.end();
        return;
      }
      if (req.url === '/huge') {
        // 64 MiB, more than the 16 MiB function below may hold.
        const chunk = Buffer.alloc(1024 * 1024, 65);
        let sent = 0;
        const write = () => {
          while (sent < 64) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', write);
          }
          res.end();
        };
        write();
        return;
      }
      res.end('public hello');
    });
    secretPort = await listen(secret);
    allowedPort = await listen(allowed);
    ({ server, pid } = await startAttackServer(['--fetch-allow', `127.0.0.1:${allowedPort}`]));
    // CPU to spare: the first fetch of an instance also compiles the runtime's body code.
    await deployOk(server, 'probe', PROBE, { limits: { cpuMs: 1000 } });
  });

  afterAll(async () => {
    await server?.close();
    await new Promise((r) => secret?.close(r));
    await new Promise((r) => allowed?.close(r));
  });

  const probe = async (url: string, redirect?: string): Promise<any> => {
    const qs = new URLSearchParams({ url, ...(redirect ? { redirect } : {}) });
    const res = await server.fn(`probe?${qs}`);
    expect(res.status).toBe(200);
    return res.json();
  };

  it('the allow-list opens exactly the named host and port', async () => {
    expect(await probe(`http://127.0.0.1:${allowedPort}/`)).toEqual({ status: 200, body: 'public hello' });
  });

  it('fetch to 127.0.0.1 (another port) is a TypeError', async () => {
    expect(await probe(`http://127.0.0.1:${secretPort}/`)).toMatchObject({ error: 'TypeError' });
    await expectSurvives(server, pid);
  });

  it('fetch to [::1] is a TypeError', async () => {
    expect(await probe(`http://[::1]:${secretPort}/`)).toMatchObject({ error: 'TypeError' });
  });

  it('fetch to the cloud metadata address 169.254.169.254 is a TypeError', async () => {
    expect(await probe('http://169.254.169.254/latest/meta-data/')).toMatchObject({ error: 'TypeError' });
  });

  it('fetch to 0.0.0.0 and to a private range is a TypeError', async () => {
    expect(await probe(`http://0.0.0.0:${secretPort}/`)).toMatchObject({ error: 'TypeError' });
    expect(await probe('http://10.0.0.1/')).toMatchObject({ error: 'TypeError' });
    expect(await probe('http://192.168.1.1/')).toMatchObject({ error: 'TypeError' });
  });

  it('fetch to a hostname that resolves to loopback (localhost) is a TypeError', async () => {
    expect(await probe(`http://localhost:${secretPort}/`)).toMatchObject({ error: 'TypeError' });
  });

  it('a redirect from an allowed host to a barred one is a TypeError, and the secret is not returned', async () => {
    const redirected = await probe(`http://127.0.0.1:${allowedPort}/?to=${encodeURIComponent(`http://127.0.0.1:${secretPort}/`)}`);
    expect(redirected).toMatchObject({ error: 'TypeError' });
    const viaName = await probe(`http://127.0.0.1:${allowedPort}/?to=${encodeURIComponent(`http://localhost:${secretPort}/`)}`);
    expect(viaName).toMatchObject({ error: 'TypeError' });
    await expectSurvives(server, pid);
  });

  it('more subrequests than the limit (50): the 51st fetch is a TypeError', async () => {
    await deployOk(server, 'many', `
      export default {
        async fetch() {
          let ok = 0;
          for (let i = 0; i < 60; i++) {
            try { await (await fetch('http://127.0.0.1:${allowedPort}/')).text(); ok++; }
            catch (e) { return Response.json({ ok, error: e.name }); }
          }
          return Response.json({ ok });
        },
      };`, { limits: { cpuMs: 2000 } });
    const res = await server.fn('many');
    expect(await res.json()).toEqual({ ok: 50, error: 'TypeError' });
    await expectSurvives(server, pid);
  });

  it('a fetch response bigger than the memory limit, read whole, ends the invocation with MEMORY_LIMIT_EXCEEDED', async () => {
    await deployOk(server, 'huge', `
      export default {
        async fetch() {
          const body = await (await fetch('http://127.0.0.1:${allowedPort}/huge')).arrayBuffer();
          return new Response(String(body.byteLength));
        },
      };`, { limits: { memoryMb: 16, cpuMs: 5000, timeoutMs: 20_000 } });
    await expectError(await server.fn('huge'), 503, 'MEMORY_LIMIT_EXCEEDED');
    await expectSurvives(server, pid);
  });

  it('a fetch response read chunk by chunk is not limited by its size, only by what the function keeps', async () => {
    await deployOk(server, 'streamed', `
      export default {
        async fetch() {
          const reader = (await fetch('http://127.0.0.1:${allowedPort}/huge')).body.getReader();
          let bytes = 0;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            bytes += value.byteLength;
          }
          return new Response(String(bytes));
        },
      };`, { limits: { memoryMb: 16, cpuMs: 5000, timeoutMs: 20_000 } });
    const res = await server.fn('streamed');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(String(64 * 1024 * 1024));
  });
});

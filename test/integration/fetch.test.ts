/**
 * fetch() from inside a function against real local upstreams (opened with the allow-list):
 * requests and their bodies, responses and their metadata, redirects, aborts and timeouts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let upstream: Server;
let base: string;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/slow') {
        // Sends a first chunk, then hangs until the client goes away.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first ');
        return;
      }
      if (url.pathname === '/stall') return; // never answers
      if (url.pathname === '/redirect') {
        res.writeHead(301, { location: '/echo?from=redirect' });
        res.end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  server = await startTestServer({ fetchAllow: [`127.0.0.1:${port}`] });
});

afterAll(async () => {
  await server?.close();
  upstream?.closeAllConnections();
  await new Promise((r) => upstream?.close(r));
});

/** Deploys a Workers function whose fetch handler body is `body` (`base` is in scope) and calls it. */
async function run(name: string, body: string): Promise<any> {
  const deployed = await server.deploy(name, `const base = ${JSON.stringify(base)};\nexport default { async fetch(request) { ${body} } }`, { limits: { cpuMs: 1000, timeoutMs: 10_000 } });
  expect(deployed.status, JSON.stringify(deployed.body)).toBeLessThan(300);
  const res = await server.fn(name);
  expect(res.status).toBe(200);
  return res.json();
}

describe('fetch from a function', () => {
  it('fetch: POST with a JSON body; status, headers, url and body of the response come back', async () => {
    const out = await run('post', `
      const res = await fetch(base + '/echo?a=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 1 }) });
      return Response.json({ status: res.status, ok: res.ok, header: res.headers.get('x-upstream'), url: res.url, redirected: res.redirected, data: await res.json() });`);
    expect(out).toEqual({
      status: 201, ok: true, header: 'yes', url: `${base}/echo?a=1`, redirected: false,
      data: { method: 'POST', url: '/echo?a=1', type: 'application/json', body: '{"x":1}' },
    });
  });

  it('fetch: a Request object, a URLSearchParams body and a ReadableStream body are sent as the spec extracts them', async () => {
    const out = await run('bodies', `
      const form = await (await fetch(new Request(base + '/form', { method: 'PUT', body: new URLSearchParams({ q: 'a b' }) }))).json();
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed ')); c.enqueue(new TextEncoder().encode('body')); c.close(); } });
      const streamed = await (await fetch(base + '/stream', { method: 'POST', body: stream, duplex: 'half' })).json();
      return Response.json({ form, streamed });`);
    expect(out.form).toMatchObject({ method: 'PUT', type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'q=a+b' });
    expect(out.streamed).toMatchObject({ method: 'POST', body: 'streamed body' });
  });

  it('fetch: redirects are followed (redirected, url) unless manual, which returns the 3xx with its Location', async () => {
    const out = await run('redirects', `
      const followed = await fetch(base + '/redirect');
      const manual = await fetch(base + '/redirect', { redirect: 'manual' });
      let error = null;
      try { await fetch(base + '/redirect', { redirect: 'error' }); } catch (e) { error = e.name; }
      return Response.json({ followed: [followed.status, followed.redirected, followed.url], manual: [manual.status, manual.headers.get('location')], error });`);
    expect(out).toEqual({ followed: [201, true, `${base}/echo?from=redirect`], manual: [301, '/echo?from=redirect'], error: 'TypeError' });
  });

  it('fetch: the body is a stream read chunk by chunk while the upstream is still sending', async () => {
    const out = await run('chunked', `
      const res = await fetch(base + '/slow');
      const reader = res.body.getReader();
      const { value } = await reader.read();
      await reader.cancel();
      return Response.json({ first: new TextDecoder().decode(value) });`);
    expect(out).toEqual({ first: 'first ' });
  });

  it('fetch: aborting with an AbortController rejects with the signal\'s reason, before and after the response head', async () => {
    const out = await run('abort', `
      const early = new AbortController();
      const pending = fetch(base + '/stall', { signal: early.signal });
      setTimeout(() => early.abort(), 50);
      let before = null;
      try { await pending; } catch (e) { before = e.name; }
      const late = new AbortController();
      const res = await fetch(base + '/slow', { signal: late.signal });
      late.abort(new RangeError('changed my mind'));
      let after = null;
      try { await res.text(); } catch (e) { after = e.name; }
      let already = null;
      try { await fetch(base + '/echo', { signal: AbortSignal.abort() }); } catch (e) { already = e.name; }
      return Response.json({ before, after, already, signal: new Request(base, { signal: late.signal }).signal.aborted });`);
    expect(out).toEqual({ before: 'AbortError', after: 'AbortError', already: 'AbortError', signal: true });
  });

  it('fetch: AbortSignal.timeout ends a request that never answers with a TimeoutError', async () => {
    const out = await run('timeout', `
      try { await fetch(base + '/stall', { signal: AbortSignal.timeout(100) }); return Response.json({ error: null }); }
      catch (e) { return Response.json({ error: e.name }); }`);
    expect(out).toEqual({ error: 'TimeoutError' });
  });
});

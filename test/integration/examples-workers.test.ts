/**
 * The Workers-style examples in examples/workers, each deployed as a user would (its
 * files and atoll.json) and driven over real HTTP. Upstreams are local servers the test
 * starts, opened to the functions with the fetch allow-list.
 */
import { createHash, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSources } from '../../src/bundler/sources.ts';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/server.ts';

const EXAMPLES = join(REPO_ROOT, 'examples/workers');

let server: TestServer;
let upstream: Server;
let upstreamUrl: string;

/** Deploys example `name` as its directory holds it, with `env` over its atoll.json's. */
async function deployExample(name: string, env: Record<string, string> = {}): Promise<void> {
  const files = await readSources(join(EXAMPLES, name));
  let options: Record<string, any> = {};
  if (files['atoll.json'] !== undefined) {
    options = JSON.parse(await readFile(join(EXAMPLES, name, 'atoll.json'), 'utf8'));
    delete files['atoll.json'];
  }
  const { status, body } = await server.api('PUT', `/functions/${name}`, { ...options, files, env: { ...options.env, ...env } });
  expect(status, JSON.stringify(body)).toBeLessThan(300);
}

beforeAll(async () => {
  // The upstream of the proxy examples: echoes what it got, with headers that give it away.
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('server', 'upstream-secret/1.0');
      res.setHeader('x-powered-by', 'hand-written-php');
      res.setHeader('content-type', 'application/json');
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  upstreamUrl = `http://127.0.0.1:${port}`;
  server = await startTestServer({ fetchAllow: [`127.0.0.1:${port}`] });
});

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('examples/workers over HTTP', () => {
  it('json-api: creates, lists, reads and deletes notes; answers 400, 404 and 405 as JSON', async () => {
    await deployExample('json-api');
    const created = await server.fn('json-api/notes', { method: 'POST', body: JSON.stringify({ text: 'buy milk' }) });
    expect(created.status).toBe(201);
    const note = await created.json();
    expect(note).toEqual({ id: 1, text: 'buy milk' });
    expect(created.headers.get('location')).toBe('/notes/1');
    expect(await (await server.fn('json-api/notes')).json()).toEqual([note]);
    expect(await (await server.fn('json-api/notes/1')).json()).toEqual(note);
    expect((await server.fn('json-api/notes', { method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await server.fn('json-api/notes', { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await server.fn('json-api/notes/1', { method: 'DELETE' })).status).toBe(204);
    const gone = await server.fn('json-api/notes/1');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('redirect: a short link is a 301 to its target, anything else a 302 home', async () => {
    await deployExample('redirect');
    const docs = await server.fn('redirect/docs', { redirect: 'manual' });
    expect(docs.status).toBe(301);
    expect(docs.headers.get('location')).toBe('https://developers.cloudflare.com/workers/');
    const other = await server.fn('redirect/elsewhere', { redirect: 'manual' });
    expect(other.status).toBe(302);
    expect(other.headers.get('location')).toBe('https://example.com/?from=%2Felsewhere');
  });

  it('reverse-proxy: forwards method, path, query, headers and body to the upstream and streams its answer back', async () => {
    await deployExample('reverse-proxy', { UPSTREAM: upstreamUrl });
    const res = await server.fn('reverse-proxy/api/items?x=1', { method: 'POST', headers: { 'x-client': 'test' }, body: 'payload' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxied-by')).toBe('atoll');
    const seen: any = await res.json();
    expect(seen).toMatchObject({ method: 'POST', url: '/api/items?x=1', body: 'payload' });
    expect(seen.headers['x-client']).toBe('test');
    expect(seen.headers['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await server.fn('reverse-proxy/missing')).status).toBe(404);
  });

  it('security-headers: adds the security headers to the upstream response and removes server identification', async () => {
    await deployExample('security-headers', { UPSTREAM: upstreamUrl });
    const res = await server.fn('security-headers/page');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toContain('max-age=63072000');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(((await res.json()) as any).url).toBe('/page');
  });

  it('uppercase-stream: upper-cases a posted body through a TransformStream, streamed back chunked', async () => {
    await deployExample('uppercase-stream');
    const posted = await server.fn('uppercase-stream', { method: 'POST', body: 'hello, wörld – ça va?' });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('transfer-encoding')).toBe('chunked');
    expect(await posted.text()).toBe('HELLO, WÖRLD – ÇA VA?');
    const generated = await server.fn('uppercase-stream?lines=3');
    expect(await generated.text()).toBe('LINE 1 OF 3\nLINE 2 OF 3\nLINE 3 OF 3\n');
  });

  it('hmac-verify: accepts a body signed with the shared secret and refuses a wrong or missing signature', async () => {
    await deployExample('hmac-verify', { SECRET: 'webhook-secret' });
    const body = JSON.stringify({ event: 'push', ref: 'main' });
    const good = createHmac('sha256', 'webhook-secret').update(body).digest('hex');
    const ok = await server.fn('hmac-verify', { method: 'POST', headers: { 'x-signature': `sha256=${good}` }, body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ verified: true, bytes: Buffer.byteLength(body) });
    const bad = createHmac('sha256', 'other-secret').update(body).digest('hex');
    expect((await server.fn('hmac-verify', { method: 'POST', headers: { 'x-signature': bad }, body })).status).toBe(401);
    expect((await server.fn('hmac-verify', { method: 'POST', body })).status).toBe(401);
  });

  it('jwt-verify: verifies HS256 and ES256 tokens; refuses a tampered, expired or unsigned one', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await deployExample('jwt-verify', { JWT_SECRET: 'jwt-secret', JWT_PUBLIC_JWK: JSON.stringify(publicKey.export({ format: 'jwk' })) });
    const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'user-1', exp: now + 600 };
    const hs = (payload: object, alg = 'HS256') => {
      const signed = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
      return `${signed}.${createHmac('sha256', 'jwt-secret').update(signed).digest('base64url')}`;
    };
    const es = (payload: object) => {
      const signed = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(payload)}`;
      return `${signed}.${sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    };
    const call = (token: string) => server.fn('jwt-verify', { headers: { authorization: `Bearer ${token}` } });

    const hsOk = await call(hs(claims));
    expect(hsOk.status).toBe(200);
    expect(await hsOk.json()).toEqual({ alg: 'HS256', claims });
    const esOk = await call(es(claims));
    expect(esOk.status).toBe(200);
    expect(((await esOk.json()) as any).alg).toBe('ES256');

    const [h, , s] = hs(claims).split('.');
    expect((await call(`${h}.${b64({ ...claims, sub: 'admin' })}.${s}`)).status).toBe(401);
    expect((await call(hs({ sub: 'user-1', exp: now - 10 }))).status).toBe(401);
    expect((await call(`${b64({ alg: 'none' })}.${b64(claims)}.`)).status).toBe(401);
    expect((await server.fn('jwt-verify')).status).toBe(401);
  });

  it('cors: answers a preflight from an allowed origin, refuses another, and marks actual responses', async () => {
    await deployExample('cors');
    const preflight = await server.fn('cors/data', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const refused = await server.fn('cors/data', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(refused.status).toBe(403);
    const actual = await server.fn('cors/data', { headers: { origin: 'https://admin.example.com' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(actual.headers.get('vary')).toContain('Origin');
  });

  it('cookies: counts visits in a cookie, sets several Set-Cookie headers, and clears them on logout', async () => {
    await deployExample('cookies');
    const first = await server.fn('cookies');
    const set = first.headers.getSetCookie();
    expect(set).toHaveLength(2);
    expect(set[0]).toMatch(/^visits=1;/);
    expect(set[1]).toMatch(/^session=[0-9a-f-]{36};.*HttpOnly/);
    expect(((await first.json()) as any).visits).toBe(1);
    const second = await server.fn('cookies', { headers: { cookie: 'visits=1; session=abc' } });
    expect(await second.json()).toMatchObject({ visits: 2, cookies: { visits: '1', session: 'abc' }, setting: 1 });
    const logout = await server.fn('cookies/logout', { headers: { cookie: 'visits=2; session=abc' } });
    expect(logout.headers.getSetCookie().every((c) => c.includes('Max-Age=0'))).toBe(true);
  });

  it('gzip: compresses with CompressionStream when the client accepts gzip, plain text otherwise', async () => {
    await deployExample('gzip');
    const line = 'Atoll compresses this line with CompressionStream.\n';
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      // node:http, not fetch: fetch would decode the gzip body itself.
      import('node:http').then(({ get }) => {
        get(`${server.url}/fn/gzip?lines=500`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('close', () => {
            if (!res.complete) reject(new Error('the response ended before its last chunk'));
          });
        }).on('error', reject);
      }, reject);
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.body.length).toBeLessThan(line.length * 500);
    expect(gunzipSync(raw.body).toString('utf8')).toBe(line.repeat(500));
    const plain = await server.fn('gzip?lines=3', { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(line.repeat(3));
  });

  it('form-upload: parses a multipart upload with request.formData(): fields and files with name, type, size and digest', async () => {
    await deployExample('form-upload');
    const fileBytes = Buffer.from('%PDF-1.7 not really a pdf, ünïcödé inside');
    const form = new FormData();
    form.append('title', 'Quarterly report');
    form.append('tag', 'a');
    form.append('tag', 'b');
    form.append('upload', new File([fileBytes], 'réport 2026.pdf', { type: 'application/pdf' }));
    const res = await server.fn('form-upload', { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      fields: {
        title: ['Quarterly report'],
        tag: ['a', 'b'],
        upload: [{ filename: 'réport 2026.pdf', type: 'application/pdf', size: fileBytes.length, sha256: createHash('sha256').update(fileBytes).digest('hex') }],
      },
    });
    const urlencoded = await server.fn('form-upload', { method: 'POST', body: new URLSearchParams({ title: 'x y' }) });
    expect(await urlencoded.json()).toEqual({ fields: { title: ['x y'] } });
    expect((await server.fn('form-upload', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zzz' }, body: 'garbage' })).status).toBe(400);
  });
});

/**
 * Functions over real HTTP (design.md §2, §3): both styles, everything a request carries
 * reaches the function and everything it answers reaches the client; the examples in
 * examples/functions answer as documented.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, logsUntil, startTestServer, type TestServer } from '../helpers/server.ts';

/** A response's JSON body, untyped: the tests check its shape. */
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();


const MIRROR_WORKERS = `
export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = await request.text();
    return new Response(JSON.stringify({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body,
    }), {
      status: Number(request.headers.get('x-want-status') ?? 200),
      headers: { 'content-type': 'application/json', 'x-from-function': 'yes' },
    });
  },
};
`;

const MIRROR_LAMBDA = `
export async function handler(event: any) {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
}
`;

/** A Lambda whose result depends on the path, one per API Gateway mapping rule. */
const RESULTS_LAMBDA = `
export async function handler(event: any) {
  switch (event.rawPath) {
    case '/string': return 'plain text result';
    case '/object': return { hello: 'world', n: 1 };
    case '/cookies': return { statusCode: 201, headers: { 'x-kind': 'cookies' }, cookies: ['a=1; Path=/', 'b=2'], body: 'with cookies' };
    case '/base64': return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, isBase64Encoded: true, body: btoa(String.fromCharCode(0, 1, 2, 255)) };
    default: return { statusCode: 418, headers: { 'x-custom': 'teapot' }, body: 'short and stout' };
  }
}
`;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ functionsDir: join(REPO_ROOT, 'examples/functions') });
  for (const [name, source] of [['mirror', MIRROR_WORKERS], ['lmirror', MIRROR_LAMBDA], ['lresults', RESULTS_LAMBDA]] as const) {
    const { status } = await server.deploy(name, source);
    expect(status).toBe(201);
  }
});
afterAll(async () => server?.close());

describe('Workers style over HTTP', () => {
  it('passes method, function-relative path, query, headers and body in', async () => {
    const res = await server.fn('mirror/a/b?x=1&y=two', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-custom': 'custom value' },
      body: 'request body',
    });
    expect(res.status).toBe(200);
    const seen = await json(res);
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/a/b');
    expect(seen.query).toEqual({ x: '1', y: 'two' });
    expect(seen.headers['x-custom']).toBe('custom value');
    expect(seen.headers['content-type']).toBe('text/plain');
    expect(seen.body).toBe('request body');
  });

  it('passes the root path as "/"', async () => {
    const res = await server.fn('mirror');
    expect((await json(res)).path).toBe('/');
  });

  it('passes every method through', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const res = await server.fn('mirror/m', { method });
      expect((await json(res)).method).toBe(method);
    }
  });

  it('passes status, headers and body back', async () => {
    const res = await server.fn('mirror/x', { headers: { 'x-want-status': '404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-from-function')).toBe('yes');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await json(res)).path).toBe('/x');
  });

  it('tags every response with its request id', async () => {
    const res = await server.fn('mirror');
    expect(res.headers.get('x-atoll-request-id')).toMatch(/.+/);
  });

  it('returns a 5 MiB text body, non-ASCII included, within the default 50 ms CPU limit', async () => {
    const deployed = await server.deploy('big-text', 'export default { fetch: () => new Response("é".repeat(1024) + "x".repeat(5 * 1024 * 1024)) }');
    expect(deployed.status).toBe(201);
    const res = await server.fn('big-text');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body.length).toBe(1024 + 5 * 1024 * 1024);
    expect(body.startsWith('éé')).toBe(true);
    expect(res.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('headers named like Object.prototype members reach the client as headers; repeats are joined', async () => {
    const deployed = await server.deploy('odd-headers', `export default { fetch: () => new Response('ok', { headers: [
      ['__proto__', 'p'], ['constructor', 'c'], ['toString', 't'], ['x-twice', 'a'], ['x-twice', 'b'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'],
    ] }) }`);
    expect(deployed.status).toBe(201);
    const res = await server.fn('odd-headers');
    expect(res.status).toBe(200);
    expect([res.headers.get('__proto__'), res.headers.get('constructor'), res.headers.get('tostring')]).toEqual(['p', 'c', 't']);
    expect(res.headers.get('x-twice')).toBe('a, b');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });
});

describe('versions over HTTP', () => {
  it('/fn/name@version reaches that version, /fn/name the live one', async () => {
    expect((await server.deploy('versioned', 'export default { fetch: () => new Response("one") }')).status).toBe(201);
    expect((await server.deploy('versioned', 'export default { fetch: () => new Response("two") }')).body.version).toBe(2);
    expect(await (await server.fn('versioned@1/p')).text()).toBe('one');
    expect(await (await server.fn('versioned@2/p')).text()).toBe('two');
    expect(await (await server.fn('versioned/p')).text()).toBe('two');
  });

  it('a version that does not exist is FUNCTION_NOT_FOUND', async () => {
    const res = await server.fn('versioned@99');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('FUNCTION_NOT_FOUND');
  });
});

describe('Lambda style: the API Gateway HTTP API v2 event', () => {
  it('carries version, routeKey, raw path and query, headers, parameters, cookies and requestContext', async () => {
    const res = await server.fn('lmirror/a/b?x=1&y=2&y=3', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'v', cookie: 'c1=one; c2=two' },
      body: JSON.stringify({ in: 'body' }),
    });
    expect(res.status).toBe(200);
    const event = await json(res);
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/a/b');
    expect(event.rawQueryString).toBe('x=1&y=2&y=3');
    expect(event.headers['x-custom']).toBe('v');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.queryStringParameters).toEqual({ x: '1', y: '2,3' });
    expect(event.cookies).toEqual(['c1=one', 'c2=two']);
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.requestContext.http.path).toBe('/a/b');
    expect(event.requestContext.http.sourceIp).toMatch(/127\.0\.0\.1/);
    expect(event.requestContext.requestId).toBe(res.headers.get('x-atoll-request-id'));
    expect(event.body).toBe('{"in":"body"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('a binary body arrives base64-encoded', async () => {
    const bytes = new Uint8Array([0, 1, 2, 200, 255]);
    const res = await server.fn('lmirror/bin', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const event = await json(res);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('a request without a query has an empty rawQueryString', async () => {
    const event = await json(server.fn('lmirror'));
    expect(event.rawPath).toBe('/');
    expect(event.rawQueryString).toBe('');
  });
});

describe('Lambda style: the result maps back as API Gateway does', () => {
  it('a string becomes a 200 body', async () => {
    const res = await server.fn('lresults/string');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('plain text result');
  });

  it('an object without statusCode becomes a 200 JSON body', async () => {
    const res = await server.fn('lresults/object');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json(res)).toEqual({ hello: 'world', n: 1 });
  });

  it('statusCode, headers and body are used as given', async () => {
    const res = await server.fn('lresults/other');
    expect(res.status).toBe(418);
    expect(res.headers.get('x-custom')).toBe('teapot');
    expect(await res.text()).toBe('short and stout');
  });

  it('cookies become set-cookie headers', async () => {
    const res = await server.fn('lresults/cookies');
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(await res.text()).toBe('with cookies');
  });

  it('an isBase64Encoded body is decoded', async () => {
    const res = await server.fn('lresults/base64');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });
});

describe('the examples in examples/functions', () => {
  it('hello (TypeScript, Workers style) says hello', async () => {
    const res = await server.fn('hello');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Hello from Atoll!\n');
  });

  it('echo (Lambda style) returns its v2 event and the request id', async () => {
    const res = await server.fn('echo/some/path?q=1');
    expect(res.status).toBe(200);
    const { event, requestId } = await json(res);
    expect(event.version).toBe('2.0');
    expect(event.rawPath).toBe('/some/path');
    expect(event.queryStringParameters).toEqual({ q: '1' });
    expect(requestId).toBe(res.headers.get('x-atoll-request-id'));
  });

  it('greet reads GREETING from its atoll.json', async () => {
    const res = await server.fn('greet?name=Aroha');
    expect(await json(res)).toEqual({ message: 'Kia ora, Aroha!' });
  });

  it('multi bundles its helper from lib/', async () => {
    const res = await server.fn('multi?text=Hello%20Big%20World');
    expect(await json(res)).toEqual({ slug: 'hello-big-world' });
  });

  it('counter keeps its global between warm invocations', async () => {
    const first = await json(server.fn('counter'));
    const second = await json(server.fn('counter'));
    expect(second.count).toBe(first.count + 1);
    expect(second.startedAt).toBe(first.startedAt);
  });
});

describe('the runtime\'s own CPU', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('loading a lazy part of the runtime (streams, full URL parsing) is not charged to the invocation', async () => {
    // Evaluating those modules takes ~25 ms of CPU in a fresh isolate, more than this limit;
    // the function's own work here, the first calls included, takes ~7 ms.
    const deployed = await server.deploy('lazy-cost', `
      export default {
        async fetch() {
          const url = new URL('https://b\\u00fccher.example/p\\u00e4th?q=1');
          const text = await new Response(new Response(url.hostname).body).text();
          return new Response(text);
        },
      };`, { limits: { cpuMs: 20 } });
    expect(deployed.status).toBe(201);
    const res = await server.fn('lazy-cost');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('xn--bcher-kva.example');
    const record = (await logsUntil(server, 'lazy-cost', (b) => b.invocations?.length > 0)).invocations[0];
    expect(record.outcome).toBe('OK');
    expect(record.cpuMs).toBeLessThan(20);
  });
});

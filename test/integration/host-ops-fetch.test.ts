// The fetch host ops driven directly, as the sandbox host will call them, against real
// HTTP servers on 127.0.0.1 (reachable only because each test's allow-list names them).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostOps, OpError, type OpContext } from '../../src/sandbox-host/host-ops/index.ts';
import { opContext } from '../helpers/op-context.ts';
import { MAX_CHUNK_BYTES, type FetchResponseHead } from '../../src/sandbox-host/host-ops/fetch.ts';

interface TestServer {
  server: Server;
  port: number;
  origin: string;
  connections: number;
}

/** Bodies that wait for the test: `/slow?gate=NAME` sends "first", then waits for `release(NAME)`. */
const gates = new Map<string, () => void>();
const closed = new Map<string, Promise<{ finished: boolean }>>();
const closedResolvers = new Map<string, (v: { finished: boolean }) => void>();

function whenClosed(name: string): Promise<{ finished: boolean }> {
  if (!closed.has(name)) closed.set(name, new Promise((resolve) => closedResolvers.set(name, resolve)));
  return closed.get(name)!;
}

function release(name: string): void {
  gates.get(name)!();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url!, 'http://x');
  const q = url.searchParams;
  switch (url.pathname) {
    case '/echo': {
      const body = await readBody(req);
      res.writeHead(201, 'Made It', { 'content-type': 'application/json', 'x-reply': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: body.toString('base64') }));
      return;
    }
    case '/cookies':
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end('ok');
      return;
    case '/bytes': {
      const size = Number(q.get('size'));
      res.writeHead(200, { 'content-length': String(size) });
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = i % 251;
      res.end(body);
      return;
    }
    case '/gzip':
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end(gzipSync('hello, compressed world'));
      return;
    case '/slow': {
      const name = q.get('gate')!;
      whenClosed(name);
      res.on('close', () => closedResolvers.get(name)!({ finished: res.writableFinished }));
      if (q.has('head')) await new Promise<void>((resolve) => gates.set(name, resolve));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      await new Promise<void>((resolve) => gates.set(name, resolve));
      res.end('second');
      return;
    }
    case '/redirect': {
      // /redirect?status=302&to=URL, or /redirect?n=3 for a chain of n hops ending at /echo.
      const n = Number(q.get('n') ?? 0);
      const to = q.get('to') ?? (n > 1 ? `/redirect?n=${n - 1}` : '/echo');
      res.writeHead(Number(q.get('status') ?? 302), { location: to });
      res.end();
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

async function startServer(): Promise<TestServer> {
  const server = createServer((req, res) => void handle(req, res));
  const state: TestServer = { server, port: 0, origin: '', connections: 0 };
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}

let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  [a, b] = await Promise.all([startServer(), startServer()]);
});

afterAll(async () => {
  for (const s of [a, b]) {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  }
});

interface Invocation {
  ctx: OpContext;
  start(request: Record<string, unknown>): Promise<FetchResponseHead>;
  read(id: number): Promise<ArrayBuffer | null>;
  abort(id: unknown): Promise<unknown>;
  call(op: string, ...args: unknown[]): Promise<unknown>;
  /** All of the body of request `id`, checking every chunk's size. */
  text(id: number): Promise<string>;
  /** The invocation is over. */
  end(): void;
}

let nextId = 1;

function invocation(options: { allow?: string[]; maxSubrequests?: number; timeoutMs?: number } = {}): Invocation {
  const ctx = opContext({
    deadlineMs: Date.now() + (options.timeoutMs ?? 30_000),
    memoryMb: 128,
    settings: { fetchAllow: options.allow ?? [`127.0.0.1:${a.port}`], maxSubrequests: options.maxSubrequests ?? 50 },
  });
  const call = async (op: string, ...args: unknown[]): Promise<unknown> => hostOps.get(op)!(ctx, args);
  const read = (id: number) => call('fetch.read', id) as Promise<ArrayBuffer | null>;
  return {
    ctx,
    call,
    start: (request) => call('fetch.start', {
      id: nextId++, method: 'GET', headers: [], body: null, redirect: 'follow', ...request,
    }) as Promise<FetchResponseHead>,
    read,
    abort: (id) => call('fetch.abort', id),
    async text(id) {
      const chunks: Buffer[] = [];
      for (let chunk = await read(id); chunk !== null; chunk = await read(id)) {
        expect(chunk).toBeInstanceOf(ArrayBuffer);
        expect(chunk.byteLength).toBeGreaterThan(0);
        expect(chunk.byteLength).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
        chunks.push(Buffer.from(chunk));
      }
      return Buffer.concat(chunks).toString('latin1');
    },
    end: () => ctx.abort(),
  };
}

/** The rejection of `promise`, which must reject with an OpError. */
async function rejection(promise: Promise<unknown>): Promise<OpError> {
  const outcome = await promise.then(() => undefined, (err: unknown) => err);
  expect(outcome).toBeInstanceOf(OpError);
  return outcome as OpError;
}

describe('fetch host ops: requests and responses', () => {
  it('GET: status, status text, headers and body round trip', async () => {
    const inv = invocation();
    const id = nextId;
    const head = await inv.start({ url: `${a.origin}/echo?x=1`, headers: [['X-Test', 'hello'], ['accept', 'application/json']] });
    expect(head).toMatchObject({ status: 201, statusText: 'Made It', url: `${a.origin}/echo?x=1`, redirected: false, hasBody: true });
    expect(head.urlList).toEqual([`${a.origin}/echo?x=1`]);
    expect(head.headers).toContainEqual(['x-reply', 'yes']);
    expect(head.headers).toContainEqual(['content-type', 'application/json']);
    const echo = JSON.parse(await inv.text(id));
    expect(echo.method).toBe('GET');
    expect(echo.url).toBe('/echo?x=1');
    expect(echo.headers['x-test']).toBe('hello');
    expect(echo.headers.accept).toBe('application/json');
  });

  it('POST: the body arrives byte for byte, with the guest\'s content type', async () => {
    const inv = invocation();
    const id = nextId;
    const bytes = new Uint8Array(300).map((_, i) => i % 256);
    await inv.start({ url: `${a.origin}/echo`, method: 'POST', headers: [['content-type', 'application/octet-stream']], body: bytes.buffer });
    const echo = JSON.parse(await inv.text(id));
    expect(echo.method).toBe('POST');
    expect(echo.headers['content-type']).toBe('application/octet-stream');
    expect(echo.headers['content-length']).toBe('300');
    expect(new Uint8Array(Buffer.from(echo.body, 'base64'))).toEqual(bytes);
  });

  it('headers: framing and hop-by-hop headers are the host\'s, whatever the guest sets', async () => {
    const inv = invocation();
    const id = nextId;
    await inv.start({
      url: `${a.origin}/echo`, method: 'POST', body: new TextEncoder().encode('abc').buffer,
      headers: [['Host', 'evil.test'], ['Content-Length', '999'], ['Transfer-Encoding', 'chunked'], ['Connection', 'upgrade'],
        ['Upgrade', 'websocket'], ['Keep-Alive', 'timeout=999'], ['TE', 'trailers'], ['Trailer', 'x'], ['Expect', '100-continue']],
    });
    const { headers, body } = JSON.parse(await inv.text(id));
    expect(headers.host).toBe(`127.0.0.1:${a.port}`);
    expect(headers['content-length']).toBe('3');
    expect(Buffer.from(body, 'base64').toString()).toBe('abc');
    for (const name of ['transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']) expect(headers).not.toHaveProperty(name);
    expect(headers.connection).not.toBe('upgrade');
  });

  it('headers: a default User-Agent when the guest sets none, the guest\'s otherwise', async () => {
    const inv = invocation();
    const first = nextId;
    await inv.start({ url: `${a.origin}/echo` });
    expect(JSON.parse(await inv.text(first)).headers['user-agent']).toBe('Atoll');
    const second = nextId;
    await inv.start({ url: `${a.origin}/echo`, headers: [['User-Agent', 'mine/1.0']] });
    expect(JSON.parse(await inv.text(second)).headers['user-agent']).toBe('mine/1.0');
  });

  it('headers: each Set-Cookie is its own entry', async () => {
    const inv = invocation();
    const head = await inv.start({ url: `${a.origin}/cookies` });
    expect(head.headers.filter(([name]) => name === 'set-cookie')).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });

  it('body: a gzip-encoded response arrives decoded', async () => {
    const inv = invocation();
    const id = nextId;
    await inv.start({ url: `${a.origin}/gzip` });
    expect(await inv.text(id)).toBe('hello, compressed world');
  });

  it('HEAD: no body; read reports the end at once', async () => {
    const inv = invocation();
    const id = nextId;
    const head = await inv.start({ url: `${a.origin}/bytes?size=10`, method: 'HEAD' });
    expect(head.hasBody).toBe(false);
    expect(await inv.read(id)).toBeNull();
  });

  it('a large body comes in chunks of at most 64 KiB that add up to the whole', async () => {
    const inv = invocation();
    const id = nextId;
    const size = 1024 * 1024 + 17;
    await inv.start({ url: `${a.origin}/bytes?size=${size}` });
    const body = Buffer.from(await inv.text(id), 'latin1');
    expect(body.length).toBe(size);
    expect(body.every((byte, i) => byte === i % 251)).toBe(true);
  });

  it('streaming: the first chunk reaches the guest while the server is still sending', async () => {
    const inv = invocation();
    const id = nextId;
    await inv.start({ url: `${a.origin}/slow?gate=stream` });
    // The server holds back the rest until released: this read can only succeed unbuffered.
    expect(Buffer.from((await inv.read(id))!).toString()).toBe('first');
    release('stream');
    expect(Buffer.from((await inv.read(id))!).toString()).toBe('second');
    expect(await inv.read(id)).toBeNull();
    expect(await inv.read(id)).toBeNull();
  });

  it('a second read of one body while one is pending is a TypeError', async () => {
    const inv = invocation();
    const id = nextId;
    await inv.start({ url: `${a.origin}/slow?gate=serial` });
    await inv.read(id);
    const pending = inv.read(id);
    expect((await rejection(inv.read(id))).name).toBe('TypeError');
    release('serial');
    expect(Buffer.from((await pending)!).toString()).toBe('second');
  });
});

describe('fetch host ops: redirects', () => {
  it('follow: a chain of redirects ends at the final response, every hop in urlList', async () => {
    const inv = invocation();
    const head = await inv.start({ url: `${a.origin}/redirect?n=3` });
    expect(head.status).toBe(201);
    expect(head.redirected).toBe(true);
    expect(head.url).toBe(`${a.origin}/echo`);
    expect(head.urlList).toEqual([
      `${a.origin}/redirect?n=3`, `${a.origin}/redirect?n=2`, `${a.origin}/redirect?n=1`, `${a.origin}/echo`,
    ]);
  });

  it('manual: the 3xx itself is returned, with its Location', async () => {
    const inv = invocation();
    const head = await inv.start({ url: `${a.origin}/redirect?n=1`, redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.redirected).toBe(false);
    expect(head.headers).toContainEqual(['location', '/echo']);
    expect(head.urlList).toEqual([`${a.origin}/redirect?n=1`]);
  });

  it('error: a redirect rejects with a TypeError', async () => {
    const inv = invocation();
    expect((await rejection(inv.start({ url: `${a.origin}/redirect?n=1`, redirect: 'error' }))).name).toBe('TypeError');
  });

  it('a redirect to a URL that is not http: or https: is a TypeError', async () => {
    const inv = invocation();
    const to = encodeURIComponent('file:///etc/passwd');
    expect((await rejection(inv.start({ url: `${a.origin}/redirect?to=${to}` }))).name).toBe('TypeError');
  });

  it('more than 20 redirects is a TypeError', async () => {
    const inv = invocation();
    expect((await rejection(inv.start({ url: `${a.origin}/redirect?n=21` }))).name).toBe('TypeError');
    const ok = await invocation().start({ url: `${a.origin}/redirect?n=20` });
    expect(ok.status).toBe(201);
  });

  it.each([
    [303, 'POST', 'GET'], [303, 'PUT', 'GET'], [301, 'POST', 'GET'], [302, 'POST', 'GET'],
    [307, 'POST', 'POST'], [308, 'PUT', 'PUT'], [302, 'PUT', 'PUT'],
  ])('%i after %s continues with %s, the body kept only when the method is', async (status, method, expected) => {
    const inv = invocation();
    const id = nextId;
    await inv.start({
      url: `${a.origin}/redirect?status=${status}&to=/echo`, method, headers: [['content-type', 'text/plain']],
      body: new TextEncoder().encode('payload').buffer,
    });
    const echo = JSON.parse(await inv.text(id));
    expect(echo.method).toBe(expected);
    expect(Buffer.from(echo.body, 'base64').toString()).toBe(expected === method ? 'payload' : '');
    expect(echo.headers['content-type']).toBe(expected === method ? 'text/plain' : undefined);
  });
});

describe('fetch host ops: the subrequest limit', () => {
  it('one fetch more than maxSubrequests is a TypeError; the others went through', async () => {
    const inv = invocation({ maxSubrequests: 2 });
    await inv.start({ url: `${a.origin}/echo` });
    await inv.start({ url: `${a.origin}/echo` });
    expect((await rejection(inv.start({ url: `${a.origin}/echo` }))).name).toBe('TypeError');
  });

  it('redirect hops count as the one subrequest that followed them', async () => {
    const inv = invocation({ maxSubrequests: 1 });
    expect((await inv.start({ url: `${a.origin}/redirect?n=5` })).status).toBe(201);
    expect((await rejection(inv.start({ url: `${a.origin}/echo` }))).name).toBe('TypeError');
  });

  it('the count is per invocation', async () => {
    await invocation({ maxSubrequests: 1 }).start({ url: `${a.origin}/echo` });
    expect((await invocation({ maxSubrequests: 1 }).start({ url: `${a.origin}/echo` })).status).toBe(201);
  });
});

describe('fetch host ops: abort, invocation end, deadline', () => {
  it('abort mid-body: the pending read rejects with an AbortError and the connection is closed', async () => {
    const inv = invocation();
    const id = nextId;
    const serverSide = whenClosed('abort-body');
    await inv.start({ url: `${a.origin}/slow?gate=abort-body` });
    await inv.read(id);
    const pending = inv.read(id);
    await inv.abort(id);
    expect((await rejection(pending)).name).toBe('AbortError');
    expect((await rejection(inv.read(id))).name).toBe('AbortError');
    expect(await serverSide).toEqual({ finished: false });
  });

  it('abort before the head arrives: start rejects with an AbortError', async () => {
    const inv = invocation();
    const id = nextId;
    const serverSide = whenClosed('abort-head');
    const started = inv.start({ url: `${a.origin}/slow?gate=abort-head&head=1` });
    await new Promise<void>((resolve) => {
      const poll = (): void => void (gates.has('abort-head') ? resolve() : setImmediate(poll));
      poll();
    });
    await inv.abort(id);
    expect((await rejection(started)).name).toBe('AbortError');
    expect(await serverSide).toEqual({ finished: false });
  });

  it('abort of an id never started is ignored; a read of one is a TypeError', async () => {
    const inv = invocation();
    expect(await inv.abort(999_999)).toBeUndefined();
    expect((await rejection(inv.read(999_999))).name).toBe('TypeError');
  });

  it('invocation end: open bodies are aborted and their connections closed; no new fetch starts', async () => {
    const inv = invocation();
    const id = nextId;
    const serverSide = whenClosed('end');
    await inv.start({ url: `${a.origin}/slow?gate=end` });
    await inv.read(id);
    const pending = inv.read(id);
    inv.end();
    expect((await rejection(pending)).name).toBe('AbortError');
    expect(await serverSide).toEqual({ finished: false });
    expect((await rejection(inv.start({ url: `${a.origin}/echo` }))).name).toBe('AbortError');
  });

  it('deadline: a body still open at the invocation\'s wall-clock limit rejects with a TimeoutError', async () => {
    const inv = invocation({ timeoutMs: 300 });
    const id = nextId;
    const serverSide = whenClosed('deadline');
    await inv.start({ url: `${a.origin}/slow?gate=deadline` });
    await inv.read(id);
    expect((await rejection(inv.read(id))).name).toBe('TimeoutError');
    expect(await serverSide).toEqual({ finished: false });
  });
});

describe('fetch host ops: network failures', () => {
  it('a refused connection is a TypeError that does not reveal the address the name resolved to', async () => {
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const port = (closedServer.address() as AddressInfo).port;
    await new Promise((resolve) => closedServer.close(resolve));
    const error = await rejection(invocation({ allow: [`localhost:${port}`] }).start({ url: `http://localhost:${port}/` }));
    expect(error.name).toBe('TypeError');
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1/);
  });
});

describe('fetch host ops: hostile arguments', () => {
  /** A string URL with PORT replaced by server a's port (known only once it listens). */
  const withPort = (request: object): { url?: string } => {
    const url: unknown = (request as { url?: unknown }).url;
    return typeof url === 'string' ? { url: url.replace('PORT', String(a.port)) } : {};
  };

  it.each([
    ['no request', undefined],
    ['a string', 'http://x'],
    ['an array', []],
    ['a negative id', { id: -1 }],
    ['a fractional id', { id: 1.5 }],
    ['a string id', { id: '1' }],
    ['a URL object', { url: new URL('http://127.0.0.1/') }],
    ['an unparsable URL', { url: 'http://[' }],
    ['a file: URL', { url: 'file:///etc/passwd' }],
    ['a data: URL', { url: 'data:text/plain,hi' }],
    ['an ftp: URL', { url: 'ftp://example.com/' }],
    ['a huge URL', { url: `http://example.com/${'a'.repeat(20_000)}` }],
    ['a method that is not a string', { method: 1 }],
    ['an empty method', { method: '' }],
    ['a forbidden method', { method: 'CONNECT' }],
    ['an invalid method', { method: 'GE T' }],
    ['headers as an object', { headers: { a: 'b' } }],
    ['a header pair of three', { headers: [['a', 'b', 'c']] }],
    ['a header value that is not a string', { headers: [['a', 1]] }],
    ['an invalid header name', { headers: [['bad name', 'x']] }],
    ['a header value with a newline', { headers: [['x-a', 'b\r\nx-injected: 1']] }],
    ['huge headers', { headers: [['x-big', 'v'.repeat(200_000)]] }],
    ['a string body', { method: 'POST', body: 'text' }],
    ['a typed array body', { method: 'POST', body: new Uint8Array(2) }],
    ['a GET with a body', { body: new ArrayBuffer(2) }],
    ['an unknown redirect mode', { redirect: 'sometimes' }],
    ['URL credentials', { url: 'http://user:pass@127.0.0.1:PORT/echo' }],
  ])('%s is a TypeError', async (_, request) => {
    const inv = invocation();
    const promise = request !== null && typeof request === 'object' && !Array.isArray(request)
      ? inv.start({ url: `${a.origin}/echo`, ...request, ...withPort(request) })
      : inv.call('fetch.start', request);
    expect((await rejection(promise)).name).toBe('TypeError');
  });

  it('an id already in use in this invocation is a TypeError', async () => {
    const inv = invocation();
    await inv.start({ id: 7, url: `${a.origin}/echo` });
    expect((await rejection(inv.start({ id: 7, url: `${a.origin}/echo` }))).name).toBe('TypeError');
  });
});

describe('fetch host ops: barred destinations', () => {
  /** Starts a fetch that must be barred; returns the error. */
  async function barred(url: string, allow: string[] = []): Promise<OpError> {
    const error = await rejection(invocation({ allow }).start({ url }));
    expect(error.name).toBe('TypeError');
    return error;
  }

  it('127.0.0.1 without an allow-list entry is barred before any connection', async () => {
    const before = a.connections;
    expect((await barred(`${a.origin}/echo`)).message).toMatch(/127\.0\.0\.1.*loopback/);
    expect(a.connections).toBe(before);
  });

  it('an allow-list entry for another port does not open this one', async () => {
    const before = b.connections;
    expect((await barred(`${b.origin}/echo`, [`127.0.0.1:${a.port}`])).message).toMatch(/loopback/);
    expect(b.connections).toBe(before);
  });

  it.each([
    ['[::1]', 'http://[::1]:1234/', /loopback/],
    ['169.254.169.254 (cloud metadata)', 'http://169.254.169.254/latest/meta-data/', /link-local/],
    ['0.0.0.0', `http://0.0.0.0:${0}/`, /unspecified/],
    ['::ffff:127.0.0.1', 'http://[::ffff:127.0.0.1]:1234/', /loopback/],
    ['127.0.0.1 spelled as a number', 'http://2130706433:1234/', /loopback/],
    ['127.0.0.1 spelled in hex', 'http://0x7f.1:1234/', /loopback/],
    ['10.0.0.1', 'http://10.0.0.1/', /private/],
    ['192.168.0.1 over https', 'https://192.168.0.1/', /private/],
    ['100.64.0.1', 'http://100.64.0.1/', /CGNAT/],
    ['fd00::1', 'http://[fd00::1]/', /unique-local/],
    ['fe80::1', 'http://[fe80::1]/', /link-local/],
  ])('%s is barred', async (_, url, reason) => {
    expect((await barred(url.replace(':0/', `:${a.port}/`))).message).toMatch(reason);
  });

  it('a hostname that resolves to loopback (localhost) is barred', async () => {
    const before = a.connections;
    expect((await barred(`http://localhost:${a.port}/echo`)).message).toMatch(/localhost.*resolves to .*loopback/);
    expect(a.connections).toBe(before);
  });

  it('a hostname on the allow-list is reached although it resolves to loopback', async () => {
    const inv = invocation({ allow: [`localhost:${a.port}`] });
    expect((await inv.start({ url: `http://localhost:${a.port}/echo` })).status).toBe(201);
  });

  it('a redirect from an allowed host to a barred port of it is refused at that hop', async () => {
    const before = b.connections;
    const to = encodeURIComponent(`${b.origin}/echo`);
    expect((await barred(`${a.origin}/redirect?to=${to}`, [`127.0.0.1:${a.port}`])).message).toMatch(/loopback/);
    expect(b.connections).toBe(before);
  });

  it('a redirect from an allowed host to a name that resolves to loopback is refused', async () => {
    const before = b.connections;
    const to = encodeURIComponent(`http://localhost:${b.port}/echo`);
    expect((await barred(`${a.origin}/redirect?to=${to}`, [`127.0.0.1:${a.port}`])).message).toMatch(/localhost.*loopback/);
    expect(b.connections).toBe(before);
  });

  it('a barred fetch still counts as a subrequest', async () => {
    const inv = invocation({ allow: [], maxSubrequests: 1 });
    expect((await rejection(inv.start({ url: 'http://127.0.0.1:1234/' }))).message).toMatch(/loopback/);
    expect((await rejection(inv.start({ url: 'http://127.0.0.1:1234/' }))).message).toMatch(/subrequests/);
  });
});

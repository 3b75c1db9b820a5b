/**
 * The real runtime bundle in a real isolate, driven through GuestIsolate as a sandbox host
 * drives it: request in, GuestResult out through the `done` hook.
 */
import ivm from 'isolated-vm';
import { describe, expect, it } from 'vitest';
import type { FunctionMeta, GuestRequest, GuestResult, LogLevel } from '../../sandbox/src/bridge.ts';
import type { GuestIsolate } from '../../src/sandbox-host/isolate.ts';
import { guestIsolates, nodeTimers } from '../helpers/guest.ts';

const isolates = guestIsolates();

interface Instance {
  guest: GuestIsolate;
  logs: { level: LogLevel; text: string }[];
  invoke(request: GuestRequest, body?: Uint8Array): Promise<GuestResult>;
}

/** Boots an isolate with the runtime and loads `code`; timers fire on Node's own timers. */
function start(code: string, meta: Partial<FunctionMeta> = {}, env: Record<string, string> = {}): Instance {
  const guest = isolates.boot();
  const logs: Instance['logs'] = [];
  const pending = new Map<number, (r: GuestResult) => void>();
  guest.setHooks({
    log: (level, text) => void logs.push({ level, text }),
    ...nodeTimers(guest),
    done: (id, result) => {
      pending.get(id)?.(result);
      pending.delete(id);
    },
    call: () => {
      throw new TypeError('no host operations in these tests');
    },
    chunk: () => {},
    end: () => {},
    finished: () => {},
  });
  const loaded = guest.load(code, 'fn.js', env, { name: 'fn', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20, ...meta });
  expect(loaded.kind, JSON.stringify(loaded)).toBe('loaded');
  let nextId = 1;
  return {
    guest,
    logs,
    invoke(request, body) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        guest.invoke(id, request, body === undefined ? undefined : (body.slice().buffer as ArrayBuffer));
      });
    },
  };
}

function http(over: Partial<Extract<GuestRequest, { kind: 'http' }>> = {}): GuestRequest {
  return {
    kind: 'http',
    requestId: 'req-1',
    method: 'GET',
    url: 'http://fn.test/a/b?x=1&y=%20z',
    basePath: '/fn/fn',
    headers: [
      ['host', 'fn.test'],
      ['user-agent', 'vitest'],
    ],
    sourceIp: '203.0.113.9',
    timeEpochMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    deadlineMs: Date.now() + 30_000,
    ...over,
  };
}

/** The body as the client gets it: text bodies leave the isolate as strings, binary ones as bytes. */
const text = (r: GuestResult) =>
  r.kind !== 'response' || r.body === null ? '' : typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('utf8');
const json = (r: GuestResult) => JSON.parse(text(r));

describe('runtime: Workers style', () => {
  it('workers: hello world gives a 200 text/plain response', async () => {
    const fn = start("module.exports.default = { fetch(req) { return new Response('hello') } }");
    const r = await fn.invoke(http());
    expect(r).toMatchObject({ kind: 'response', status: 200, headers: [['content-type', 'text/plain;charset=UTF-8']] });
    expect(text(r)).toBe('hello');
    // warm: the second invocation in the same instance behaves the same
    expect(text(await fn.invoke(http()))).toBe('hello');
  });

  it('workers: the handler sees method, url, headers and body bytes; status and headers come back', async () => {
    const fn = start(`module.exports.default = {
      async fetch(req, env) {
        const bytes = new Uint8Array(await req.arrayBuffer());
        const url = new URL(req.url);
        return Response.json({
          method: req.method, url: req.url, q: url.searchParams.get('y'), path: url.pathname,
          ua: req.headers.get('user-agent'), multi: req.headers.get('x-multi'),
          bytes: [...bytes], secret: env.SECRET, isRequest: req instanceof Request,
        }, { status: 201, headers: { 'x-reply': 'yes' } });
      },
    };`, {}, { SECRET: 's3' });
    const r = await fn.invoke(
      http({ method: 'POST', headers: [['host', 'fn.test'], ['User-Agent', ' ua '], ['x-multi', 'a'], ['x-multi', 'b']] }),
      new Uint8Array([0, 1, 255]),
    );
    expect(r.kind).toBe('response');
    if (r.kind !== 'response') return;
    expect(r.status).toBe(201);
    expect(r.headers).toContainEqual(['x-reply', 'yes']);
    expect(r.headers).toContainEqual(['content-type', 'application/json']);
    expect(json(r)).toEqual({
      method: 'POST', url: 'http://fn.test/a/b?x=1&y=%20z', q: ' z', path: '/a/b',
      ua: 'ua', multi: 'a, b', bytes: [0, 1, 255], secret: 's3', isRequest: true,
    });
  });

  it('workers: header lists cross the boundary whole (empty values, repeats, order); a pair with a line feed is dropped, never split in two', async () => {
    const fn = start(`module.exports.default = {
      fetch(req) {
        const h = new Headers();
        h.append('set-cookie', 'a=1');
        h.append('x-empty', '');
        h.append('set-cookie', 'b=2');
        return new Response(JSON.stringify([...req.headers]), { headers: h });
      },
    };`);
    const r = await fn.invoke(http({ headers: [['host', 'fn.test'], ['x-empty', ''], ['x-b', '2'], ['x-evil', 'v\nx-injected\nyes'], ['x-a', '1']] }));
    expect(r.kind).toBe('response');
    if (r.kind !== 'response') return;
    expect(json(r)).toEqual([['host', 'fn.test'], ['x-a', '1'], ['x-b', '2'], ['x-empty', '']]);
    expect(r.headers).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-empty', ''], ['content-type', 'text/plain;charset=UTF-8']]);
  });

  it('workers: a Request made from another takes over its text body and leaves it used', async () => {
    const fn = start(`module.exports.default = { async fetch() {
      const a = new Request('http://x/', { method: 'POST', body: 'héllo' });
      const b = new Request(a);
      let reused = 'no';
      try { await a.text(); } catch (e) { reused = e.name; }
      return new Response(JSON.stringify({ b: await b.text(), aUsed: a.bodyUsed, reused, bytes: (await new Response('héllo').arrayBuffer()).byteLength }));
    } }`);
    const r = await fn.invoke(http());
    expect(JSON.parse(text(r))).toEqual({ b: 'héllo', aUsed: true, reused: 'TypeError', bytes: 6 });
  });

  it('workers: a handler returning something other than a Response is invalid', async () => {
    const fn = start("module.exports.default = { fetch() { return { status: 200, body: 'x' } } }");
    expect((await fn.invoke(http())).kind).toBe('invalid');
  });

  it('workers: a throw or a rejection is an error result', async () => {
    const fn = start("module.exports.default = { async fetch(req) { if (req.url.endsWith('t')) throw new TypeError('x'); return Promise.reject(new Error('y')) } }");
    expect(await fn.invoke(http({ url: 'http://fn.test/t' }))).toMatchObject({ kind: 'error', name: 'TypeError' });
    expect(await fn.invoke(http({ url: 'http://fn.test/r' }))).toMatchObject({ kind: 'error', name: 'Error' });
  });
});

describe('runtime: Lambda style', () => {
  it('lambda: hello world maps statusCode and body', async () => {
    const fn = start("module.exports.handler = async () => ({ statusCode: 200, body: 'hi' })");
    const r = await fn.invoke(http());
    expect(r).toMatchObject({ kind: 'response', status: 200 });
    expect(text(r)).toBe('hi');
  });

  it('lambda: the event is an API Gateway HTTP API payload 2.0', async () => {
    const fn = start('module.exports.handler = async (event, context) => ({ statusCode: 200, body: JSON.stringify({ event, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 }) })');
    const r = await fn.invoke(
      http({
        method: 'PUT',
        headers: [['Host', 'fn.test'], ['Cookie', 'a=1; b=2'], ['X-Dup', '1'], ['x-dup', '2'], ['content-type', 'application/octet-stream']],
      }),
      new Uint8Array([0xff, 0x00]),
    );
    const { event, fn: name, left } = json(r);
    expect(name).toBe('fn');
    expect(left).toBe(true);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/a/b',
      rawQueryString: 'x=1&y=%20z',
      cookies: ['a=1', 'b=2'],
      headers: { host: 'fn.test', 'x-dup': '1,2', 'content-type': 'application/octet-stream' },
      queryStringParameters: { x: '1', y: ' z' },
      requestContext: {
        domainName: 'fn.test',
        http: { method: 'PUT', path: '/a/b', sourceIp: '203.0.113.9' },
        requestId: 'req-1',
        time: '02/Jan/2026:03:04:05 +0000',
        timeEpoch: Date.UTC(2026, 0, 2, 3, 4, 5),
      },
      body: '/wA=',
      isBase64Encoded: true,
    });
    expect(event.headers.cookie).toBeUndefined();
  });

  it('lambda: a string result is a 200 body; an object without statusCode is a 200 JSON body', async () => {
    const fn = start("module.exports.handler = async (e) => e.rawPath === '/s' ? 'plain' : { ok: true }");
    expect(text(await fn.invoke(http({ url: 'http://fn.test/s' })))).toBe('plain');
    const r = await fn.invoke(http({ url: 'http://fn.test/o' }));
    expect(r).toMatchObject({ kind: 'response', status: 200, headers: [['content-type', 'application/json']] });
    expect(json(r)).toEqual({ ok: true });
  });

  it('lambda: cookies become set-cookie headers and isBase64Encoded bodies are decoded', async () => {
    const fn = start("exports.handler = async () => ({ statusCode: 202, headers: { 'X-A': 'b' }, cookies: ['c=1', 'd=2'], body: 'AAEC', isBase64Encoded: true })");
    const r = await fn.invoke(http());
    expect(r.kind).toBe('response');
    if (r.kind !== 'response') return;
    expect(r.status).toBe(202);
    expect(r.headers).toEqual(expect.arrayContaining([['x-a', 'b'], ['set-cookie', 'c=1'], ['set-cookie', 'd=2']]));
    expect([...new Uint8Array(r.body as ArrayBuffer)]).toEqual([0, 1, 2]);
  });

  it('lambda: callback-style handlers and a direct event invoke', async () => {
    const fn = start('exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { got: event.n ?? event.rawPath }), 1) }');
    expect(json(await fn.invoke(http()))).toEqual({ got: '/a/b' });
    const r = await fn.invoke({ kind: 'event', requestId: 'e1', payload: '{"n":7}', timeEpochMs: Date.now(), deadlineMs: Date.now() + 1000 });
    expect(r).toEqual({ kind: 'result', payload: '{"got":7}' });
  });
});

describe('runtime: Web APIs inside the isolate', () => {
  it('console: each call reaches the host as one formatted line with its level', async () => {
    const fn = start("module.exports.default = { fetch() { console.log('a', 1, { b: [2] }); console.error(new Error('boom')); return new Response('') } }");
    await fn.invoke(http());
    expect(fn.logs[0]).toEqual({ level: 'log', text: 'a 1 { b: [ 2 ] }' });
    expect(fn.logs[1]!.level).toBe('error');
    expect(fn.logs[1]!.text).toContain('boom');
  });

  it('timers: setTimeout, clearTimeout and setInterval run through host timers', async () => {
    const fn = start(`module.exports.default = { fetch() {
      return new Promise((resolve) => {
        const order = [];
        const never = setTimeout(() => order.push('cleared'), 5);
        clearTimeout(never);
        let n = 0;
        const iv = setInterval(() => { order.push('tick' + ++n); if (n === 2) clearInterval(iv); }, 1);
        setTimeout((x) => { order.push(x); resolve(new Response(order.join(','))); }, 30, 'done');
      });
    } }`);
    expect(text(await fn.invoke(http()))).toBe('tick1,tick2,done');
  });

  it('structuredClone and crypto.getRandomValues / randomUUID work', async () => {
    const fn = start(`module.exports.default = { fetch() {
      const o = { d: new Date(5), m: new Map([[1, { x: 1 }]]), u: new Uint8Array([1, 2]) };
      o.self = o;
      const c = structuredClone(o);
      const a = crypto.getRandomValues(new Uint8Array(32));
      let threw = '';
      try { structuredClone(() => 1); } catch (e) { threw = e.name; }
      return Response.json({
        cycle: c.self === c, date: c.d.getTime(), map: c.m.get(1).x, bytes: [...c.u], distinct: c !== o,
        random: a.some((b) => b !== 0), len: a.length, uuid: /^[0-9a-f-]{36}$/.test(crypto.randomUUID()), threw,
      });
    } }`);
    expect(json(await fn.invoke(http()))).toEqual({
      cycle: true, date: 5, map: 1, bytes: [1, 2], distinct: true, random: true, len: 32, uuid: true, threw: 'DataCloneError',
    });
  });

  it('URL: parses on first use and is a WebIDL data property afterwards', async () => {
    const fn = start(`module.exports.default = { fetch() {
      const u = new URL('HTTP://Example.COM:80/a/../b?c#d');
      const d = Object.getOwnPropertyDescriptor(globalThis, 'URL');
      return Response.json({ href: u.href, data: 'value' in d && d.writable && !d.enumerable, sp: new URLSearchParams('a=1').get('a') });
    } }`);
    expect(json(await fn.invoke(http()))).toEqual({ href: 'http://example.com/b?c#d', data: true, sp: '1' });
  });

  it('URL: non-ASCII hosts load the IDNA tables from the host, even after a guest replaced eval and Function', async () => {
    const fn = start(`
      globalThis.eval = () => { throw new Error('guest eval'); };
      globalThis.Function = function () { throw new Error('guest Function'); };
      module.exports.default = { fetch() {
        return Response.json({ a: new URL('https://fa\u00df.ExAmPlE/').host, b: new URL('http://xn--bcher-kva.example/').hostname, c: new URL('http://\u0431\u0443\u043a\u0432\u044b.\u0440\u0444/x').href });
      } }`);
    expect(json(await fn.invoke(http()))).toEqual({ a: 'xn--fa-hia.example', b: 'xn--bcher-kva.example', c: 'http://xn--90acx9a4b.xn--p1ai/x' });
  });
});

describe('runtime: isolation from the host', () => {
  it('globals: nothing of the bridge or isolated-vm is reachable; only the Web API globals are added', async () => {
    // The globals of a bare context of the same V8, to compare against.
    const bare = new ivm.Isolate({ memoryLimit: 16 });
    const names = bare.createContextSync().evalSync('JSON.stringify(Object.getOwnPropertyNames(globalThis))') as string;
    const builtins = new Set(JSON.parse(names) as string[]);
    bare.dispose();
    const fn = start(`module.exports.default = { fetch() {
      const names = Object.getOwnPropertyNames(globalThis).concat(Object.getOwnPropertySymbols(globalThis).map(String));
      return Response.json({ names, bridge: typeof __atollBridge, ivm: typeof ivm, sab: typeof SharedArrayBuffer, wait: typeof Atomics.wait });
    } }`);
    const out = json(await fn.invoke(http()));
    expect(out).toMatchObject({ bridge: 'undefined', ivm: 'undefined', sab: 'undefined', wait: 'undefined' });
    const added = (out.names as string[]).filter((n) => !builtins.has(n)).sort();
    expect(added).toEqual(
      [
        'AbortController', 'AbortSignal', 'Blob', 'Crypto', 'CryptoKey', 'CustomEvent', 'DOMException', 'Event', 'EventTarget', 'File',
        'FormData', 'Headers', 'Navigator', 'Performance', 'Request', 'Response', 'SubtleCrypto', 'TextDecoder', 'TextEncoder', 'URL',
        'URLPattern', 'URLSearchParams', 'atob', 'btoa', 'clearInterval', 'clearTimeout', 'crypto', 'fetch', 'navigator',
        'performance', 'queueMicrotask', 'self', 'setInterval', 'setTimeout', 'structuredClone',
        // streams (a lazy module: accessors until first use)
        'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamDefaultController',
        'ReadableByteStreamController', 'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
        'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
        'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
      ].sort(),
    );
  });

  it("gc: V8's gc, on every context of a process run with --expose-gc (as sandbox hosts are), is undefined for the guest and cannot be put back", async () => {
    const bare = new ivm.Isolate({ memoryLimit: 16 });
    // The precondition: this process, like a sandbox host, exposes gc to the contexts it makes.
    expect(bare.createContextSync().evalSync('typeof gc')).toBe('function');
    bare.dispose();
    const fn = start(`module.exports.default = { fetch() {
      const attempt = (f) => { try { f(); return 'done'; } catch (e) { return e.name; } };
      return Response.json({
        gc: typeof gc,
        assign: attempt(() => { globalThis.gc = () => 1; }),
        define: attempt(() => Object.defineProperty(globalThis, 'gc', { value: () => 1 })),
        remove: attempt(() => { delete globalThis.gc; }),
        after: typeof globalThis.gc,
      });
    } }`);
    expect(json(await fn.invoke(http()))).toEqual({ gc: 'undefined', assign: 'TypeError', define: 'TypeError', remove: 'TypeError', after: 'undefined' });
  });

  it('globals: no global value or its prototype chain leads to a host Reference or Callback', async () => {
    const fn = start(`module.exports.default = { fetch() {
      const seen = new Set(); const found = [];
      const walk = (v, path, depth) => {
        if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v) || depth > 4) return;
        seen.add(v);
        const ctor = Object.getPrototypeOf(v)?.constructor?.name;
        if (['Reference', 'Callback', 'ExternalCopy', 'Isolate', 'Context', 'Script'].includes(ctor)) found.push(path);
        for (const k of Reflect.ownKeys(v)) {
          const d = Reflect.getOwnPropertyDescriptor(v, k);
          if (d && 'value' in d) walk(d.value, path + '.' + String(k), depth + 1);
        }
        walk(Object.getPrototypeOf(v), path + '.__proto__', depth + 1);
      };
      walk(globalThis, 'globalThis', 0);
      return Response.json(found);
    } }`);
    expect(json(await fn.invoke(http()))).toEqual([]);
  });
});

describe('runtime: a guest that patches builtins', () => {
  const PATCHES = `
    Array.prototype.push = function () { throw new Error('push patched'); };
    Object.defineProperty(Array.prototype, '0', { __proto__: null, set() { throw new Error('index setter'); }, configurable: true });
    Object.defineProperty(Array.prototype, '1', { __proto__: null, set() { throw new Error('index setter'); }, configurable: true });
    // 'get' and 'value' on Object.prototype would turn any descriptor built as a plain object into an accessor.
    for (const k of ['kind', 'status', 'body', 'headers', 'statusText', 'payload', 'host', 'cookies', 'value', 'get', 'set', 'then']) {
      Object.defineProperty(Object.prototype, k, { __proto__: null, set() { throw new Error('setter ' + k); }, configurable: true });
    }
    const then = Promise.prototype.then;
    Promise.prototype.then = function (a, b) { globalThis.sawThen = (globalThis.sawThen || 0) + 1; return then.call(this, a, b); };
    JSON.stringify = () => '"patched"';
    JSON.parse = () => ({ patched: true });
    Object.defineProperty(ArrayBuffer.prototype, 'byteLength', { __proto__: null, get() { return 0; } });
    Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength', { __proto__: null, get() { return 0; } });
    Array.prototype[Symbol.iterator] = function* () { throw new Error('iterator patched'); };
    String.prototype[Symbol.split] = () => { throw new Error('split patched'); };
    // Array methods such as splice make their result through the species of the array's constructor.
    Object.defineProperty(Array, Symbol.species, { __proto__: null, get() { throw new Error('species patched'); }, configurable: true });
  `;

  it('workers: the response still arrives whole, or fails cleanly', async () => {
    const fn = start(`${PATCHES}
      module.exports.default = { async fetch(req) {
        // Both splice the runtime's internal lists.
        const params = new URLSearchParams('a=1&b=2');
        params.delete('a');
        const listener = () => {};
        req.signal.addEventListener('abort', listener);
        req.signal.removeEventListener('abort', listener);
        return new Response('ok ' + req.method + ' ' + params, { headers: { 'x-a': '1' } });
      } };`);
    for (let i = 0; i < 3; i++) {
      const r = await fn.invoke(http({ headers: [['host', 'fn.test'], ['cookie', 'a=1; b=2']] }));
      // 'error' or 'invalid' would be a clean failure; the runtime does better and answers correctly.
      expect(r.kind).toBe('response');
      if (r.kind === 'response') {
        expect(r.status).toBe(200);
        expect(text(r)).toBe('ok GET b=2');
        expect(r.headers).toContainEqual(['x-a', '1']);
      }
    }
  });

  it('lambda: the result path is not subverted by the patches', async () => {
    const fn = start(`${PATCHES}
      exports.handler = async (event) => ({ statusCode: 200, headers: { 'x-a': '1' }, cookies: ['c=1'], body: 'hi ' + event.cookies.length });`);
    const r = await fn.invoke(http({ headers: [['host', 'fn.test'], ['cookie', 'a=1; b=2']] }));
    expect(r.kind).toBe('response');
    if (r.kind === 'response') {
      expect(r.status).toBe(200);
      expect(text(r)).toBe('hi 2');
      expect(r.headers).toEqual(expect.arrayContaining([['x-a', '1'], ['set-cookie', 'c=1']]));
    }
  });
});

describe('runtime: response size limit', () => {
  const meta = { maxResponseBytes: 1000 };

  it('size: a Workers body over maxResponseBytes is tooLarge, also with byteLength getters patched', async () => {
    const fn = start(`
      module.exports.default = { fetch(req) {
        if (req.url.endsWith('/patched')) {
          Object.defineProperty(ArrayBuffer.prototype, 'byteLength', { get() { return 0; } });
          Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'byteLength', { get() { return 0; } });
          Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'length', { get() { return 0; } });
        }
        if (req.url.endsWith('/view')) {
          const big = new Uint8Array(5000);
          Object.defineProperty(big, 'byteLength', { value: 1 });
          return new Response(big);
        }
        return new Response('x'.repeat(5000));
      } };`, meta);
    expect(await fn.invoke(http({ url: 'http://fn.test/plain' }))).toEqual({ kind: 'tooLarge', bytes: 5000 });
    expect(await fn.invoke(http({ url: 'http://fn.test/view' }))).toEqual({ kind: 'tooLarge', bytes: 5000 });
    expect(await fn.invoke(http({ url: 'http://fn.test/patched' }))).toEqual({ kind: 'tooLarge', bytes: 5000 });
  });

  it('size: a Lambda body, base64 body or direct-invoke result over the limit is tooLarge', async () => {
    const fn = start(`exports.handler = async (e) => {
      if (e.n === 1) return 'y'.repeat(3000);
      if (e.rawPath === '/b64') return { statusCode: 200, body: btoa('z'.repeat(3000)), isBase64Encoded: true };
      return { statusCode: 200, body: 'x'.repeat(3000) };
    }`, meta);
    expect((await fn.invoke(http())).kind).toBe('tooLarge');
    expect((await fn.invoke(http({ url: 'http://fn.test/b64' }))).kind).toBe('tooLarge');
    const r = await fn.invoke({ kind: 'event', requestId: 'e', payload: '{"n":1}', timeEpochMs: 0, deadlineMs: Date.now() + 1000 });
    expect(r.kind).toBe('tooLarge');
  });
});

describe('runtime: idle compaction', () => {
  it('compact() frees the garbage an idle isolate holds: 4 MB dropped by the last invocation leave the heap', async () => {
    // The first invocation keeps 4 MB long enough to reach the old generation; the second
    // drops it. Nothing else makes V8 collect the old generation of an idle isolate.
    const fn = start(`let kept = null; module.exports.default = { fetch(req) {
      if (new URL(req.url).pathname === '/keep') kept = Array.from({ length: 50000 }, (_, i) => ({ i, s: 'item ' + i }));
      else kept = null;
      return new Response(String(kept === null ? 0 : kept.length));
    } }`);
    expect(text(await fn.invoke(http({ url: 'http://fn.test/keep' })))).toBe('50000');
    expect(text(await fn.invoke(http({ url: 'http://fn.test/drop' })))).toBe('0');
    const before = fn.guest.heapUsedBytes();
    fn.guest.compact();
    const after = fn.guest.heapUsedBytes();
    expect(before - after).toBeGreaterThan(3 * 1024 * 1024);
    // The instance is as good as before.
    expect(text(await fn.invoke(http({ url: 'http://fn.test/drop' })))).toBe('0');
  });
});

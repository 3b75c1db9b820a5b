/**
 * structuredClone in a real isolate: what depends on the runtime having booted first (the
 * global Proxy) and on V8 inside isolated-vm (ArrayBuffer.prototype.transfer).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../sandbox/build.ts';
import type { GuestResult } from '../../sandbox/src/bridge.ts';
import { GuestIsolate, RuntimeScript } from '../../src/sandbox-host/isolate.ts';

let runtime: RuntimeScript;
/** Lazy modules the isolates asked the host for. */
const lazyLoads: string[] = [];
const running: GuestIsolate[] = [];

beforeAll(async () => {
  runtime = new RuntimeScript(await buildRuntime());
  const lazySource = runtime.lazySource.bind(runtime);
  runtime.lazySource = (name: string) => {
    lazyLoads.push(name);
    return lazySource(name);
  };
});

afterEach(() => {
  for (const g of running.splice(0)) g.dispose();
  lazyLoads.length = 0;
});

/**
 * Runs `body` (a function body, `await` allowed) in a fetch handler of a fresh isolate, after
 * the module's top level ran `topLevel`, and returns what it returns, through JSON.
 */
async function guest(body: string, topLevel = ''): Promise<unknown> {
  const g = new GuestIsolate(runtime, 64, () => {});
  running.push(g);
  let resolve!: (r: GuestResult) => void;
  const done = new Promise<GuestResult>((r) => (resolve = r));
  g.setHooks({
    log: () => {},
    setTimer: () => {},
    clearTimer: () => {},
    done: (_id, result) => resolve(result),
    call: () => {
      throw new TypeError('no host operations in these tests');
    },
    chunk: () => {},
    end: () => {},
    finished: () => {},
  });
  const code = `${topLevel}\nmodule.exports.default = { async fetch() { return Response.json(await (async () => { ${body} })()); } };`;
  const loaded = g.load(code, 'fn.js', {}, { name: 'fn', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20 });
  expect(loaded.kind, JSON.stringify(loaded)).toBe('loaded');
  g.invoke(1, { kind: 'http', requestId: 'r', method: 'GET', url: 'http://fn.test/', basePath: '/fn/fn', headers: [], sourceIp: '203.0.113.9', timeEpochMs: Date.now(), deadlineMs: Date.now() + 30_000 }, undefined);
  const result = await done;
  expect(result.kind, JSON.stringify(result)).toBe('response');
  const r = result as Extract<GuestResult, { kind: 'response' }>;
  return JSON.parse(typeof r.body === 'string' ? r.body : Buffer.from(r.body!).toString('utf8'));
}

/** Guest code: the name of what `f()` throws, or 'returned'. */
const THROWN = `const thrown = (f) => { try { f(); return 'returned'; } catch (e) { return e.name; } };`;

describe('structuredClone in an isolate', () => {
  it('structuredClone: a Proxy made by guest code, at top level or later, is a DataCloneError', async () => {
    const out = await guest(
      `${THROWN}
      return [
        thrown(() => structuredClone(early)),
        thrown(() => structuredClone(new Proxy({}, {}))),
        thrown(() => structuredClone({ list: [new Proxy([1], {})] })),
        thrown(() => structuredClone(Proxy.revocable({}, {}).proxy)),
        thrown(() => structuredClone(new Proxy(() => 1, {}))),
      ];`,
      'const early = new Proxy({ a: 1 }, {});',
    );
    expect(out).toEqual(['DataCloneError', 'DataCloneError', 'DataCloneError', 'DataCloneError', 'DataCloneError']);
  });

  it('Proxy: the global Proxy still behaves as %Proxy%', async () => {
    const out = await guest(`${THROWN}
      const p = new Proxy({ a: 1 }, { get: (t, k) => (k === 'b' ? 2 : t[k]) });
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const d = Object.getOwnPropertyDescriptor(globalThis, 'Proxy');
      return {
        values: [p.a, p.b], name: Proxy.name, length: Proxy.length, prototype: 'prototype' in Proxy,
        call: thrown(() => Proxy({}, {})), extend: thrown(() => class extends Proxy {}), revoked: thrown(() => proxy.x),
        attributes: [d.writable, d.enumerable, d.configurable],
      };`);
    expect(out).toEqual({
      values: [1, 2], name: 'Proxy', length: 2, prototype: false,
      call: 'TypeError', extend: 'TypeError', revoked: 'TypeError', attributes: [true, false, true],
    });
  });

  it('structuredClone: runtime objects are DataCloneErrors, also with their prototype replaced; a DOMException clones', async () => {
    const out = await guest(`${THROWN}
      const objects = [new Headers(), new Request('http://a.test/'), new Response('x'), new URL('http://a.test/'), new URLSearchParams(),
        new TextEncoder(), crypto, new ReadableStream(), new TextDecoderStream()];
      const e = structuredClone(new DOMException('gone', 'AbortError'));
      return {
        plain: objects.map((o) => thrown(() => structuredClone(o))),
        swapped: objects.map((o) => thrown(() => structuredClone(Object.setPrototypeOf(o, Object.prototype)))),
        lookalike: Object.keys(structuredClone(Object.assign(Object.create(URL.prototype), { x: 1 }))),
        domException: [e instanceof DOMException, e.name, e.message, e.code],
      };`);
    expect(out).toEqual({
      plain: Array(9).fill('DataCloneError'),
      swapped: [...Array(5).fill('DataCloneError'), 'returned', 'returned', 'DataCloneError', 'returned'],
      lookalike: ['x'],
      domException: [true, 'AbortError', 'gone', 20],
    });
  });

  it('structuredClone: transfer detaches ArrayBuffers in the isolate', async () => {
    const out = await guest(`${THROWN}
      const buf = new Uint8Array([1, 2, 3, 4]).buffer;
      const view = new Uint8Array(buf, 1, 2);
      const c = structuredClone({ buf, view }, { transfer: [buf] });
      return {
        original: [buf.byteLength, view.length], clone: [...new Uint8Array(c.buf)], view: [...c.view], shared: c.view.buffer === c.buf,
        duplicate: thrown(() => structuredClone(1, { transfer: [c.buf, c.buf] })),
        notTransferable: thrown(() => structuredClone(1, { transfer: [{}] })),
        notSequence: thrown(() => structuredClone(1, { transfer: 'x' })),
        detached: thrown(() => structuredClone(buf, { transfer: [buf] })),
      };`);
    expect(out).toEqual({
      original: [0, 0], clone: [1, 2, 3, 4], view: [2, 3], shared: true,
      duplicate: 'DataCloneError', notTransferable: 'DataCloneError', notSequence: 'TypeError', detached: 'DataCloneError',
    });
  });
});

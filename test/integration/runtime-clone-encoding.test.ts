/**
 * structuredClone and TextDecoder in a real isolate: what depends on the runtime having booted
 * first (the global Proxy), on V8 inside isolated-vm (ArrayBuffer.prototype.transfer) and on
 * the lazy modules the host hands out (the legacy encodings).
 */
import { describe, expect, it } from 'vitest';
import type { GuestResult } from '../../sandbox/src/bridge.ts';
import { guestIsolates } from '../helpers/guest.ts';

const { boot, lazyLoads } = guestIsolates();

/**
 * Runs `body` (a function body, `await` allowed) in a fetch handler of a fresh isolate, after
 * the module's top level ran `topLevel`, and returns what it returns, through JSON.
 */
async function guest(body: string, topLevel = ''): Promise<unknown> {
  const g = boot();
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
        new TextDecoder(), new TextEncoder(), crypto, new ReadableStream(), new TextDecoderStream()];
      const e = structuredClone(new DOMException('gone', 'AbortError'));
      return {
        plain: objects.map((o) => thrown(() => structuredClone(o))),
        swapped: objects.map((o) => thrown(() => structuredClone(Object.setPrototypeOf(o, Object.prototype)))),
        lookalike: Object.keys(structuredClone(Object.assign(Object.create(URL.prototype), { x: 1 }))),
        domException: [e instanceof DOMException, e.name, e.message, e.code],
      };`);
    expect(out).toEqual({
      plain: Array(10).fill('DataCloneError'),
      swapped: [...Array(6).fill('DataCloneError'), 'returned', 'returned', 'DataCloneError', 'returned'],
      lookalike: ['x'],
      domException: [true, 'AbortError', 'gone', 20],
    });
  });

  it('structuredClone: Blob and File are serialisable; FormData, events and abort signals are not', async () => {
    const out = await guest(`${THROWN}
      const blob = structuredClone(new Blob(['data'], { type: 'text/x' }));
      const file = structuredClone(new File(['abc'], 'a.txt', { lastModified: 42 }));
      return {
        blob: [blob instanceof Blob, blob instanceof File, blob.type, await blob.text()],
        file: [file instanceof File, file.name, file.lastModified, await file.text()],
        refused: [new FormData(), new EventTarget(), new Event('x'), new AbortController(), AbortSignal.abort()].map((o) => thrown(() => structuredClone(o))),
      };`);
    expect(out).toEqual({
      blob: [true, false, 'text/x', 'data'],
      file: [true, 'a.txt', 42, 'abc'],
      refused: Array(5).fill('DataCloneError'),
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

describe('TextDecoder in an isolate', () => {
  it('TextDecoder: utf-16be needs no lazy module; a single-byte encoding loads `encodings`, a multi-byte one `encodings-cjk` too', async () => {
    const out = await guest(`
      const a = new TextDecoder('utf-16be').decode(new Uint8Array([0xfe, 0xff, 0x00, 0x41, 0xd8, 0x3d, 0xdc, 0xa9]));
      return a;`);
    expect(out).toBe('A\ud83d\udca9');
    expect(lazyLoads).toEqual([]);
    const single = await guest(`return new TextDecoder('latin2').decode(new Uint8Array([0x41, 0xa1, 0xb1, 0xb9]));`);
    expect(single).toBe('A\u0104\u0105\u0161');
    expect(lazyLoads).toEqual(['encodings']);
    lazyLoads.length = 0;
    const multi = await guest(`return new TextDecoder('sjis').decode(new Uint8Array([0x82, 0xa0, 0x80]));`);
    expect(multi).toBe('\u3042\u0080');
    expect(lazyLoads).toEqual(['encodings', 'encodings-cjk']);
  });

  it('TextDecoder: legacy encodings decode, stream and fail as the Encoding Standard says', async () => {
    const out = await guest(`${THROWN}
      const b = (...x) => new Uint8Array(x);
      const sjis = new TextDecoder('shift_jis');
      const streamed = sjis.decode(b(0x41, 0x82), { stream: true }) + sjis.decode(b(0xa0), { stream: true }) + sjis.decode(b(0x82), { stream: true }) + sjis.decode();
      return {
        encodings: ['Latin2', ' KOI8-R ', 'gb2312', 'x-user-defined', 'csiso2022jp'].map((l) => new TextDecoder(l).encoding),
        koi8: new TextDecoder('koi8-r').decode(b(0xc1, 0xe1)),
        unmapped: new TextDecoder('iso-8859-3').decode(b(0xa5)),
        fatalUnmapped: thrown(() => new TextDecoder('iso-8859-3', { fatal: true }).decode(b(0xa5))),
        gbk: new TextDecoder('gbk').decode(b(0xc4, 0xe3, 0xba, 0xc3, 0x80)),
        gb18030: new TextDecoder('gb18030').decode(b(0x94, 0x39, 0xfc, 0x36, 0x84, 0x31, 0x95, 0x33)),
        big5: new TextDecoder('big5').decode(b(0xa4, 0x40, 0x88, 0x62, 0x80)),
        eucJp: new TextDecoder('euc-jp').decode(b(0xa4, 0xa2, 0x8e, 0xb1, 0x8f, 0xb0, 0xa1)),
        eucKr: new TextDecoder('euc-kr').decode(b(0xb0, 0xa1, 0x80)),
        iso2022jp: new TextDecoder('iso-2022-jp').decode(b(0x1b, 0x24, 0x42, 0x24, 0x22, 0x1b, 0x28, 0x42, 0x41)),
        streamed,
        fatal: thrown(() => new TextDecoder('euc-kr', { fatal: true }).decode(b(0x80))),
        replacement: thrown(() => new TextDecoder('iso-2022-kr')),
        kelvin: thrown(() => new TextDecoder('\\u212Aoi8-r')),
      };`);
    expect(out).toEqual({
      encodings: ['iso-8859-2', 'koi8-r', 'gbk', 'x-user-defined', 'iso-2022-jp'],
      koi8: '\u0430\u0410',
      unmapped: '\ufffd',
      fatalUnmapped: 'TypeError',
      gbk: '\u4f60\u597d\u20ac',
      gb18030: '\ud83d\ude00\ufeff',
      big5: '\u4e00\u00ca\u0304\ufffd',
      eucJp: '\u3042\uff71\u4e02',
      eucKr: '\uac00\ufffd',
      iso2022jp: '\u3042A',
      streamed: 'A\u3042\ufffd',
      fatal: 'TypeError',
      replacement: 'RangeError',
      kelvin: 'RangeError',
    });
  });

  it('TextDecoderStream: legacy and utf-16be decoding across chunks', async () => {
    const out = await guest(`
      const decode = async (label, chunks) => {
        const ds = new TextDecoderStream(label);
        const w = ds.writable.getWriter();
        for (const c of chunks) w.write(new Uint8Array(c));
        w.close();
        let s = '';
        for await (const part of ds.readable) s += part;
        return [ds.encoding, s];
      };
      return [
        await decode('UTF-16BE', [[0xfe], [0xff, 0x00], [0x41, 0xd8, 0x3d], [0xdc, 0xa9]]),
        await decode('shift_jis', [[0x82], [0xa0, 0x41, 0x82]]),
        await decode('koi8-u', [[0xc1], [0xe1]]),
      ];`);
    expect(out).toEqual([['utf-16be', 'A\ud83d\udca9'], ['shift_jis', '\u3042A\ufffd'], ['koi8-u', '\u0430\u0410']]);
  });

  it('TextDecoder: a guest that patched builtins before the first legacy decoder still gets the right text', async () => {
    const out = await guest(
      `${THROWN}
       return {
         text: new TextDecoder('windows-1251').decode(new Uint8Array([0x88, 0xc0])),
         encodings: [new TextDecoder('latin2').encoding, new TextDecoder('gbk').encoding],
         inherited: thrown(() => new TextDecoder('x-made-up')),
       };`,
      `String.prototype.charCodeAt = () => 0x41;
       Array.prototype.push = () => { throw new Error('push patched'); };
       Object.defineProperty(Array.prototype, '0', { set() { throw new Error('index setter'); }, configurable: true });
       // Not enumerable: an enumerable property on Object.prototype breaks esbuild's export helper in every lazy module.
       Object.defineProperty(Object.prototype, 'gbk', { value: '0:3k', configurable: true });
       Object.defineProperty(Object.prototype, 'x-made-up', { value: 'koi8-r', configurable: true });`,
    );
    expect(out).toEqual({ text: '\u20ac\u0410', encodings: ['iso-8859-2', 'gbk'], inherited: 'RangeError' });
    // gbk was not taken for a single-byte encoding with an inherited index.
    expect(lazyLoads).toEqual(['encodings', 'encodings-cjk']);
  });
});

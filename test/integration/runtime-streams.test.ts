/**
 * Streams in a real isolate, driven through GuestIsolate as a sandbox host drives it: a
 * streamed response comes out one `chunk` per `pull`, then `end` and `finished`.
 */
import { gunzipSync, gzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { GuestRequest, GuestResult } from '../../sandbox/src/bridge.ts';
import type { GuestIsolate } from '../../src/sandbox-host/isolate.ts';
import { guestIsolates, httpRequest, nodeTimers } from '../helpers/guest.ts';

const { boot, lazyLoads } = guestIsolates();

type StreamEvent = { chunk: Buffer } | { end: string | null };

interface Instance {
  guest: GuestIsolate;
  logs: string[];
  invoke(request?: GuestRequest, body?: Uint8Array): Promise<{ id: number; result: GuestResult }>;
  /** Asks for the next chunk and waits for what the runtime sends: a chunk or the end. */
  pull(id: number): Promise<StreamEvent>;
  /** Pulls to the end: the body and the end's error. */
  drain(id: number): Promise<{ body: Buffer; error: string | null; chunks: number }>;
  finished: Set<number>;
}

/** Boots an isolate with the runtime and loads `code`; timers fire on Node's own timers. */
function start(code: string): Instance {
  const guest = boot();
  const logs: string[] = [];
  const pending = new Map<number, (r: GuestResult) => void>();
  const queued = new Map<number, StreamEvent[]>();
  const waiting = new Map<number, (e: StreamEvent) => void>();
  const finished = new Set<number>();
  const emit = (id: number, e: StreamEvent) => {
    const w = waiting.get(id);
    if (w) {
      waiting.delete(id);
      w(e);
    } else {
      queued.set(id, [...(queued.get(id) ?? []), e]);
    }
  };
  guest.setHooks({
    log: (_level, text) => void logs.push(text),
    ...nodeTimers(guest),
    done: (id, result) => {
      pending.get(id)?.(result);
      pending.delete(id);
    },
    call: () => {
      throw new TypeError('no host operations in this test');
    },
    chunk: (id, chunk) => emit(id, { chunk: typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk) }),
    end: (id, error) => emit(id, { end: error }),
    finished: (id) => void finished.add(id),
  });
  const loaded = guest.load(code, 'fn.js', {}, { name: 'fn', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20 });
  expect(loaded.kind, JSON.stringify(loaded)).toBe('loaded');
  let nextId = 1;
  const pull = (id: number) =>
    new Promise<StreamEvent>((resolve) => {
      const q = queued.get(id);
      if (q?.length) return resolve(q.shift()!);
      waiting.set(id, resolve);
      guest.pull(id, 1);
    });
  return {
    guest,
    logs,
    finished,
    invoke(request = httpRequest(), body) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, (result) => resolve({ id, result }));
        guest.invoke(id, request, body === undefined ? undefined : (new Uint8Array(body).buffer as ArrayBuffer));
      });
    },
    pull,
    async drain(id) {
      const parts: Buffer[] = [];
      for (;;) {
        const e = await pull(id);
        if ('end' in e) return { body: Buffer.concat(parts), error: e.end, chunks: parts.length };
        parts.push(e.chunk);
      }
    },
  };
}


/** A Workers function whose fetch handler is `body` (with `req` in scope). */
const handler = (body: string) => `module.exports.default = { async fetch(req) { ${body} } };`;

/** The text of a buffered response. */
const text = (r: GuestResult) =>
  r.kind !== 'response' || r.body === null ? '' : typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('utf8');

describe('runtime: streamed responses', () => {
  it('stream: new Response(readable) streams one chunk per pull, then end and finished', async () => {
    const fn = start(handler(`
      let n = 0;
      return new Response(new ReadableStream({
        pull(c) { n++; if (n <= 3) c.enqueue(new TextEncoder().encode('part' + n + ';')); else c.close(); },
      }, { highWaterMark: 0 }), { headers: { 'content-type': 'text/plain' } });`));
    const { id, result } = await fn.invoke();
    expect(result).toEqual({
      kind: 'response', status: 200, statusText: '', headers: [['content-type', 'text/plain']], body: null, stream: true, finishLater: true,
    });
    expect(fn.finished.has(id)).toBe(false);
    expect(await fn.pull(id)).toEqual({ chunk: Buffer.from('part1;') });
    expect(await fn.pull(id)).toEqual({ chunk: Buffer.from('part2;') });
    expect(await fn.pull(id)).toEqual({ chunk: Buffer.from('part3;') });
    expect(await fn.pull(id)).toEqual({ end: null });
    expect(fn.finished.has(id)).toBe(true);
  });

  it('stream: one grant of n chunks sends up to n chunks from a single entry, no more', async () => {
    const fn = start(handler(`
      let n = 0;
      return new Response(new ReadableStream({
        pull(c) { n++; if (n <= 5) c.enqueue(new TextEncoder().encode('c' + n)); else c.close(); },
      }));`));
    const { id } = await fn.invoke();
    const sent: unknown[] = [];
    const chunk = (e: unknown) => sent.push(e);
    fn.guest.setHooks({
      log: () => {},
      setTimer: () => {},
      clearTimer: () => {},
      done: () => {},
      chunk: (_id, c) => chunk(Buffer.from(c as ArrayBuffer).toString()),
      end: (_id, e) => chunk({ end: e }),
    });
    fn.guest.pull(id, 3);
    expect(sent).toEqual(['c1', 'c2', 'c3']);
    fn.guest.pull(id, 10);
    expect(sent).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', { end: null }]);
  });
});

describe('runtime: streamed responses, ends and errors', () => {
  it('stream: a stream that errors ends with the error named, and the invocation finishes', async () => {
    const fn = start(handler(`
      let n = 0;
      return new Response(new ReadableStream({
        pull(c) { if (n++ === 0) c.enqueue(new Uint8Array([104, 105])); else c.error(new TypeError('upstream broke')); },
      }));`));
    const { id } = await fn.invoke();
    expect(await fn.pull(id)).toEqual({ chunk: Buffer.from('hi') });
    const end = await fn.pull(id);
    expect(end).toEqual({ end: expect.stringMatching(/^TypeError: /) });
    expect(fn.finished.has(id)).toBe(true);
    expect(fn.logs.some((l) => l.includes('upstream broke'))).toBe(true);
  });

  it('stream: a chunk that is not a Uint8Array ends the stream with a TypeError', async () => {
    const fn = start(handler(`
      return new Response(new ReadableStream({ start(c) { c.enqueue('a string'); c.close(); } }));`));
    const { id } = await fn.invoke();
    expect(await fn.pull(id)).toEqual({ end: expect.stringMatching(/^TypeError: /) });
  });

  it('stream: the client going away cancels the stream with an AbortError, and the invocation finishes', async () => {
    const fn = start(`
      let reason = null;
      module.exports.default = { async fetch(req) {
        if (req.url.endsWith('/reason')) return new Response(reason);
        return new Response(new ReadableStream({
          pull(c) { c.enqueue(new Uint8Array([1])); },
          cancel(r) { reason = r.name; },
        }, { highWaterMark: 0 }));
      } };`);
    const { id } = await fn.invoke();
    expect(await fn.pull(id)).toEqual({ chunk: Buffer.from([1]) });
    fn.guest.cancel(id);
    expect(fn.finished.has(id)).toBe(true);
    const { result } = await fn.invoke(httpRequest({ url: 'http://fn.test/reason' }));
    expect(text(result)).toBe('AbortError');
  });

  it('stream: a Response whose body stream is locked is not sent', async () => {
    const fn = start(handler(`
      const r = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } }));
      r.body.getReader();
      return r;`));
    const { id, result } = await fn.invoke();
    expect(result).toMatchObject({ kind: 'response', stream: true });
    expect(await fn.pull(id)).toEqual({ end: expect.stringMatching(/^TypeError: /) });
  });

  it('stream: a hello-world response and a request read with text() load no streams module', async () => {
    const fn = start(handler(`return new Response('hello ' + await req.text());`));
    const { result } = await fn.invoke(httpRequest({ method: 'POST' }), new TextEncoder().encode('body'));
    expect(result).toMatchObject({ kind: 'response', body: 'hello body' });
    expect(lazyLoads).not.toContain('streams');
  });

  it('stream: the stream globals are WebIDL data properties once touched', async () => {
    const fn = start(handler(`
      const names = ['ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamDefaultController',
        'ReadableByteStreamController', 'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
        'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
        'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream'];
      const before = typeof Object.getOwnPropertyDescriptor(globalThis, 'TransformStream').get;
      void globalThis.TransformStream;
      const kinds = names.map((n) => { const d = Object.getOwnPropertyDescriptor(globalThis, n); return typeof d.value === 'function' && d.writable && !d.enumerable && d.configurable && d.value.name === n; });
      return Response.json({ before, kinds, tag: Object.prototype.toString.call(new TextEncoderStream()) });`));
    const { result } = await fn.invoke();
    expect(JSON.parse(text(result))).toEqual({ before: 'function', kinds: Array(17).fill(true), tag: '[object TextEncoderStream]' });
  });
});

describe('runtime: stream classes', () => {
  it('structuredClone: a stream object is not cloneable (DataCloneError)', async () => {
    const fn = start(handler(`
      const names = [];
      for (const v of [new ReadableStream(), new TransformStream().writable, new TextDecoderStream()]) {
        try { structuredClone(v); names.push('cloned'); } catch (e) { names.push(e.name); }
      }
      return Response.json(names);`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual(['DataCloneError', 'DataCloneError', 'DataCloneError']);
  });

  it('TransformStream: upper-casing through pipeThrough, streamed out', async () => {
    const fn = start(handler(`
      const upper = new TransformStream({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
      const body = new Response('hello streams').body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(upper)
        .pipeThrough(new TextEncoderStream());
      return new Response(body);`));
    const { id } = await fn.invoke();
    const out = await fn.drain(id);
    expect(out).toMatchObject({ error: null });
    expect(out.body.toString()).toBe('HELLO STREAMS');
  });

  it('CompressionStream: gzip, deflate and deflate-raw round trip through DecompressionStream', async () => {
    const fn = start(handler(`
      const input = 'compress me '.repeat(500) + '\\u00e9\\u{1F600}';
      const out = {};
      for (const format of ['gzip', 'deflate', 'deflate-raw']) {
        const compressed = new Uint8Array(await new Response(new Response(input).body.pipeThrough(new CompressionStream(format))).arrayBuffer());
        const back = await new Response(new Response(compressed).body.pipeThrough(new DecompressionStream(format))).text();
        out[format] = { same: back === input, smaller: compressed.length < input.length };
      }
      return Response.json(out);`));
    const { result } = await fn.invoke();
    const ok = { same: true, smaller: true };
    expect(JSON.parse(text(result))).toEqual({ gzip: ok, deflate: ok, 'deflate-raw': ok });
  });

  it('CompressionStream: its output is what zlib decompresses, streamed out of the isolate', async () => {
    const fn = start(handler(`
      const format = new URL(req.url).searchParams.get('f');
      return new Response(new Response('zlib can read this '.repeat(100)).body.pipeThrough(new CompressionStream(format)));`));
    const expected = 'zlib can read this '.repeat(100);
    for (const [format, inflate] of [['gzip', gunzipSync], ['deflate', inflateSync], ['deflate-raw', inflateRawSync]] as const) {
      const { id } = await fn.invoke(httpRequest({ url: `http://fn.test/?f=${format}` }));
      const out = await fn.drain(id);
      expect(out.error).toBeNull();
      expect(inflate(out.body).toString()).toBe(expected);
    }
  });

  it('DecompressionStream: reads zlib output; corrupt, truncated or trailing input errors with a TypeError', async () => {
    const fn = start(handler(`
      const bytes = new Uint8Array(await req.arrayBuffer());
      const mode = new URL(req.url).searchParams.get('m');
      try {
        return new Response(await new Response(new Response(bytes).body.pipeThrough(new DecompressionStream('gzip'))).text());
      } catch (e) { return new Response('error ' + e.name); }`));
    const good = gzipSync(Buffer.from('from zlib'));
    const post = (body: Uint8Array) => fn.invoke(httpRequest({ method: 'POST' }), body).then((r) => text(r.result));
    expect(await post(good)).toBe('from zlib');
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 6]! ^= 1;
    expect(await post(badCrc)).toBe('error TypeError');
    expect(await post(good.subarray(0, good.length - 3))).toBe('error TypeError');
    expect(await post(Buffer.concat([good, Buffer.from('junk')]))).toBe('error TypeError');
    expect(await post(Buffer.from('not gzip at all'))).toBe('error TypeError');
  });

  it('CompressionStream: an unknown format is a TypeError at construction', async () => {
    const fn = start(handler(`
      const names = [];
      for (const C of [CompressionStream, DecompressionStream]) { try { new C('brotli'); } catch (e) { names.push(e.name); } }
      return Response.json(names);`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual(['TypeError', 'TypeError']);
  });

  it('TextDecoderStream: multi-byte characters split across chunks decode whole', async () => {
    const fn = start(handler(`
      const bytes = new TextEncoder().encode('a\\u00e9\\u20ac\\u{1F600}z');
      const stream = new ReadableStream({ start(c) { for (const b of bytes) c.enqueue(new Uint8Array([b])); c.close(); } });
      const parts = [];
      for await (const s of stream.pipeThrough(new TextDecoderStream())) parts.push(s);
      return Response.json({ text: parts.join(''), parts: parts.length });`));
    const out = JSON.parse(text((await fn.invoke()).result));
    expect(out.text).toBe('a\u00e9\u20ac\u{1F600}z');
    expect(out.parts).toBe(5);
  });

  it('TextEncoderStream: a surrogate pair split across chunks encodes as one character', async () => {
    const fn = start(handler(`
      const s = '\\u{1F600}';
      const stream = new ReadableStream({ start(c) { c.enqueue(s[0]); c.enqueue(s[1]); c.enqueue('\\ud800'); c.close(); } });
      return new Response(stream.pipeThrough(new TextEncoderStream()));`));
    const { id } = await fn.invoke();
    const out = await fn.drain(id);
    expect([...out.body]).toEqual([0xf0, 0x9f, 0x98, 0x80, 0xef, 0xbf, 0xbd]);
  });

  it("ReadableStream: BYOB reads fill the caller's buffer, from a byte stream and from a body", async () => {
    const fn = start(handler(`
      const source = new ReadableStream({
        type: 'bytes',
        pull(c) { const v = c.byobRequest.view; v[0] = 7; v[1] = 8; c.byobRequest.respond(2); },
      });
      const reader = source.getReader({ mode: 'byob' });
      const first = await reader.read(new Uint8Array(4));
      const body = new Response(new Uint8Array([1, 2, 3, 4, 5])).body.getReader({ mode: 'byob' });
      const a = await body.read(new Uint8Array(3));
      const b = await body.read(new Uint8Array(3));
      const c = await body.read(new Uint8Array(3));
      return Response.json({ first: [...first.value], a: [...a.value], b: [...b.value], done: c.done });`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual({ first: [7, 8], a: [1, 2, 3], b: [4, 5], done: true });
  });

  it('ReadableStream: tee gives both branches every chunk', async () => {
    const fn = start(handler(`
      const [a, b] = new ReadableStream({ start(c) { c.enqueue('x'); c.enqueue('y'); c.close(); } }).tee();
      const read = async (s) => { const out = []; for await (const v of s) out.push(v); return out.join(''); };
      return Response.json([await read(a), await read(b)]);`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual(['xy', 'xy']);
  });

  it('WritableStream: a writer writes through a TransformStream to its readable side', async () => {
    const fn = start(handler(`
      const { readable, writable } = new TransformStream();
      const w = writable.getWriter();
      w.write(new TextEncoder().encode('written ')); w.write(new TextEncoder().encode('later')); w.close();
      return new Response(readable);`));
    const { id } = await fn.invoke();
    const out = await fn.drain(id);
    expect(out.body.toString()).toBe('written later');
    expect(out.chunks).toBe(2);
  });
});

describe('runtime: bodies as streams', () => {
  it('request.body: a stream of the request bytes', async () => {
    const fn = start(handler(`
      const chunks = [];
      for await (const c of req.body) chunks.push(...c);
      return Response.json({ chunks, used: req.bodyUsed, isStream: req.body instanceof ReadableStream });`));
    const { result } = await fn.invoke(httpRequest({ method: 'POST' }), new Uint8Array([1, 2, 250]));
    expect(JSON.parse(text(result))).toEqual({ chunks: [1, 2, 250], used: true, isStream: true });
  });

  it('request.body: an echo streams the request back', async () => {
    const fn = start(handler('return new Response(req.body);'));
    const { id, result } = await fn.invoke(httpRequest({ method: 'PUT' }), new TextEncoder().encode('echo me'));
    expect(result).toMatchObject({ kind: 'response', stream: true });
    expect((await fn.drain(id)).body.toString()).toBe('echo me');
  });

  it('clone: a stream body is teed; both clones read it whole', async () => {
    const fn = start(handler(`
      const r = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } }));
      const c = r.clone();
      return Response.json([await r.text(), await c.text(), r.bodyUsed, c.bodyUsed]);`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual(['hi', 'hi', true, true]);
  });

  it('bodyUsed: false until the stream is read, true after; a second read is a TypeError', async () => {
    const fn = start(handler(`
      const r = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([111, 107])); c.close(); } }));
      const before = r.bodyUsed;
      const body = await r.text();
      let again = '';
      try { await r.arrayBuffer(); } catch (e) { again = e.name; }
      return Response.json({ before, body, after: r.bodyUsed, again, locked: r.body.locked });`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual({ before: false, body: 'ok', after: true, again: 'TypeError', locked: true });
  });

  it('Request: a stream body needs duplex: "half"; a locked stream is a TypeError', async () => {
    const fn = start(handler(`
      const s = () => new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } });
      const errors = [];
      try { new Request('http://x/', { method: 'POST', body: s() }); } catch (e) { errors.push(e.name); }
      const locked = s(); locked.getReader();
      try { new Response(locked); } catch (e) { errors.push(e.name); }
      const r = new Request('http://x/', { method: 'POST', body: s(), duplex: 'half' });
      return Response.json({ errors, bytes: [...new Uint8Array(await r.arrayBuffer())], duplex: r.duplex });`));
    expect(JSON.parse(text((await fn.invoke()).result))).toEqual({ errors: ['TypeError', 'TypeError'], bytes: [1], duplex: 'half' });
  });
});

describe('runtime: streams under a guest that patches builtins', () => {
  // The library code of the streams module uses builtins as the guest left them (a guest can
  // break its own streams); what is checked here is the runtime's path to the host.
  it('stream: patched promises, JSON, Object.prototype setters and stream methods do not change what the host receives', async () => {
    const fn = start(`
      const then = Promise.prototype.then;
      Promise.prototype.then = function (a, b) { globalThis.thens = (globalThis.thens || 0) + 1; return then.call(this, a, b); };
      for (const k of ['done', 'then']) {
        Object.defineProperty(Object.prototype, k, { __proto__: null, set() { throw new Error('setter ' + k); }, configurable: true });
      }
      JSON.stringify = () => '"patched"';
      module.exports.default = { fetch() {
        const body = new Response('patched but whole').body.pipeThrough(new TransformStream());
        // Patched after the module loaded: the runtime kept the methods it captured then.
        ReadableStream.prototype.getReader = () => { throw new Error('getReader patched'); };
        ReadableStreamDefaultReader.prototype.read = () => Promise.resolve({ done: false, value: 'forged' });
        return new Response(body);
      } };`);
    const { id, result } = await fn.invoke();
    expect(result).toMatchObject({ kind: 'response', stream: true });
    const out = await fn.drain(id);
    expect(out).toMatchObject({ error: null });
    expect(out.body.toString()).toBe('patched but whole');
    expect(fn.finished.has(id)).toBe(true);
  });

  it('stream: a Response whose stream internals a guest tampered with is refused', async () => {
    const fn = start(handler(`
      const s = new ReadableStream();
      const r = new Response(s);
      Object.defineProperty(s, '_disturbed', { get() { throw new Error('tampered'); } });
      return r;`));
    expect((await fn.invoke()).result).toMatchObject({ kind: 'invalid' });
  });
});

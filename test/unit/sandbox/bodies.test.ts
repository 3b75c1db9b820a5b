import { describe, expect, it } from 'vitest';
import { type BodySource, bodyFromSource, bodyStreamReader } from '../../../sandbox/src/web/body.ts';
import { Headers } from '../../../sandbox/src/web/headers.ts';
import { Request, requestInternals } from '../../../sandbox/src/web/request.ts';
import { Response, responseInternals } from '../../../sandbox/src/web/response.ts';
import { streams } from '../../../sandbox/src/web/streams.ts';

// The runtime's own stream classes (Node's global ReadableStream is another implementation).
const { ReadableStream } = streams();

/** A stream of `chunks`, then closed. */
function streamOf(...chunks: unknown[]) {
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** A host source over `chunks` that records its pulls and cancels. */
function source(chunks: (Uint8Array | null)[]) {
  const log: string[] = [];
  const s: BodySource = {
    pull: () => {
      log.push('pull');
      return Promise.resolve(chunks.shift() ?? null);
    },
    cancel: (reason) => void log.push(`cancel ${(reason as Error).name}`),
  };
  return { s, log };
}

async function readAll(stream: InstanceType<typeof ReadableStream>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...(chunk as Uint8Array));
  return out;
}

describe('Body: body getter', () => {
  it('body: a text body is a stream of its UTF-8 bytes, the same object every time', async () => {
    const r = new Response('hé');
    const body = r.body!;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(r.body).toBe(body);
    expect(await readAll(body)).toEqual([104, 0xc3, 0xa9]);
    expect(r.bodyUsed).toBe(true);
  });
  it('body: null for a null body (no body, Response.error(), a GET Request)', () => {
    expect(new Response(null).body).toBeNull();
    expect(new Response().body).toBeNull();
    expect(Response.error().body).toBeNull();
    expect(new Request('http://a/').body).toBeNull();
  });
  it('body: a body stream supports BYOB readers', async () => {
    const reader = new Response(new Uint8Array([1, 2, 3])).body!.getReader({ mode: 'byob' });
    const { value } = await reader.read(new Uint8Array(2));
    expect([...value!]).toEqual([1, 2]);
  });
  it('body: asked for after text() it is a locked, disturbed stream', async () => {
    const r = new Response('x');
    await r.text();
    expect(r.body!.locked).toBe(true);
    expect(r.bodyUsed).toBe(true);
  });
  it('bodyUsed: a null body is never used, and reads as empty every time', async () => {
    const r = new Response(null);
    expect(await r.text()).toBe('');
    expect(await r.text()).toBe('');
    expect(r.bodyUsed).toBe(false);
  });
});

describe('Body: extracting a ReadableStream', () => {
  it('Response: new Response(readable) reads the stream to the end', async () => {
    const r = new Response(streamOf(bytes('ab'), bytes('c')));
    expect(r.headers.get('content-type')).toBeNull();
    expect(r.bodyUsed).toBe(false);
    expect(await r.text()).toBe('abc');
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });
  it('Response: a locked or disturbed stream is a TypeError', async () => {
    const locked = streamOf(bytes('a'));
    locked.getReader();
    expect(() => new Response(locked)).toThrow(TypeError);
    const disturbed = streamOf(bytes('a'));
    await disturbed.getReader().read();
    expect(() => new Response(disturbed)).toThrow(TypeError);
  });
  it('consume: arrayBuffer, bytes and json read a stream of several chunks', async () => {
    expect([...new Uint8Array(await new Response(streamOf(new Uint8Array([1]), new Uint8Array([2, 3]))).arrayBuffer())]).toEqual([1, 2, 3]);
    expect([...(await new Response(streamOf(new Uint8Array([4]), new Uint8Array([5]))).bytes())]).toEqual([4, 5]);
    expect(await new Response(streamOf(bytes('{"a":'), bytes('[1]}'))).json()).toEqual({ a: [1] });
  });
  it('consume: a chunk that is not a Uint8Array rejects with a TypeError', async () => {
    await expect(new Response(streamOf('text')).text()).rejects.toThrow(TypeError);
    await expect(new Response(streamOf(new Uint16Array([1]))).arrayBuffer()).rejects.toThrow(TypeError);
  });
  it('consume: a locked body rejects with a TypeError and is not used', async () => {
    const r = new Response('x');
    r.body!.getReader();
    await expect(r.text()).rejects.toThrow(TypeError);
    expect(r.bodyUsed).toBe(false);
  });
  it('consume: a stream that errors rejects with its error', async () => {
    const failing = new ReadableStream({
      pull(c) {
        c.error(new RangeError('broke'));
      },
    });
    await expect(new Response(failing).text()).rejects.toThrow(RangeError);
  });
  it('text: a text body reads as encoding and decoding would give (lone surrogates, a leading BOM)', async () => {
    expect(await new Response('\ufeffa\ud800').text()).toBe('a\ufffd');
    expect(await new Response('\ufeff\ufeffb').text()).toBe('\ufeffb');
  });
});

describe('Body: clone', () => {
  it('clone: a stream body is teed and both read it whole', async () => {
    const r = new Response(streamOf(bytes('t'), bytes('ee')));
    const c = r.clone();
    expect(await c.text()).toBe('tee');
    expect(await r.text()).toBe('tee');
  });
  it('clone: a body made a stream is teed, a bytes body copied', async () => {
    const r = new Response(new Uint8Array([1, 2]));
    const c = r.clone();
    void r.body;
    const d = r.clone();
    expect([...(await r.bytes())]).toEqual([1, 2]);
    expect([...(await c.bytes())]).toEqual([1, 2]);
    expect([...(await d.bytes())]).toEqual([1, 2]);
  });
  it('clone: a used or locked body is a TypeError', async () => {
    const r = new Response(streamOf(bytes('a')));
    r.body!.getReader();
    expect(() => r.clone()).toThrow(TypeError);
    const q = new Request('http://a/', { method: 'POST', body: 'x' });
    await q.text();
    expect(() => q.clone()).toThrow(TypeError);
  });
});

describe('Body: the runtime contract', () => {
  it('bodyStreamReader: null for text and bytes; for a stream, the chunks then null, and the stream locked', async () => {
    expect(bodyStreamReader(responseInternals(new Response('x'))!.body)).toBeNull();
    const stream = streamOf(bytes('a'), bytes('b'));
    const r = new Response(stream);
    const reader = bodyStreamReader(responseInternals(r)!.body)!;
    expect(stream.locked).toBe(true);
    expect(await reader.next()).toEqual(bytes('a'));
    expect(await reader.next()).toEqual(bytes('b'));
    expect(await reader.next()).toBeNull();
    expect(r.bodyUsed).toBe(true);
  });
  it('bodyStreamReader: a chunk that is not a Uint8Array rejects with a TypeError', async () => {
    const reader = bodyStreamReader(responseInternals(new Response(streamOf(new ArrayBuffer(2))))!.body)!;
    await expect(reader.next()).rejects.toThrow(TypeError);
  });
  it('bodyStreamReader: a locked stream gives a reader that rejects with a TypeError', async () => {
    const r = new Response(streamOf(bytes('a')));
    r.body!.getReader();
    await expect(bodyStreamReader(responseInternals(r)!.body)!.next()).rejects.toThrow(TypeError);
  });
  it('bodyStreamReader: cancel reaches the stream', async () => {
    let reason: unknown;
    const stream = new ReadableStream({
      cancel(r) {
        reason = r;
      },
    });
    bodyStreamReader(responseInternals(new Response(stream))!.body)!.cancel('gone');
    await Promise.resolve();
    expect(reason).toBe('gone');
  });
  it('bodyFromSource: read without a stream, the source is pulled one chunk per next()', async () => {
    const { s, log } = source([bytes('a'), bytes('b')]);
    const body = bodyFromSource(s);
    expect(log).toEqual([]);
    const reader = bodyStreamReader(body)!;
    expect(await reader.next()).toEqual(bytes('a'));
    expect(log).toEqual(['pull']);
    expect(await reader.next()).toEqual(bytes('b'));
    expect(await reader.next()).toBeNull();
    expect(body.used).toBe(true);
  });
  it('bodyFromSource: as a stream it pulls only when read, and cancel reaches the source', async () => {
    const { s, log } = source([bytes('x'), new Uint8Array(0), bytes('y')]);
    const r = responseInternals.fromHost(200, 'OK', [], bodyFromSource(s), ['http://a/'], false);
    const reader = r.body!.getReader();
    await Promise.resolve();
    expect(log).toEqual([]);
    expect((await reader.read()).value).toEqual(bytes('x'));
    expect(log).toEqual(['pull']);
    expect((await reader.read()).value).toEqual(bytes('y'));
    await reader.cancel(new DOMException('stop', 'AbortError'));
    expect(log).toEqual(['pull', 'pull', 'pull', 'cancel AbortError']);
  });
  it('bodyFromSource: text() reads the source to the end', async () => {
    const { s } = source([bytes('he'), bytes('llo')]);
    expect(await responseInternals.fromHost(200, '', [], bodyFromSource(s), [], false).text()).toBe('hello');
  });
  it('responseInternals.fromHost: status, url without fragment, redirected, type basic, immutable headers', () => {
    const r = responseInternals.fromHost(201, 'Created', [['X-A', ' 1 '], ['set-cookie', 'a=1']], null, ['http://a/', 'http://b/p#frag'], true);
    expect([r.status, r.statusText, r.url, r.redirected, r.type, r.ok]).toEqual([201, 'Created', 'http://b/p', true, 'basic', true]);
    expect(r.headers.get('x-a')).toBe('1');
    expect(r.headers.getSetCookie()).toEqual(['a=1']);
    expect(() => r.headers.set('x', 'y')).toThrow(TypeError);
    expect(r.body).toBeNull();
    const c = r.clone();
    expect([c.url, c.redirected, c.type]).toEqual(['http://b/p', true, 'basic']);
    expect(() => c.headers.set('x', 'y')).toThrow(TypeError);
  });
});

describe('Request: bodies', () => {
  it('Request: a stream body needs duplex "half"', async () => {
    expect(() => new Request('http://a/', { method: 'POST', body: streamOf(bytes('a')) })).toThrow(TypeError);
    const r = new Request('http://a/', { method: 'POST', body: streamOf(bytes('a')), duplex: 'half' });
    expect(await r.text()).toBe('a');
  });
  it('Request: keepalive with a stream body is a TypeError', () => {
    expect(() => new Request('http://a/', { method: 'POST', body: streamOf(), duplex: 'half', keepalive: true })).toThrow(TypeError);
  });
  it('Request: a Request made from another takes its stream body and leaves it used and locked', async () => {
    const a = new Request('http://a/', { method: 'POST', body: streamOf(bytes('moved')), duplex: 'half' });
    const body = a.body!;
    const b = new Request(a);
    expect(a.bodyUsed).toBe(true);
    expect(body.locked).toBe(true);
    expect(await b.text()).toBe('moved');
    expect(() => new Request(a)).toThrow(TypeError);
  });
  it('Request: a body from the host reads as bytes, or as a stream once asked for', async () => {
    const h = () => requestInternals.fromHost('http://a/', 'POST', new Headers(), new Uint8Array([1, 2]));
    expect([...(await h().bytes())]).toEqual([1, 2]);
    const r = h();
    expect(await readAll(r.body!)).toEqual([1, 2]);
    expect(r.bodyUsed).toBe(true);
  });
  it('Request: a GET made from a Request with a body is a TypeError', () => {
    const post = new Request('http://a/', { method: 'POST', body: 'x' });
    expect(() => new Request(post, { method: 'GET' })).toThrow(TypeError);
  });
  it('Request: an init body replaces the input body, which stays unused', async () => {
    const a = new Request('http://a/', { method: 'POST', body: 'old' });
    const b = new Request(a, { body: 'new' });
    expect(await b.text()).toBe('new');
    expect(a.bodyUsed).toBe(false);
  });
});

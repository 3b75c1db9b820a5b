/**
 * WHATWG Streams: ReadableStream (default and byte streams, readers, BYOB, tee, async
 * iteration, from), WritableStream, TransformStream, pipeTo/pipeThrough, queuing
 * strategies; Encoding's TextEncoderStream/TextDecoderStream; Compression's
 * CompressionStream/DecompressionStream; Fetch bodies as streams.
 */
import { area } from '../harness.js';

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function streamOf(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

function collectingSink(log) {
  return new WritableStream({
    write(chunk) {
      log.push(chunk);
    },
    close() {
      log.push('closed');
    },
    abort(reason) {
      log.push(`aborted:${reason}`);
    },
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export default area('streams', (test) => {
  test('ReadableStream: chunks enqueued in start are read in order, then done', async (t) => {
    const reader = streamOf(['a', 'b']).getReader();
    t.deepEqual(await reader.read(), { value: 'a', done: false }, 'first');
    t.deepEqual(await reader.read(), { value: 'b', done: false }, 'second');
    t.deepEqual(await reader.read(), { value: undefined, done: true }, 'done');
    t.deepEqual(await reader.read(), { value: undefined, done: true }, 'done again');
    await t.doesNotThrow(() => reader.closed, 'closed resolves');
  });

  test('ReadableStream: a reader locks the stream', (t) => {
    const s = new ReadableStream();
    t.equal(s.locked, false, 'unlocked');
    const r = s.getReader();
    t.equal(s.locked, true, 'locked');
    t.throws(() => s.getReader(), 'TypeError', 'second reader');
    r.releaseLock();
    t.equal(s.locked, false, 'released');
    t.ok(s.getReader() instanceof ReadableStreamDefaultReader, 'a new reader after release');
  });

  test('ReadableStream: cancel reaches the source with its reason', async (t) => {
    let reason;
    const s = new ReadableStream({ cancel: (r) => void (reason = r) });
    await s.cancel('stop');
    t.equal(reason, 'stop', 'reason');
    const locked = new ReadableStream();
    locked.getReader();
    await t.rejects(() => locked.cancel(), 'TypeError', 'cancel of a locked stream');
  });

  test('ReadableStream: controller.error rejects reads and closed', async (t) => {
    const boom = new RangeError('boom');
    const s = new ReadableStream({ start: (c) => c.error(boom) });
    const reader = s.getReader();
    await t.rejects(() => reader.read(), 'RangeError', 'read');
    await t.rejects(() => reader.closed, 'RangeError', 'closed');
  });

  test('ReadableStream: enqueue after close is a TypeError; close twice is a TypeError', (t) => {
    new ReadableStream({
      start(c) {
        c.close();
        t.throws(() => c.enqueue('x'), 'TypeError', 'enqueue');
        t.throws(() => c.close(), 'TypeError', 'close');
      },
    });
  });

  test('ReadableStream: pull is called to fill the queue up to the high-water mark', async (t) => {
    let pulls = 0;
    const s = new ReadableStream(
      {
        pull(c) {
          pulls++;
          c.enqueue(pulls);
          if (pulls === 5) c.close();
        },
      },
      new CountQueuingStrategy({ highWaterMark: 2 }),
    );
    await tick();
    t.equal(pulls, 2, 'filled to 2 before any read');
    t.deepEqual(await readAll(s), [1, 2, 3, 4, 5], 'all chunks');
  });

  test('ReadableStream: desiredSize follows the strategy', (t) => {
    new ReadableStream(
      {
        start(c) {
          t.equal(c.desiredSize, 10, 'initial');
          c.enqueue(new Uint8Array(4));
          t.equal(c.desiredSize, 6, 'after 4 bytes');
          c.close();
          t.equal(c.desiredSize, 6, 'close with chunks queued leaves the stream readable');
        },
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 10 }),
    );
    new ReadableStream({
      start(c) {
        c.close();
        t.equal(c.desiredSize, 0, 'an empty stream closes at once: 0');
      },
    });
    new ReadableStream({
      start(c) {
        c.error(new Error('x'));
        t.equal(c.desiredSize, null, 'errored: null');
      },
    });
  });

  test('Queuing strategies: highWaterMark and size', (t) => {
    const count = new CountQueuingStrategy({ highWaterMark: 3 });
    t.equal(count.highWaterMark, 3, 'count highWaterMark');
    t.equal(count.size('anything'), 1, 'count size');
    const bytes = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
    t.equal(bytes.size(new Uint8Array(7)), 7, 'byte length size');
    t.throws(() => new CountQueuingStrategy(), 'TypeError', 'highWaterMark required');
    t.throws(() => new ReadableStream({}, { highWaterMark: -1 }), 'RangeError', 'negative highWaterMark');
  });

  test('ReadableStream: async iteration, and breaking out cancels', async (t) => {
    const got = [];
    for await (const chunk of streamOf([1, 2, 3])) got.push(chunk);
    t.deepEqual(got, [1, 2, 3], 'all chunks');
    let cancelled = false;
    const s = new ReadableStream({ pull: (c) => c.enqueue('x'), cancel: () => void (cancelled = true) });
    for await (const _ of s) break;
    t.equal(cancelled, true, 'break cancels');
    t.equal(s.locked, false, 'and releases the lock');
  });

  test('ReadableStream.from: an iterable and an async iterable', async (t) => {
    t.deepEqual(await readAll(ReadableStream.from(['a', 'b'])), ['a', 'b'], 'array');
    async function* gen() {
      yield 1;
      yield 2;
    }
    t.deepEqual(await readAll(ReadableStream.from(gen())), [1, 2], 'async generator');
    t.throws(() => ReadableStream.from(5), 'TypeError', 'not iterable');
  });

  test('ReadableStream: tee gives both branches every chunk', async (t) => {
    const [a, b] = streamOf(['x', 'y']).tee();
    const [ra, rb] = await Promise.all([readAll(a), readAll(b)]);
    t.deepEqual(ra, ['x', 'y'], 'branch 1');
    t.deepEqual(rb, ['x', 'y'], 'branch 2');
  });

  test('ReadableStream: tee cancels the source only when both branches cancel, with both reasons', async (t) => {
    let reason;
    const [a, b] = new ReadableStream({ cancel: (r) => void (reason = r) }).tee();
    await tick();
    const ca = a.cancel('r1');
    t.equal(reason, undefined, 'one branch is not enough');
    await b.cancel('r2');
    await ca;
    t.deepEqual(reason, ['r1', 'r2'], 'both reasons');
  });

  test('ReadableStream: tee locks the original', (t) => {
    const s = new ReadableStream();
    s.tee();
    t.equal(s.locked, true);
  });

  test('WritableStream: the sink sees writes in order, then close', async (t) => {
    const log = [];
    const writer = collectingSink(log).getWriter();
    writer.write('a');
    writer.write('b');
    await writer.close();
    t.deepEqual(log, ['a', 'b', 'closed'], 'sink calls');
    await t.rejects(() => writer.write('c'), 'TypeError', 'write after close');
  });

  test('WritableStream: abort reaches the sink and errors the writer', async (t) => {
    const log = [];
    const writer = collectingSink(log).getWriter();
    await writer.abort('why');
    t.deepEqual(log, ['aborted:why'], 'sink abort');
    try {
      await writer.closed;
      t.fail('closed resolved');
    } catch (e) {
      t.equal(e, 'why', 'closed rejects with the reason');
    }
  });

  test('WritableStream: a sink error rejects the write and closed', async (t) => {
    const writer = new WritableStream({
      write() {
        throw new TypeError('sink failed');
      },
    }).getWriter();
    await t.rejects(() => writer.write('x'), 'TypeError', 'write');
    await t.rejects(() => writer.closed, 'TypeError', 'closed');
  });

  test('WritableStream: backpressure through desiredSize and ready', async (t) => {
    let release;
    const writer = new WritableStream(
      { write: () => new Promise((r) => (release = r)) },
      new CountQueuingStrategy({ highWaterMark: 2 }),
    ).getWriter();
    await writer.ready;
    t.equal(writer.desiredSize, 2, 'initial');
    writer.write(1);
    writer.write(2);
    t.equal(writer.desiredSize, 0, 'full');
    writer.write(3);
    t.equal(writer.desiredSize, -1, 'over');
    await tick();
    release();
    await tick();
    t.equal(writer.desiredSize, 0, 'one drained');
  });

  test('WritableStream: a writer locks the stream', (t) => {
    const s = new WritableStream();
    const w = s.getWriter();
    t.equal(s.locked, true, 'locked');
    t.throws(() => s.getWriter(), 'TypeError', 'second writer');
    w.releaseLock();
    t.equal(s.locked, false, 'released');
  });

  test('TransformStream: transform and flush', async (t) => {
    const ts = new TransformStream({
      transform(chunk, c) {
        c.enqueue(chunk.toUpperCase());
        c.enqueue('|');
      },
      flush(c) {
        c.enqueue('end');
      },
    });
    const out = readAll(ts.readable);
    const w = ts.writable.getWriter();
    w.write('a');
    w.write('b');
    w.close();
    t.deepEqual(await out, ['A', '|', 'B', '|', 'end']);
  });

  test('TransformStream: with no transformer it is the identity', async (t) => {
    const ts = new TransformStream();
    const out = readAll(ts.readable);
    const w = ts.writable.getWriter();
    const obj = { o: 1 };
    w.write(obj);
    w.close();
    const [chunk] = await out;
    t.ok(chunk === obj, 'same object');
  });

  test('TransformStream: a throwing transform errors both sides', async (t) => {
    const ts = new TransformStream({
      transform() {
        throw new RangeError('no');
      },
    });
    // The readable side's high-water mark is 0: a pending read lets the write through.
    const read = ts.readable.getReader().read();
    await t.rejects(() => ts.writable.getWriter().write('x'), 'RangeError', 'write');
    await t.rejects(() => read, 'RangeError', 'read');
  });

  test('TransformStream: terminate closes the readable side', async (t) => {
    const ts = new TransformStream({
      transform(chunk, c) {
        c.enqueue(chunk);
        c.terminate();
      },
    });
    const out = readAll(ts.readable);
    ts.writable.getWriter().write('only').catch(() => {});
    t.deepEqual(await out, ['only']);
  });

  test('pipeTo: every chunk reaches the sink, then close', async (t) => {
    const log = [];
    await streamOf([1, 2, 3]).pipeTo(collectingSink(log));
    t.deepEqual(log, [1, 2, 3, 'closed']);
  });

  test('pipeTo: preventClose leaves the destination open', async (t) => {
    const log = [];
    const dest = collectingSink(log);
    await streamOf(['a']).pipeTo(dest, { preventClose: true });
    t.deepEqual(log, ['a'], 'not closed');
    t.equal(dest.locked, false, 'unlocked after the pipe');
  });

  test('pipeTo: a source error aborts the destination', async (t) => {
    const log = [];
    const src = new ReadableStream({ start: (c) => c.error('bad') });
    try {
      await src.pipeTo(collectingSink(log));
      t.fail('pipe resolved');
    } catch (e) {
      t.equal(e, 'bad', 'pipe rejects with the error');
    }
    t.deepEqual(log, ['aborted:bad'], 'destination aborted');
  });

  test('pipeTo: an abort signal stops the pipe with an AbortError', async (t) => {
    const controller = new AbortController();
    const log = [];
    const src = new ReadableStream({ pull: (c) => c.enqueue('x') });
    const piping = src.pipeTo(collectingSink(log), { signal: controller.signal });
    controller.abort();
    await t.rejects(() => piping, 'AbortError', 'rejection');
  });

  test('pipeTo: locked streams are rejected', async (t) => {
    const src = new ReadableStream();
    src.getReader();
    await t.rejects(() => src.pipeTo(new WritableStream()), 'TypeError', 'locked source');
  });

  test('pipeThrough: returns the readable side of the transform', async (t) => {
    const upper = new TransformStream({ transform: (chunk, c) => c.enqueue(chunk.toUpperCase()) });
    const out = streamOf(['ab', 'cd']).pipeThrough(upper);
    t.ok(out === upper.readable, 'the same readable');
    t.deepEqual(await readAll(out), ['AB', 'CD'], 'chunks');
  });

  test('Byte streams: a BYOB reader reads into the given buffer', async (t) => {
    const s = new ReadableStream({
      type: 'bytes',
      pull(c) {
        const req = c.byobRequest;
        req.view[0] = 7;
        req.view[1] = 8;
        req.respond(2);
      },
    });
    const reader = s.getReader({ mode: 'byob' });
    t.ok(reader instanceof ReadableStreamBYOBReader, 'a BYOB reader');
    const buffer = new ArrayBuffer(4);
    const { value, done } = await reader.read(new Uint8Array(buffer, 1, 3));
    t.equal(done, false, 'not done');
    t.deepEqual(value, new Uint8Array([7, 8]), 'bytes');
    t.equal(value.byteOffset, 1, 'same offset');
    t.equal(buffer.byteLength, 0, 'the given buffer was transferred');
  });

  test('Byte streams: enqueued bytes fill a BYOB read, and default reads get Uint8Arrays', async (t) => {
    const s = new ReadableStream({
      type: 'bytes',
      start(c) {
        c.enqueue(new Uint8Array([1, 2, 3, 4, 5]));
        c.close();
      },
    });
    const reader = s.getReader({ mode: 'byob' });
    const first = await reader.read(new Uint8Array(2));
    t.deepEqual(first.value, new Uint8Array([1, 2]), 'first two');
    const second = await reader.read(new Uint8Array(10));
    t.deepEqual(second.value, new Uint8Array([3, 4, 5]), 'the rest');
    const end = await reader.read(new Uint8Array(1));
    t.equal(end.done, true, 'done');
    const d = new ReadableStream({ type: 'bytes', start: (c) => (c.enqueue(new Uint8Array([9])), c.close()) });
    const chunks = await readAll(d);
    t.ok(chunks[0] instanceof Uint8Array, 'a default reader gets Uint8Arrays');
  });

  test('Byte streams: autoAllocateChunkSize gives a default reader a byobRequest', async (t) => {
    const s = new ReadableStream({
      type: 'bytes',
      autoAllocateChunkSize: 16,
      pull(c) {
        t.equal(c.byobRequest.view.byteLength, 16, 'view size');
        c.byobRequest.view[0] = 42;
        c.byobRequest.respond(1);
        c.close();
      },
    });
    const { value } = await s.getReader().read();
    t.deepEqual(value, new Uint8Array([42]), 'chunk');
  });

  test('Byte streams: BYOB readers need a byte stream and a non-empty view', async (t) => {
    t.throws(() => new ReadableStream().getReader({ mode: 'byob' }), 'TypeError', 'default stream');
    t.throws(() => new ReadableStream().getReader({ mode: 'other' }), 'TypeError', 'unknown mode');
    const reader = new ReadableStream({ type: 'bytes' }).getReader({ mode: 'byob' });
    await t.rejects(() => reader.read(new Uint8Array(0)), 'TypeError', 'empty view');
    t.throws(() => new ReadableStream({ start: (c) => c.enqueue('not bytes'), type: 'bytes' }), 'TypeError', 'enqueue of a non-view');
  });

  test('TextEncoderStream: strings in, UTF-8 out, surrogate pairs joined across chunks', async (t) => {
    const ts = new TextEncoderStream();
    t.equal(ts.encoding, 'utf-8', 'encoding');
    const out = readAll(ts.readable);
    const w = ts.writable.getWriter();
    w.write('a\u00e9');
    w.write('\ud83d');
    w.write('\udca9');
    w.write('\ud800');
    w.close();
    t.deepEqual(concat(await out), new Uint8Array([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x92, 0xa9, 0xef, 0xbf, 0xbd]), 'bytes');
  });

  test('TextDecoderStream: bytes in, strings out, sequences joined across chunks', async (t) => {
    const ts = new TextDecoderStream();
    t.equal(ts.encoding, 'utf-8', 'encoding');
    t.equal(ts.fatal, false, 'fatal');
    const out = streamOf([new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0x41]), new Uint8Array([0xf0, 0x9f])]).pipeThrough(ts);
    t.equal((await readAll(out)).join(''), '\u20acA\ufffd', 'text');
  });

  test('TextDecoderStream: fatal errors the stream', async (t) => {
    const out = streamOf([new Uint8Array([0xff])]).pipeThrough(new TextDecoderStream('utf-8', { fatal: true }));
    await t.rejects(() => readAll(out), 'TypeError');
  });

  for (const format of ['gzip', 'deflate', 'deflate-raw']) {
    test(`CompressionStream: ${format} round trip`, async (t) => {
      const input = new TextEncoder().encode('hello hello hello hello '.repeat(50));
      const compressed = concat(await readAll(streamOf([input]).pipeThrough(new CompressionStream(format))));
      t.ok(compressed.byteLength < input.byteLength, 'smaller');
      const restored = concat(await readAll(streamOf([compressed]).pipeThrough(new DecompressionStream(format))));
      t.deepEqual(restored, input, 'restored');
    });
  }

  test('CompressionStream: gzip output starts with the gzip magic bytes; deflate with a zlib header', async (t) => {
    const gz = concat(await readAll(streamOf([new Uint8Array([1])]).pipeThrough(new CompressionStream('gzip'))));
    t.deepEqual([gz[0], gz[1], gz[2]], [0x1f, 0x8b, 8], 'gzip header');
    const z = concat(await readAll(streamOf([new Uint8Array([1])]).pipeThrough(new CompressionStream('deflate'))));
    t.equal(z[0] & 0x0f, 8, 'zlib CM is deflate');
    t.equal(((z[0] << 8) | z[1]) % 31, 0, 'zlib header check bits');
  });

  test('DecompressionStream: known gzip bytes decode', async (t) => {
    // gzip of "abc" (no name, mtime 0), as RFC 1952 lays it out.
    const gz = new Uint8Array([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xc2, 0x41, 0x24, 0x35, 0x03, 0, 0, 0]);
    const out = concat(await readAll(streamOf([gz]).pipeThrough(new DecompressionStream('gzip'))));
    t.equal(new TextDecoder().decode(out), 'abc');
  });

  test('DecompressionStream: corrupt or truncated input errors the stream with a TypeError', async (t) => {
    await t.rejects(() => readAll(streamOf([new Uint8Array([1, 2, 3, 4])]).pipeThrough(new DecompressionStream('gzip'))), 'TypeError', 'garbage');
    const full = concat(await readAll(streamOf([new Uint8Array(100)]).pipeThrough(new CompressionStream('gzip'))));
    await t.rejects(() => readAll(streamOf([full.subarray(0, full.length - 4)]).pipeThrough(new DecompressionStream('gzip'))), 'TypeError', 'truncated');
  });

  test('CompressionStream: unknown formats are TypeErrors', (t) => {
    t.throws(() => new CompressionStream('brotli-x'), 'TypeError', 'CompressionStream');
    t.throws(() => new DecompressionStream('zip'), 'TypeError', 'DecompressionStream');
    t.throws(() => new CompressionStream('GZIP'), 'TypeError', 'format names are case-sensitive');
  });

  test('Fetch bodies: a Response body is a ReadableStream of bytes', async (t) => {
    const r = new Response('h\u00e9');
    t.ok(r.body instanceof ReadableStream, 'a ReadableStream');
    t.ok(r.body === r.body, 'the same stream each time');
    const chunks = await readAll(r.body);
    t.deepEqual(concat(chunks), new Uint8Array([0x68, 0xc3, 0xa9]), 'bytes');
    t.equal(r.bodyUsed, true, 'reading the stream uses the body');
    await t.rejects(() => r.text(), 'TypeError', 'text afterwards');
  });

  test('Fetch bodies: a ReadableStream as a Response body', async (t) => {
    const r = new Response(streamOf([new Uint8Array([0x61]), new Uint8Array([0x62])]));
    t.equal(r.headers.get('content-type'), null, 'no content type');
    t.equal(await r.text(), 'ab', 'text');
  });

  test('Fetch bodies: a locked or disturbed stream cannot be a body', async (t) => {
    const locked = new ReadableStream();
    locked.getReader();
    t.throws(() => new Response(locked), 'TypeError', 'locked');
    const s = streamOf([new Uint8Array([1])]);
    const r = new Response(s);
    t.equal(s.locked, false, 'the body stream is not locked by construction');
    const reader = r.body.getReader();
    await t.rejects(() => r.text(), 'TypeError', 'text while a reader holds the body');
    reader.releaseLock();
  });

  test('Fetch bodies: a stream body needs duplex "half" in a Request', (t) => {
    t.throws(() => new Request('http://example.com/', { method: 'POST', body: new ReadableStream() }), 'TypeError', 'without duplex');
    const r = new Request('http://example.com/', { method: 'POST', body: new ReadableStream(), duplex: 'half' });
    t.equal(r.duplex, 'half', 'duplex');
  });

  test('Fetch bodies: clone tees a stream body', async (t) => {
    const r = new Response(streamOf([new Uint8Array([0x6f, 0x6b])]));
    const c = r.clone();
    const [a, b] = await Promise.all([r.text(), c.text()]);
    t.equal(a, 'ok', 'original');
    t.equal(b, 'ok', 'clone');
  });

  test('Fetch bodies: a Request body is a stream too', async (t) => {
    const r = new Request('http://example.com/', { method: 'POST', body: 'xyz' });
    t.ok(r.body instanceof ReadableStream, 'a ReadableStream');
    t.equal(new TextDecoder().decode(concat(await readAll(r.body))), 'xyz', 'content');
    t.equal(new Request('http://example.com/').body, null, 'no body is null');
  });

  test('Streams: WebIDL shape', (t) => {
    for (const name of ['ReadableStream', 'WritableStream', 'TransformStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'WritableStreamDefaultWriter', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream']) {
      t.equal(typeof globalThis[name], 'function', name);
    }
    t.equal(Object.prototype.toString.call(new ReadableStream()), '[object ReadableStream]', 'toStringTag');
    t.throws(() => new ReadableStreamDefaultController(), 'TypeError', 'controllers are not constructible');
  });
});

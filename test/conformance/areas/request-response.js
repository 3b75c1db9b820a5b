/**
 * Fetch's Request and Response: constructors and their defaults, status and statusText
 * validation, null body statuses, Response.json/redirect/error, method normalisation and
 * forbidden methods, clone, bodyUsed and the body mixins (text, json, arrayBuffer, bytes)
 * over the body types that need no stream or Blob (those are in the streams and blob areas).
 */
import { area } from '../harness.js';

const U = 'http://example.com/';
const bytesOf = async (r) => new Uint8Array(await r.arrayBuffer());

export default area('request-response', (test) => {
  test('Response: defaults of new Response()', async (t) => {
    const r = new Response();
    t.equal(r.status, 200, 'status');
    t.equal(r.statusText, '', 'statusText');
    t.equal(r.ok, true, 'ok');
    t.equal(r.type, 'default', 'type');
    t.equal(r.url, '', 'url');
    t.equal(r.redirected, false, 'redirected');
    t.deepEqual([...r.headers], [], 'headers');
    t.equal(r.body, null, 'body');
    t.equal(r.bodyUsed, false, 'bodyUsed');
    t.equal(await r.text(), '', 'text of a null body');
    t.equal(r.bodyUsed, false, 'reading a null body does not use it');
    t.equal(await r.text(), '', 'and it can be read again');
  });

  for (const status of [200, 201, 299, 300, 404, 599]) {
    test(`Response: status ${status} is accepted`, (t) => {
      const r = new Response(null, { status });
      t.equal(r.status, status, 'status');
      t.equal(r.ok, status <= 299, 'ok');
    });
  }

  for (const status of [0, 100, 101, 199, 600, 999]) {
    test(`Response: status ${status} is a RangeError`, (t) => t.throws(() => new Response(null, { status }), 'RangeError'));
  }

  test('Response: status is converted as a WebIDL unsigned short', (t) => {
    t.equal(new Response(null, { status: '201' }).status, 201, 'string');
    t.equal(new Response(null, { status: 202.9 }).status, 202, 'truncated');
    t.equal(new Response(null, { status: 65536 + 200 }).status, 200, 'modulo 2^16');
  });

  for (const [statusText, ok] of [['OK', true], ['', true], ['Not\tFound here', true], ['caf\u00e9', true], ['a\nb', false], ['a\rb', false], ['\u0000', false], ['\u0100', false], ['\u20ac', false]]) {
    test(`Response: statusText ${JSON.stringify(statusText)} is ${ok ? 'accepted' : 'a TypeError'}`, (t) => {
      if (ok) t.equal(new Response(null, { statusText }).statusText, statusText);
      else t.throws(() => new Response(null, { statusText }), 'TypeError');
    });
  }

  for (const status of [204, 205, 304]) {
    test(`Response: null body status ${status} refuses a body`, (t) => {
      t.throws(() => new Response('x', { status }), 'TypeError', 'a string');
      t.throws(() => new Response('', { status }), 'TypeError', 'even an empty string');
      t.equal(new Response(null, { status }).status, status, 'null body is fine');
      t.equal(new Response(undefined, { status }).status, status, 'undefined body is fine');
    });
  }

  test('Response: init must be a dictionary', (t) => {
    t.throws(() => new Response(null, 5), 'TypeError', 'a number');
    t.throws(() => new Response(null, 'x'), 'TypeError', 'a string');
    t.equal(new Response(null, null).status, 200, 'null is an empty dictionary');
  });

  test('Response: body types set their Content-Type', async (t) => {
    const text = new Response('h\u00e9');
    t.equal(text.headers.get('content-type'), 'text/plain;charset=UTF-8', 'string');
    t.deepEqual(await bytesOf(text), new Uint8Array([0x68, 0xc3, 0xa9]), 'string is UTF-8 encoded');
    const form = new Response(new URLSearchParams('a=1&b=x y'));
    t.equal(form.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8', 'URLSearchParams');
    t.equal(await form.text(), 'a=1&b=x+y', 'URLSearchParams body');
    const buffer = new Response(new Uint8Array([1, 2, 3]));
    t.equal(buffer.headers.get('content-type'), null, 'Uint8Array has none');
    t.deepEqual(await bytesOf(buffer), new Uint8Array([1, 2, 3]), 'Uint8Array body');
    t.deepEqual(await bytesOf(new Response(new Uint8Array([9, 8, 7]).buffer)), new Uint8Array([9, 8, 7]), 'ArrayBuffer body');
    t.deepEqual(await bytesOf(new Response(new DataView(new Uint8Array([0, 5, 6, 0]).buffer, 1, 2))), new Uint8Array([5, 6]), 'DataView body');
    t.equal(await new Response(42).text(), '42', 'other values are stringified');
  });

  test('Response: an explicit Content-Type wins over the body type', (t) => {
    const r = new Response('x', { headers: { 'Content-Type': 'text/html' } });
    t.deepEqual(r.headers.get('content-type'), 'text/html');
  });

  test('Response: a body buffer is copied at construction', async (t) => {
    const u8 = new Uint8Array([1, 2, 3]);
    const r = new Response(u8);
    u8[0] = 99;
    t.deepEqual(await bytesOf(r), new Uint8Array([1, 2, 3]));
  });

  test('Response: text() decodes UTF-8, dropping a BOM and replacing invalid bytes', async (t) => {
    t.equal(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0xff, 0x42])).text(), `A\ufffdB`);
  });

  test('Response: json() parses, and rejects with SyntaxError on bad JSON', async (t) => {
    t.deepEqual(await new Response('{"a":[1,true,null]}').json(), { a: [1, true, null] }, 'parsed');
    t.deepEqual(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])).json(), 1, 'BOM ignored');
    await t.rejects(() => new Response('{bad').json(), 'SyntaxError', 'bad JSON');
    await t.rejects(() => new Response('').json(), 'SyntaxError', 'empty body');
  });

  test('Response: bytes() gives a Uint8Array, arrayBuffer() an ArrayBuffer', async (t) => {
    const b = await new Response('ab').bytes();
    t.ok(b instanceof Uint8Array, 'bytes is a Uint8Array');
    t.deepEqual(b, new Uint8Array([0x61, 0x62]), 'bytes');
    const ab = await new Response('ab').arrayBuffer();
    t.ok(ab instanceof ArrayBuffer, 'arrayBuffer is an ArrayBuffer');
    t.equal(ab.byteLength, 2, 'length');
  });

  test('Response: a body can be read once; bodyUsed tells', async (t) => {
    const r = new Response('once');
    t.equal(r.bodyUsed, false, 'before');
    t.equal(await r.text(), 'once', 'read');
    t.equal(r.bodyUsed, true, 'after');
    await t.rejects(() => r.text(), 'TypeError', 'text again');
    await t.rejects(() => r.arrayBuffer(), 'TypeError', 'arrayBuffer again');
    await t.rejects(() => r.json(), 'TypeError', 'json again');
    await t.rejects(() => r.bytes(), 'TypeError', 'bytes again');
  });

  test('Response: bodyUsed is set as soon as reading starts', (t) => {
    const r = new Response('x');
    const p = r.text();
    t.equal(r.bodyUsed, true, 'synchronously');
    return p.then((v) => t.equal(v, 'x', 'value'));
  });

  test('Response: clone() copies status, headers and body, independently', async (t) => {
    const r = new Response('body', { status: 201, statusText: 'Made', headers: { a: '1' } });
    const c = r.clone();
    t.equal(c.status, 201, 'status');
    t.equal(c.statusText, 'Made', 'statusText');
    t.equal(c.headers.get('a'), '1', 'headers');
    t.ok(c.headers !== r.headers, 'a new Headers');
    c.headers.set('a', '2');
    t.equal(r.headers.get('a'), '1', 'headers are independent');
    t.equal(await r.text(), 'body', 'original body');
    t.equal(await c.text(), 'body', 'clone body');
  });

  test('Response: clone() of a used response is a TypeError', async (t) => {
    const r = new Response('x');
    await r.text();
    t.throws(() => r.clone(), 'TypeError');
  });

  test('Response.error(): a network error', (t) => {
    const r = Response.error();
    t.equal(r.type, 'error', 'type');
    t.equal(r.status, 0, 'status');
    t.equal(r.statusText, '', 'statusText');
    t.equal(r.ok, false, 'ok');
    t.equal(r.body, null, 'body');
    t.deepEqual([...r.headers], [], 'headers');
    t.equal(r.clone().type, 'error', 'clone keeps the type');
  });

  for (const status of [301, 302, 303, 307, 308]) {
    test(`Response.redirect: status ${status}`, (t) => {
      const r = Response.redirect('http://example.com/next', status);
      t.equal(r.status, status, 'status');
      t.equal(r.headers.get('location'), 'http://example.com/next', 'location');
      t.equal(r.body, null, 'body');
      t.equal(r.type, 'default', 'type');
    });
  }

  test('Response.redirect: default status, URL serialisation and errors', (t) => {
    t.equal(Response.redirect('http://example.com/').status, 302, 'default 302');
    t.equal(Response.redirect('HTTP://EXAMPLE.com:80/a b').headers.get('location'), 'http://example.com/a%20b', 'location is the serialised URL');
    t.equal(Response.redirect(new URL('http://x/y')).headers.get('location'), 'http://x/y', 'a URL object');
    for (const status of [200, 300, 304, 309, 0]) t.throws(() => Response.redirect('http://example.com/', status), 'RangeError', `status ${status}`);
    t.throws(() => Response.redirect('http://[::1', 302), 'TypeError', 'invalid URL');
  });

  test('Response.json: serialises data and sets application/json', async (t) => {
    const r = Response.json({ a: 1, b: ['x'] });
    t.equal(r.status, 200, 'status');
    t.equal(r.headers.get('content-type'), 'application/json', 'content-type');
    t.equal(await r.text(), '{"a":1,"b":["x"]}', 'body');
    t.equal(await Response.json('\u00e9').text(), '"\u00e9"', 'a string');
    t.equal(await Response.json(null).text(), 'null', 'null');
  });

  test('Response.json: init status, statusText and headers apply', async (t) => {
    const r = Response.json([1], { status: 418, statusText: 'Teapot', headers: { 'Content-Type': 'application/problem+json', x: 'y' } });
    t.equal(r.status, 418, 'status');
    t.equal(r.statusText, 'Teapot', 'statusText');
    t.equal(r.headers.get('content-type'), 'application/problem+json', 'explicit content-type kept');
    t.equal(r.headers.get('x'), 'y', 'other headers');
  });

  test('Response.json: unserialisable data and null body statuses are TypeErrors', (t) => {
    t.throws(() => Response.json(undefined), 'TypeError', 'undefined');
    t.throws(() => Response.json(() => 1), 'TypeError', 'a function');
    t.throws(() => Response.json(Symbol('s')), 'TypeError', 'a symbol');
    t.throws(() => Response.json(1n), 'TypeError', 'a BigInt');
    const cyclic = {};
    cyclic.self = cyclic;
    t.throws(() => Response.json(cyclic), 'TypeError', 'a cycle');
    t.throws(() => Response.json({}, { status: 204 }), 'TypeError', 'status 204');
    t.throws(() => Response.json({}, { status: 100 }), 'RangeError', 'status 100');
  });

  test('Request: defaults of new Request(url)', (t) => {
    const r = new Request('http://example.com');
    t.equal(r.method, 'GET', 'method');
    t.equal(r.url, 'http://example.com/', 'url');
    t.deepEqual([...r.headers], [], 'headers');
    t.equal(r.redirect, 'follow', 'redirect');
    t.equal(r.body, null, 'body');
    t.equal(r.bodyUsed, false, 'bodyUsed');
  });

  test('Request: the other attributes the Fetch standard defines, with their defaults', (t) => {
    const r = new Request(U);
    t.equal(r.cache, 'default', 'cache');
    t.equal(r.credentials, 'same-origin', 'credentials');
    t.equal(r.mode, 'cors', 'mode');
    t.equal(r.destination, '', 'destination');
    t.equal(r.referrer, 'about:client', 'referrer');
    t.equal(r.referrerPolicy, '', 'referrerPolicy');
    t.equal(r.integrity, '', 'integrity');
    t.equal(r.keepalive, false, 'keepalive');
  });

  test('Request: the URL is parsed and serialised', (t) => {
    t.equal(new Request('HTTP://EXAMPLE.COM/a/../b?c#d').url, 'http://example.com/b?c#d', 'normalised');
    t.equal(new Request(new URL('http://x/y')).url, 'http://x/y', 'a URL object');
    t.throws(() => new Request('/relative'), 'TypeError', 'relative URL without a base');
    t.throws(() => new Request('http://[::1'), 'TypeError', 'invalid URL');
    t.throws(() => new Request('http://user:pass@example.com/'), 'TypeError', 'credentials in the URL');
    t.throws(() => new Request('http://user@example.com/'), 'TypeError', 'username in the URL');
  });

  for (const [method, normalised] of [['get', 'GET'], ['post', 'POST'], ['put', 'PUT'], ['delete', 'DELETE'], ['head', 'HEAD'], ['options', 'OPTIONS'], ['Post', 'POST'], ['patch', 'patch'], ['PATCH', 'PATCH'], ['custom', 'custom'], ['M-SEARCH', 'M-SEARCH']]) {
    test(`Request: method ${JSON.stringify(method)} becomes ${JSON.stringify(normalised)}`, (t) => {
      t.equal(new Request(U, { method }).method, normalised);
    });
  }

  for (const method of ['CONNECT', 'connect', 'TRACE', 'trace', 'TRACK', 'track']) {
    test(`Request: forbidden method ${method} is a TypeError`, (t) => t.throws(() => new Request(U, { method }), 'TypeError'));
  }

  for (const method of ['', 'a b', 'GET\n', '(GET)', 'G\u00c9T']) {
    test(`Request: method ${JSON.stringify(method)} is not a token and is a TypeError`, (t) => t.throws(() => new Request(U, { method }), 'TypeError'));
  }

  test('Request: GET and HEAD cannot have a body', (t) => {
    t.throws(() => new Request(U, { body: 'x' }), 'TypeError', 'GET (default)');
    t.throws(() => new Request(U, { method: 'HEAD', body: 'x' }), 'TypeError', 'HEAD');
    t.throws(() => new Request(U, { method: 'get', body: '' }), 'TypeError', 'even an empty one');
    t.equal(new Request(U, { body: null }).body, null, 'null body is fine');
    t.equal(new Request(U, { body: undefined }).method, 'GET', 'undefined body is fine');
  });

  test('Request: redirect mode is validated', (t) => {
    t.equal(new Request(U, { redirect: 'manual' }).redirect, 'manual', 'manual');
    t.equal(new Request(U, { redirect: 'error' }).redirect, 'error', 'error');
    t.throws(() => new Request(U, { redirect: 'invalid' }), 'TypeError', 'invalid');
    t.throws(() => new Request(U, { redirect: 'FOLLOW' }), 'TypeError', 'enum values are case-sensitive');
  });

  test('Request: body and its Content-Type', async (t) => {
    const r = new Request(U, { method: 'POST', body: '{"k":"v"}' });
    t.equal(r.headers.get('content-type'), 'text/plain;charset=UTF-8', 'string');
    t.deepEqual(await r.json(), { k: 'v' }, 'json');
    t.equal(r.bodyUsed, true, 'bodyUsed');
    await t.rejects(() => r.text(), 'TypeError', 'second read');
    const f = new Request(U, { method: 'PUT', body: new URLSearchParams({ a: 'b c' }), headers: { 'content-type': 'text/x-mine' } });
    t.equal(f.headers.get('content-type'), 'text/x-mine', 'explicit content-type wins');
    t.equal(await f.text(), 'a=b+c', 'URLSearchParams body');
    const b = new Request(U, { method: 'POST', body: new Uint8Array([0xe2, 0x82, 0xac]) });
    t.equal(await b.text(), '\u20ac', 'bytes decoded as UTF-8');
  });

  test('Request: new Request(request) copies it, and init overrides', async (t) => {
    const a = new Request(U, { method: 'POST', headers: { x: '1' }, body: 'payload', redirect: 'manual' });
    const b = new Request(a);
    t.equal(b.method, 'POST', 'method');
    t.equal(b.url, U, 'url');
    t.equal(b.headers.get('x'), '1', 'headers');
    t.equal(b.redirect, 'manual', 'redirect');
    t.equal(a.bodyUsed, true, 'the input body moved to the new request');
    t.equal(await b.text(), 'payload', 'body');
    const c = new Request(new Request(U, { headers: { x: '1', y: '2' } }), { method: 'PUT', headers: { z: '3' } });
    t.equal(c.method, 'PUT', 'init method');
    t.deepEqual([...c.headers], [['z', '3']], 'init headers replace the input headers');
  });

  test('Request: a used request cannot be the input of another', async (t) => {
    const a = new Request(U, { method: 'POST', body: 'x' });
    await a.text();
    t.throws(() => new Request(a), 'TypeError', 'used body');
    t.equal(new Request(a, { body: 'fresh' }).method, 'POST', 'unless init gives a new body');
  });

  test('Request: clone() copies method, headers and body independently', async (t) => {
    const a = new Request(U, { method: 'POST', headers: { x: '1' }, body: 'data' });
    const b = a.clone();
    t.equal(b.method, 'POST', 'method');
    t.equal(b.url, U, 'url');
    b.headers.set('x', '2');
    t.equal(a.headers.get('x'), '1', 'headers independent');
    t.equal(await b.text(), 'data', 'clone body');
    t.equal(await a.text(), 'data', 'original body');
    t.throws(() => a.clone(), 'TypeError', 'clone of a used request');
  });

  test('Request and Response: WebIDL shape', (t) => {
    t.equal(Object.prototype.toString.call(new Request(U)), '[object Request]', 'Request toStringTag');
    t.equal(Object.prototype.toString.call(new Response()), '[object Response]', 'Response toStringTag');
    t.throws(() => Request(U), 'TypeError', 'Request() without new');
    t.throws(() => Response(), 'TypeError', 'Response() without new');
    t.throws(() => new Request(), 'TypeError', 'Request needs an input');
    t.equal(Request.length, 1, 'Request.length');
    t.equal(Response.length, 0, 'Response.length');
    t.equal(typeof Object.getOwnPropertyDescriptor(Response.prototype, 'status').get, 'function', 'status is an accessor');
    t.equal(typeof Response.json, 'function', 'Response.json is static');
    t.throws(() => Object.getOwnPropertyDescriptor(Response.prototype, 'status').get.call({}), 'TypeError', 'status getter on a non-Response');
    return t.rejects(() => Response.prototype.text.call({}), 'TypeError', 'text() on a non-Response');
  });
});

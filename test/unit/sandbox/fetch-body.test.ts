import { describe, expect, it } from 'vitest';
import { Request } from '../../../sandbox/src/web/request.ts';
import { Response, responseInternals } from '../../../sandbox/src/web/response.ts';
import { URLSearchParams } from '../../../sandbox/src/web/url-classes.ts';



describe('Response', () => {
  it('Response: a status outside 200-599 is a RangeError', () => {
    for (const status of [0, 100, 199, 600]) expect(() => new Response(null, { status })).toThrow(RangeError);
  });
  it('Response: a body with a null body status is a TypeError', () => {
    for (const status of [204, 205, 304]) expect(() => new Response('x', { status })).toThrow(TypeError);
  });
  it('Response: a string body sets text/plain;charset=UTF-8 and reads back', async () => {
    const r = new Response('héllo');
    expect(r.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await r.text()).toBe('héllo');
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });
  it('Response: URLSearchParams body is form-encoded', async () => {
    const r = new Response(new URLSearchParams('a=1&b=x y'));
    expect(r.headers.get('content-type')).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(await r.text()).toBe('a=1&b=x+y');
  });
  it('Response: an ArrayBuffer body is copied at construction', async () => {
    const u = new Uint8Array([1, 2, 3]);
    const r = new Response(u);
    u[0] = 9;
    expect([...(await r.bytes())]).toEqual([1, 2, 3]);
  });
  it('Response.json: serialises and sets application/json', async () => {
    const r = Response.json({ a: 1 }, { status: 201 });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ a: 1 });
  });
  it('Response.redirect: rejects a non-redirect status and sets an absolute Location', () => {
    expect(() => Response.redirect('http://a/', 200)).toThrow(RangeError);
    const r = Response.redirect('http://a.example/x y', 301);
    expect(r.headers.get('location')).toBe('http://a.example/x%20y');
    expect(() => r.headers.set('x', 'y')).toThrow(TypeError);
  });
  it('Response.error: type error, status 0, immutable headers', () => {
    const r = Response.error();
    expect(r.type).toBe('error');
    expect(r.status).toBe(0);
    expect(() => r.headers.append('a', 'b')).toThrow(TypeError);
  });
  it('Response: clone() gives an independent body; cloning a used body is a TypeError', async () => {
    const r = new Response('x');
    const c = r.clone();
    expect(await r.text()).toBe('x');
    expect(await c.text()).toBe('x');
    expect(() => r.clone()).toThrow(TypeError);
  });
  it('Response: a look-alike object is not a Response to the runtime', () => {
    const fake = Object.create(Response.prototype);
    expect(responseInternals(fake)).toBeNull();
    expect(responseInternals({ status: 200 })).toBeNull();
    expect(responseInternals(new Response('x'))).not.toBeNull();
  });
});

describe('Request', () => {
  it('Request: normalises standard methods case-insensitively and keeps others as given', () => {
    expect(new Request('http://a/', { method: 'post' }).method).toBe('POST');
    expect(new Request('http://a/', { method: 'patch' }).method).toBe('patch');
  });
  it('Request: forbidden methods are a TypeError', () => {
    for (const method of ['CONNECT', 'trace', 'TRACK']) expect(() => new Request('http://a/', { method })).toThrow(TypeError);
  });
  it('Request: GET and HEAD cannot have a body', () => {
    expect(() => new Request('http://a/', { body: 'x' })).toThrow(TypeError);
    expect(() => new Request('http://a/', { method: 'HEAD', body: 'x' })).toThrow(TypeError);
  });
  it('Request: a relative or credentialed URL is a TypeError (no base URL on a server)', () => {
    expect(() => new Request('/x')).toThrow(TypeError);
    expect(() => new Request('http://u:p@a/')).toThrow(TypeError);
  });
  it('Request: url is serialised and body is readable', async () => {
    const r = new Request('HTTP://A.example/./b/../c', { method: 'PUT', body: '{"a":1}' });
    expect(r.url).toBe('http://a.example/c');
    expect(await r.json()).toEqual({ a: 1 });
  });
  it('Request: init members default as Fetch says', () => {
    const r = new Request('http://a/');
    expect({
      mode: r.mode, credentials: r.credentials, cache: r.cache, redirect: r.redirect, integrity: r.integrity, keepalive: r.keepalive,
      referrer: r.referrer, referrerPolicy: r.referrerPolicy, duplex: r.duplex, destination: r.destination,
      reload: r.isReloadNavigation, history: r.isHistoryNavigation,
    }).toEqual({
      mode: 'cors', credentials: 'same-origin', cache: 'default', redirect: 'follow', integrity: '', keepalive: false,
      referrer: 'about:client', referrerPolicy: '', duplex: 'half', destination: '', reload: false, history: false,
    });
  });
  it('Request: init members are kept, and carried over by new Request(request) and clone()', () => {
    const init = {
      mode: 'same-origin', credentials: 'include', cache: 'only-if-cached', redirect: 'manual', integrity: 'sha256-x',
      keepalive: true, referrerPolicy: 'no-referrer', referrer: 'https://ref.example/p',
    } as const;
    const r = new Request('http://a/', init);
    const pick = (q: Request) => ({
      mode: q.mode, credentials: q.credentials, cache: q.cache, redirect: q.redirect, integrity: q.integrity,
      keepalive: q.keepalive, referrerPolicy: q.referrerPolicy, referrer: q.referrer,
    });
    expect(pick(r)).toEqual(init);
    expect(pick(r.clone())).toEqual(init);
    expect(pick(new Request(r))).toEqual(init);
  });
  it('Request: a non-empty init resets the referrer taken from the input Request', () => {
    const r = new Request('http://a/', { referrer: 'https://ref.example/', referrerPolicy: 'origin' });
    const s = new Request(r, { method: 'POST' });
    expect([s.referrer, s.referrerPolicy]).toEqual(['about:client', '']);
    expect(new Request('http://a/', { referrer: '' }).referrer).toBe('');
    expect(new Request('http://a/', { referrer: 'about:client' }).referrer).toBe('about:client');
  });
  it('Request: a value outside an init enum is a TypeError', () => {
    for (const init of [{ mode: 'x' }, { credentials: 'x' }, { cache: 'x' }, { redirect: 'x' }, { duplex: 'full' }, { referrerPolicy: 'x' }, { priority: 'x' }]) {
      expect(() => new Request('http://a/', init as never)).toThrow(TypeError);
    }
  });
  it('Request: mode navigate, only-if-cached outside same-origin, a window, a bad referrer are TypeErrors', () => {
    expect(() => new Request('http://a/', { mode: 'navigate' })).toThrow(TypeError);
    expect(() => new Request('http://a/', { cache: 'only-if-cached' })).toThrow(TypeError);
    expect(() => new Request('http://a/', { window: {} } as never)).toThrow(TypeError);
    expect(new Request('http://a/', { window: null } as never).url).toBe('http://a/');
    expect(() => new Request('http://a/', { referrer: '/relative' })).toThrow(TypeError);
    expect(() => new Request('http://a/', 5 as never)).toThrow(TypeError);
  });
  it('Request: no-cors allows only GET, HEAD and POST', () => {
    expect(new Request('http://a/', { mode: 'no-cors', method: 'POST' }).mode).toBe('no-cors');
    expect(() => new Request('http://a/', { mode: 'no-cors', method: 'PUT' })).toThrow(TypeError);
  });
  it('Request: init members are read once each, in lexicographic order', () => {
    const seen: string[] = [];
    const init = new Proxy({}, { get: (_t, k) => void seen.push(String(k)) });
    new Request('http://a/', init);
    expect(seen).toEqual(['body', 'cache', 'credentials', 'duplex', 'headers', 'integrity', 'keepalive', 'method', 'mode', 'priority', 'redirect', 'referrer', 'referrerPolicy', 'signal', 'window']);
  });
  it('Request: new Request(request) copies the header list as it is', () => {
    const a = new Request('http://a/', { headers: [['b', '1'], ['a', '2'], ['b', '3']] });
    const b = new Request(a);
    b.headers.append('c', '4');
    expect([...b.headers]).toEqual([['a', '2'], ['b', '1, 3'], ['c', '4']]);
    expect(a.headers.has('c')).toBe(false);
  });
});

describe('Response: init', () => {
  it('Response: a non-object init is a TypeError; headers: null is a TypeError', () => {
    expect(() => new Response('x', 5 as never)).toThrow(TypeError);
    expect(() => new Response('x', { headers: null } as never)).toThrow(TypeError);
  });
  it('Response.json: a null body status is a TypeError; the body stays text', () => {
    expect(() => Response.json({}, { status: 204 })).toThrow(TypeError);
    expect(responseInternals(Response.json({ a: 'é' }))!.body.text).toBe('{"a":"é"}');
  });
  it('Response: clone() keeps the headers immutable for Response.redirect()', () => {
    const c = Response.redirect('http://a/', 307).clone();
    expect(c.status).toBe(307);
    expect(() => c.headers.set('x', 'y')).toThrow(TypeError);
  });
});

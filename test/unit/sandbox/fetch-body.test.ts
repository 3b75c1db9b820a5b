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
});

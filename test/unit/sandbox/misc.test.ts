import { describe, expect, it } from 'vitest';
import { structuredClone } from '../../../sandbox/src/web/structured-clone.ts';
import { formatLog, inspect } from '../../../sandbox/src/web/inspect.ts';
import { Headers } from '../../../sandbox/src/web/headers.ts';
import { URL, URLSearchParams } from '../../../sandbox/src/web/url-classes.ts';
import { plainHttpHref } from '../../../sandbox/src/web/url.ts';


// @ts-expect-error plain CommonJS shim
import * as lazyTr46 from '../../../sandbox/src/vendor/tr46-lazy.cjs';
// @ts-expect-error no types
import * as tr46 from 'tr46';

describe('structuredClone', () => {
  it('structuredClone: preserves cycles and shared references', () => {
    const shared = { s: 1 };
    const o: any = { a: shared, b: shared };
    o.self = o;
    const c: any = structuredClone(o);
    expect(c).not.toBe(o);
    expect(c.self).toBe(c);
    expect(c.a).toBe(c.b);
  });
  it('structuredClone: Date, RegExp, Map, Set, typed arrays sharing a buffer, errors', () => {
    const buf = new ArrayBuffer(8);
    const v = { d: new Date(5), r: /x/gi, m: new Map([[1, { a: 1 }]]), s: new Set([1]), u: new Uint8Array(buf, 2, 2), w: new Uint16Array(buf), e: new RangeError('boom') };
    const c: any = structuredClone(v);
    expect(c.d.getTime()).toBe(5);
    expect(c.r.flags).toBe('gi');
    expect(c.m.get(1)).toEqual({ a: 1 });
    expect(c.s.has(1)).toBe(true);
    expect(c.u.buffer).toBe(c.w.buffer);
    expect(c.u.byteOffset).toBe(2);
    expect(c.e).toBeInstanceOf(RangeError);
    expect(c.e.message).toBe('boom');
  });
  it('structuredClone: functions, symbols and platform-like objects are a DataCloneError', () => {
    for (const v of [() => 1, Symbol('x'), { f() {} }, Promise.resolve()]) {
      expect(() => structuredClone(v)).toThrow(expect.objectContaining({ name: 'DataCloneError', code: 25 }));
    }
  });
  it('structuredClone: a class instance clones as a plain object', () => {
    class A {
      x = 1;
    }
    const c: any = structuredClone(new A());
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(c.x).toBe(1);
  });
});

describe('console formatting', () => {
  it('console: %s %d %i %o substitutions and extra arguments', () => {
    expect(formatLog(['%s is %d years', 'Bob', 42, 'extra'])).toBe('Bob is 42 years extra');
    expect(formatLog(['%i%%', 4.7])).toBe('4%');
    expect(formatLog(['a', { b: [1, 'c'] }])).toBe("a { b: [ 1, 'c' ] }");
  });
  it('console: cycles, Map, Set and errors', () => {
    const o: any = { a: 1 };
    o.o = o;
    expect(inspect(o)).toBe('{ a: 1, o: [Circular *] }');
    expect(inspect(new Map([['k', 1]]))).toBe("Map(1) { 'k' => 1 }");
    expect(inspect(new Set([1, 2]))).toBe('Set(2) { 1, 2 }');
    expect(inspect(new Error('bad')).startsWith('Error: bad\n')).toBe(true);
  });
  it('console: a throwing getter is shown, never run', () => {
    const o = Object.defineProperty({}, 'x', { get() { throw new Error('no'); }, enumerable: true });
    expect(inspect(o)).toBe('{ x: [Getter] }');
    expect(inspect(new Headers())).toBe('Headers {}');
  });
});

describe('URL host processing', () => {
  it('tr46 shim: ASCII hosts give exactly what UTS #46 (tr46) gives', () => {
    const opts = { checkHyphens: false, checkBidi: true, checkJoiners: true, useSTD3ASCIIRules: false, transitionalProcessing: false, verifyDNSLength: false, ignoreInvalidPunycode: false };
    for (const h of ['Example.COM', 'a-.b', '-x.y', 'xn--bcher-kva.example', 'XN--a.b', 'a..b', '1.2.3.4', 'a_b', 'x.xn--zz', '']) {
      expect(lazyTr46.toASCII(h, opts)).toBe(tr46.toASCII(h, opts));
    }
  });
  it('URL: WPT urltestdata samples', () => {
    expect(new URL('http://EXAMPLE.com:80/a/../b?c#d').href).toBe('http://example.com/b?c#d');
    expect(new URL('https://faß.ExAmPlE/').host).toBe('xn--fa-hia.example');
    expect(() => new URL('http://a b/')).toThrow(TypeError);
    expect(new URL('?x', 'http://h/p').href).toBe('http://h/p?x');
  });
  it('URL: the plain fast path and whatwg-url agree with the WHATWG parser on every attribute', () => {
    const attrs = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
    const cases: [string, string?][] = [
      ['http://localhost:8080/hello?name=world'], ['https://a.example'], ['https://a.example/'], ['http://a.b/c?'], ['http://a.b/c#'],
      ['http://a.b/c?d#e?f'], ['http://a.b/c#d?e'], ['http://a.b:443/x'], ['https://a.b:443/x'], ['http://a.b:080/'], ['http://1.2.3.4/'],
      ['http://a.b/./c'], ['http://a.b/%2e/c'], ['http://a.b/c d'], ['http://a.b/?q=\'x\''], ['http://a.b/#`'], ['HTTP://A.B/'],
      ['http://u:p@a.b/'], ['http://a.b\\c/d'], ['http://xn--bcher-kva.example/'], ['http://a..b/'], ['http://0x7f.1/'], ['http://a.b/\u00e9?\u00e9#\u00e9'],
      ['/x?y#z', 'http://a.b:81/p/q'], ['//c.d/e', 'http://a.b/'], ['x', 'http://a.b/p/q'], ['/./x', 'http://a.b/'], ['?z', 'http://a.b/p'],
      ['http://c.d/e', 'http://a.b/'], [' /x', 'http://a.b/'], ['data:text/plain,hi'], ['blob:http://a.b/uuid'], ['ws://a.b/c'],
      ['file:///etc/passwd'], ['non-special://h/p?q#f'], ['http://[::1]:8080/x'],
      ['http://127.0.0.1:8787/fn/x?a=1'], ['http://0.0.0.0/'], ['http://255.255.255.255/'], ['http://1.2.3.04/'], ['http://01.2.3.4/'],
      ['http://1.2.3/'], ['http://1.2.0x3.4/'], ['http://4294967295/'], ['http://1.2.3.4.5.b/'], ['/x?y', 'http://1.2.3.4:81/p'],
    ];
    for (const [input, base] of cases) {
      const ours = base === undefined ? new URL(input) : new URL(input, base);
      const node = base === undefined ? new globalThis.URL(input) : new globalThis.URL(input, base);
      for (const a of attrs) expect(`${input} ${a}: ${ours[a]}`).toBe(`${input} ${a}: ${node[a]}`);
      expect(String(ours)).toBe(node.href);
      expect(ours.searchParams.toString()).toBe(node.searchParams.toString());
    }
    for (const [input, base] of [['http://a b/'], ['x'], ['/x', 'nope'], ['http://a.b:99999/'], ['http://[::1/'], ['/x', 'mailto:x'], ['http://256.1.1.1/'], ['http://1.2.3.4.5/'], ['http://a.1.2.3/']] as [string, string?][]) {
      expect(() => (base === undefined ? new URL(input) : new URL(input, base))).toThrow(TypeError);
      expect(URL.canParse(input, base)).toBe(false);
      expect(URL.parse(input, base)).toBe(null);
    }
  });
  it('URL: a canonical IPv4 host, as in Host: 127.0.0.1:8787, takes the fast path; others go to whatwg-url', () => {
    for (const plain of ['http://127.0.0.1:8787/fn/x?a=1', 'http://0.0.0.0/', 'https://255.255.255.255/p', 'http://10.0.0.1']) {
      expect(plainHttpHref(plain), plain).not.toBeNull();
    }
    for (const other of ['http://1.2.3.04/', 'http://01.2.3.4/', 'http://1.2.3/', 'http://256.1.1.1/', 'http://1.2.3.4.5/', 'http://a.1.2.3/', 'http://1.2.0x3.4/', 'http://4294967295/']) {
      expect(plainHttpHref(other), other).toBeNull();
    }
  });
  it('URL: setters and searchParams stay in step, on plain and whatwg-url-backed URLs', () => {
    for (const start of ['http://a.b/p?x=1&y=2#f', 'http://A.B/p?x=1&y=2#f']) {
      const u = new URL(start);
      const n = new globalThis.URL(start);
      const sp = u.searchParams;
      sp.append('z', 'a b&c');
      n.searchParams.append('z', 'a b&c');
      expect(u.href).toBe(n.href);
      u.search = '?k=%20v&k=w';
      n.search = '?k=%20v&k=w';
      expect(sp.getAll('k')).toEqual(['+v'.replace('+', ' '), 'w']);
      expect(u.href).toBe(n.href);
      u.pathname = '/a b/../c';
      n.pathname = '/a b/../c';
      u.hostname = 'EXAMPLE.org';
      n.hostname = 'EXAMPLE.org';
      u.port = '8443';
      n.port = '8443';
      u.hash = '';
      n.hash = '';
      expect(u.href).toBe(n.href);
      sp.delete('k');
      n.searchParams.delete('k');
      expect(u.href).toBe(n.href);
      expect(u.search).toBe('');
      u.href = 'https://c.d/e?f=g';
      expect(sp.get('f')).toBe('g');
      expect(() => (u.href = 'nope')).toThrow(TypeError);
      expect(u.href).toBe('https://c.d/e?f=g');
    }
  });
  it('URLSearchParams: WPT-style parsing, serialising, sorting and initialisers', () => {
    const cases = ['', '?', 'a', 'a=', '=b', '&&a=1&&', 'a=1&a=2&b', 'a+b=c+d', '%61=%zz%4', '%E2%82%AC=%C3', 'x=\u00e9\ud800', '?a=b?c'];
    for (const c of cases) {
      const ours = new URLSearchParams(c);
      const node = new globalThis.URLSearchParams(c);
      expect([...ours]).toEqual([...node]);
      expect(ours.toString()).toBe(node.toString());
      expect(ours.size).toBe(node.size);
    }
    const p = new URLSearchParams([['z', '1'], ['a', '2'], ['z', '0'], ['\uD83D\uDE00', 'e'], ['\uFFFD', 'f']]);
    p.sort();
    const q = new globalThis.URLSearchParams([['z', '1'], ['a', '2'], ['z', '0'], ['\uD83D\uDE00', 'e'], ['\uFFFD', 'f']]);
    q.sort();
    expect(p.toString()).toBe(q.toString());
    expect(new URLSearchParams({ a: '1', b: 'x y' }).toString()).toBe('a=1&b=x+y');
    expect(new URLSearchParams(new URLSearchParams('a=1&a=2')).getAll('a')).toEqual(['1', '2']);
    expect(() => new URLSearchParams([['a']] as never)).toThrow(TypeError);
    const s = new URLSearchParams('a=1&b=2&a=3');
    s.set('a', '9');
    expect(s.toString()).toBe('a=9&b=2');
    expect(s.has('b', '2')).toBe(true);
    expect(s.has('b', '3')).toBe(false);
    const seen: string[] = [];
    s.forEach((v, k) => seen.push(`${k}=${v}`));
    expect(seen).toEqual(['a=9', 'b=2']);
    expect([...s.keys()]).toEqual(['a', 'b']);
    expect(Object.prototype.toString.call(s)).toBe('[object URLSearchParams]');
  });
});

import { describe, expect, it } from 'vitest';
import { structuredClone } from '../../../sandbox/src/web/structured-clone.ts';
import { formatLog, inspect } from '../../../sandbox/src/web/inspect.ts';
import { Headers } from '../../../sandbox/src/web/headers.ts';
import { whatwgUrl } from '../../../sandbox/src/web/url.ts';

const { URL } = whatwgUrl();
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
});

import { describe, expect, it } from 'vitest';
import { Headers } from '../../../sandbox/src/web/headers.ts';

describe('Headers', () => {
  it('Headers: rejects a value containing CR, LF or NUL', () => {
    for (const v of ['a\rb', 'a\nb', 'a\0b']) expect(() => new Headers([['x', v]])).toThrow(TypeError);
  });
  it('Headers: rejects an invalid name', () => {
    for (const n of ['', 'a b', 'a:b', 'ä', '(x)']) expect(() => new Headers().append(n, 'v')).toThrow(TypeError);
  });
  it('Headers: strips leading and trailing HTTP whitespace from values', () => {
    const h = new Headers({ a: ' \t v \n' });
    expect(h.get('a')).toBe('v');
  });
  it('Headers: names are case-insensitive and iterate lowercased and sorted, combining duplicates', () => {
    const h = new Headers([['B', '1'], ['a', '2'], ['b', '3']]);
    expect([...h]).toEqual([['a', '2'], ['b', '1, 3']]);
    expect(h.get('B')).toBe('1, 3');
  });
  it('Headers: set-cookie values are not combined when iterating (Fetch "sort and combine")', () => {
    const h = new Headers([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['x', 'y']]);
    expect([...h]).toEqual([['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x', 'y']]);
    expect(h.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(h.get('set-cookie')).toBe('a=1, b=2');
  });
  it('Headers: a pair of the wrong length is a TypeError', () => {
    expect(() => new Headers([['a']] as never)).toThrow(TypeError);
    expect(() => new Headers([['a', 'b', 'c']] as never)).toThrow(TypeError);
  });
  it('Headers: set replaces the first and removes later duplicates', () => {
    const h = new Headers([['a', '1'], ['b', '2'], ['a', '3']]);
    h.set('A', '4');
    expect([...h]).toEqual([['a', '4'], ['b', '2']]);
  });
  it('Headers: a value with a code unit above 0xFF is rejected', () => {
    expect(() => new Headers({ a: '\u0100' })).toThrow(TypeError);
  });
  it('Headers: a missing argument is a TypeError', () => {
    const h = new Headers();
    expect(() => (h.append as (n: string) => void)('a')).toThrow(TypeError);
    expect(() => (h.set as (n: string) => void)('a')).toThrow(TypeError);
    expect(() => (h.get as () => void)()).toThrow(TypeError);
    expect(() => (h.has as () => void)()).toThrow(TypeError);
    expect(() => (h.delete as () => void)()).toThrow(TypeError);
  });
  it('Headers: both arguments are converted before either is validated', () => {
    const boom = { toString: () => { throw new RangeError('value'); } };
    expect(() => new Headers().append('bad name', boom as never)).toThrow(RangeError);
  });
  it('Headers: DEL and obs-text are allowed in values; a tab inside is kept', () => {
    const h = new Headers({ a: 'x\x7fy\xffz', b: 'p\tq' });
    expect([h.get('a'), h.get('b')]).toEqual(['x\x7fy\xffz', 'p\tq']);
  });
});

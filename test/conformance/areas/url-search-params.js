/**
 * URLSearchParams: application/x-www-form-urlencoded parsing and serialisation (URL
 * Standard §5), the constructor's three init forms, the mutation methods, stable sort by
 * code units, iteration.
 */
import { area } from '../harness.js';

/** [input, expected entries] for the parser. */
const PARSE = [
  ['', []],
  ['?', []],
  ['?a=b', [['a', 'b']]],
  ['??a=b', [['?a', 'b']]],
  ['a=b&c=d', [['a', 'b'], ['c', 'd']]],
  ['a=b&&c=d&', [['a', 'b'], ['c', 'd']]],
  ['a', [['a', '']]],
  ['a=', [['a', '']]],
  ['=a', [['', 'a']]],
  ['=', [['', '']]],
  ['&', []],
  ['a==b', [['a', '=b']]],
  ['a=b=c', [['a', 'b=c']]],
  ['a+b=c+d', [['a b', 'c d']]],
  ['a%20b=c%2Bd', [['a b', 'c+d']]],
  ['a=%zz', [['a', '%zz']]],
  ['a=%', [['a', '%']]],
  ['a=%2', [['a', '%2']]],
  ['a=%e2%82%ac', [['a', '\u20ac']]],
  ['a=%E2%82%AC', [['a', '\u20ac']]],
  ['a=\u20ac', [['a', '\u20ac']]],
  ['a=%ff', [['a', '\ufffd']]],
  ['a=%e2%82', [['a', '\ufffd']]],
  ['a=%c3%28', [['a', '\ufffd(']]],
  ['a=%00', [['a', '\u0000']]],
  ['a=b;c=d', [['a', 'b;c=d']]],
  ['a=1&a=2&a=3', [['a', '1'], ['a', '2'], ['a', '3']]],
  ['%61=%62', [['a', 'b']]],
  ['a%3Db=c', [['a=b', 'c']]],
  ['a%26b=c', [['a&b', 'c']]],
  ['a=b#c', [['a', 'b#c']]],
  ['%F0%9F%92%A9=%F0%9F%92%A9', [['\ud83d\udca9', '\ud83d\udca9']]],
];

/** [entries, expected serialisation]. */
const SERIALISE = [
  [[['a', 'b']], 'a=b'],
  [[['a', 'b c']], 'a=b+c'],
  [[['a b', 'c']], 'a+b=c'],
  [[['a', 'b+c']], 'a=b%2Bc'],
  [[['a', '*-._']], 'a=*-._'],
  [[['a', '~']], 'a=%7E'],
  [[['a', "!'()"]], 'a=%21%27%28%29'],
  [[['a', '&=?#/:;@,$']], 'a=%26%3D%3F%23%2F%3A%3B%40%2C%24'],
  [[['a', '\n\r\t']], 'a=%0A%0D%09'],
  [[['a', '\u0000']], 'a=%00'],
  [[['a', '\u00e9']], 'a=%C3%A9'],
  [[['a', '\u20ac']], 'a=%E2%82%AC'],
  [[['a', '\ud83d\udca9']], 'a=%F0%9F%92%A9'],
  [[['a', '\ud83d']], 'a=%EF%BF%BD'],
  [[['', '']], '='],
  [[['a', ''], ['', 'b']], 'a=&=b'],
  [[['a', '"<>`{}|\\^[]']], 'a=%22%3C%3E%60%7B%7D%7C%5C%5E%5B%5D'],
  [[['AZaz09', 'AZaz09']], 'AZaz09=AZaz09'],
];

export default area('url-search-params', (test) => {
  for (const [input, entries] of PARSE) {
    test(`URLSearchParams: parses ${JSON.stringify(input)}`, (t) => {
      t.deepEqual([...new URLSearchParams(input)], entries);
    });
  }

  for (const [entries, text] of SERIALISE) {
    test(`URLSearchParams: serialises ${JSON.stringify(entries)}`, (t) => {
      const params = new URLSearchParams();
      for (const [k, v] of entries) params.append(k, v);
      t.equal(params.toString(), text, 'toString');
      t.equal(String(params), text, 'String()');
    });
  }

  test('URLSearchParams: serialisation and parsing round-trip every code point class', (t) => {
    const values = ['\u0000\u007f', ' +&=%', '\u00ff\u0100\u07ff\u0800\uffff', '\ud800\udc00\udbff\udfff'];
    for (const v of values) {
      const text = new URLSearchParams({ k: v }).toString();
      t.equal(new URLSearchParams(text).get('k'), v, JSON.stringify(v));
    }
  });

  test('URLSearchParams: constructor with a record', (t) => {
    const params = new URLSearchParams({ a: '1', b: 2, c: null });
    t.deepEqual([...params], [['a', '1'], ['b', '2'], ['c', 'null']], 'values are stringified');
    t.deepEqual([...new URLSearchParams({ '\ud835x': '\ud835' })], [['\ufffdx', '\ufffd']], 'lone surrogates become U+FFFD');
    const withProto = Object.create({ inherited: 'x' });
    withProto.own = 'y';
    t.deepEqual([...new URLSearchParams(withProto)], [['own', 'y']], 'only own enumerable properties');
  });

  test('URLSearchParams: constructor with a sequence of pairs', (t) => {
    t.deepEqual([...new URLSearchParams([['a', '1'], ['a', '2']])], [['a', '1'], ['a', '2']], 'duplicate names kept');
    t.deepEqual([...new URLSearchParams([])], [], 'empty');
    t.throws(() => new URLSearchParams([['a']]), 'TypeError', 'pair of one');
    t.throws(() => new URLSearchParams([['a', 'b', 'c']]), 'TypeError', 'pair of three');
    t.throws(() => new URLSearchParams([1]), 'TypeError', 'a non-iterable item');
    t.deepEqual([...new URLSearchParams(new Map([['m', 'v']]))], [['m', 'v']], 'any iterable of pairs');
    t.deepEqual([...new URLSearchParams([new Set(['x', 'y'])])], [['x', 'y']], 'pairs may be any iterables');
  });

  test('URLSearchParams: constructor with another URLSearchParams copies it', (t) => {
    const a = new URLSearchParams('x=1&y=2');
    const b = new URLSearchParams(a);
    b.append('z', '3');
    t.equal(a.toString(), 'x=1&y=2', 'original untouched');
    t.equal(b.toString(), 'x=1&y=2&z=3', 'copy');
  });

  test('URLSearchParams: constructor without argument, undefined, null', (t) => {
    t.equal(new URLSearchParams().toString(), '', 'no argument');
    t.equal(new URLSearchParams(undefined).toString(), '', 'undefined');
    t.equal(new URLSearchParams(null).toString(), 'null=', 'null is the string "null"');
    t.equal(new URLSearchParams(123).toString(), '123=', 'a number is stringified');
  });

  test('URLSearchParams: append, get, getAll, has', (t) => {
    const p = new URLSearchParams();
    p.append('a', 'b');
    p.append('a', 'c');
    p.append('d', 'e');
    t.equal(p.get('a'), 'b', 'get returns the first');
    t.deepEqual(p.getAll('a'), ['b', 'c'], 'getAll');
    t.deepEqual(p.getAll('x'), [], 'getAll of a missing name');
    t.equal(p.get('x'), null, 'get of a missing name is null');
    t.equal(p.has('d'), true, 'has');
    t.equal(p.has('D'), false, 'names are case-sensitive');
    t.equal(p.has('a', 'c'), true, 'has with a value');
    t.equal(p.has('a', 'z'), false, 'has with another value');
    t.equal(p.has('a', undefined), true, 'has with undefined value ignores it');
    t.throws(() => p.append('a'), 'TypeError', 'append needs two arguments');
    t.throws(() => p.get(), 'TypeError', 'get needs an argument');
  });

  test('URLSearchParams: set replaces the first in place and removes the rest', (t) => {
    const p = new URLSearchParams('a=1&b=2&a=3&c=4');
    p.set('a', 'x');
    t.equal(p.toString(), 'a=x&b=2&c=4', 'replaced');
    p.set('z', 'new');
    t.equal(p.toString(), 'a=x&b=2&c=4&z=new', 'appended when absent');
  });

  test('URLSearchParams: delete by name and by name and value', (t) => {
    const p = new URLSearchParams('a=1&b=2&a=3&a=1');
    p.delete('a', '1');
    t.equal(p.toString(), 'b=2&a=3', 'by name and value');
    p.delete('a');
    t.equal(p.toString(), 'b=2', 'by name');
    p.delete('missing');
    t.equal(p.toString(), 'b=2', 'missing name');
    const q = new URLSearchParams('a=1&a=2');
    q.delete('a', undefined);
    t.equal(q.toString(), '', 'undefined value deletes every entry of the name');
  });

  test('URLSearchParams: size', (t) => {
    const p = new URLSearchParams('a=1&b=2&a=3');
    t.equal(p.size, 3, 'initial');
    p.delete('a');
    t.equal(p.size, 1, 'after delete');
    p.append('c', '');
    t.equal(p.size, 2, 'after append');
  });

  test('URLSearchParams: sort is stable and compares UTF-16 code units', (t) => {
    const p = new URLSearchParams('z=b&a=b&z=a&a=a');
    p.sort();
    t.deepEqual([...p], [['a', 'b'], ['a', 'a'], ['z', 'b'], ['z', 'a']], 'stable');
    const q = new URLSearchParams('\ufb03=1&\ud83c\udf08=2');
    q.sort();
    t.deepEqual([...q].map(([k]) => k), ['\ud83c\udf08', '\ufb03'], 'surrogates sort before U+FB03');
    const r = new URLSearchParams('\u00e9&e\uffff&f&e\u0301&e');
    r.sort();
    t.deepEqual([...r].map(([k]) => k), ['e', 'e\u0301', 'e\uffff', 'f', '\u00e9'], 'no normalisation');
    const s = new URLSearchParams('a=9&B=1&a=8&_=0&A=7');
    s.sort();
    t.equal(s.toString(), 'A=7&B=1&_=0&a=9&a=8', 'upper case, then "_", then lower case');
    const many = new URLSearchParams();
    for (let i = 0; i < 20; i++) many.append(i % 2 ? 'b' : 'a', String(i));
    many.sort();
    t.equal(many.getAll('a').join(','), '0,2,4,6,8,10,12,14,16,18', 'stable over many entries');
  });

  test('URLSearchParams: iteration', (t) => {
    const p = new URLSearchParams('a=1&b=2&a=3');
    t.deepEqual([...p.keys()], ['a', 'b', 'a'], 'keys');
    t.deepEqual([...p.values()], ['1', '2', '3'], 'values');
    t.deepEqual([...p.entries()], [['a', '1'], ['b', '2'], ['a', '3']], 'entries');
    t.ok(URLSearchParams.prototype[Symbol.iterator] === URLSearchParams.prototype.entries, '@@iterator is entries');
    const seen = [];
    const thisArg = {};
    p.forEach(function (value, key, obj) {
      seen.push([key, value, obj === p, this === thisArg]);
    }, thisArg);
    t.deepEqual(seen, [['a', '1', true, true], ['b', '2', true, true], ['a', '3', true, true]], 'forEach');
    t.equal(Object.prototype.toString.call(p.entries()), '[object URLSearchParams Iterator]', 'iterator toStringTag');
    t.equal(Object.prototype.toString.call(p), '[object URLSearchParams]', 'toStringTag');
  });

  test('URLSearchParams: iteration sees entries appended during it', (t) => {
    const p = new URLSearchParams('a=1');
    const keys = [];
    for (const [k] of p) {
      keys.push(k);
      if (keys.length < 3) p.append(`k${keys.length}`, '');
    }
    t.deepEqual(keys, ['a', 'k1', 'k2']);
  });

  test('URLSearchParams: forEach over a deleting callback skips as the live list dictates', (t) => {
    const p = new URLSearchParams('a=1&b=2&c=3&d=4');
    const keys = [];
    p.forEach((_v, k) => {
      keys.push(k);
      if (k === 'b') p.delete('a');
    });
    t.deepEqual(keys, ['a', 'b', 'd']);
  });

  test('URLSearchParams: methods require a URLSearchParams receiver', (t) => {
    t.throws(() => URLSearchParams.prototype.get.call({}, 'a'), 'TypeError', 'get');
    t.throws(() => URLSearchParams.prototype.toString.call(new URL('http://a/')), 'TypeError', 'toString on a URL');
    t.throws(() => URLSearchParams(''), 'TypeError', 'call without new');
  });
});

/**
 * Fetch's Headers: name (token) and value validation, value normalisation (HTTP
 * whitespace stripped), case-insensitive names, combining with ", ", Set-Cookie kept
 * apart (getSetCookie, iteration), iteration sorted by lowercased name, the init forms,
 * and the immutable guard on Response.error() and Response.redirect() headers.
 */
import { area } from '../harness.js';

const INVALID_NAMES = ['', ' ', 'a b', 'a:b', ' a', 'a ', '(', ')', ',', '/', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '{', '}', '"', '\u00e4', '\u0000', 'a\tb', 'a\nb', '\u2022'];
const VALID_NAMES = ["!#$%&'*+-.^_`|~", 'Content-Type', 'x-0123456789', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** [value, the normalised value, or null when it must be rejected]. */
const VALUES = [
  ['plain', 'plain'],
  ['', ''],
  [' x ', 'x'],
  ['\tx\t', 'x'],
  ['\r\nx\r\n', 'x'],
  [' \t\r\n x \t\r\n ', 'x'],
  ['a b\tc', 'a b\tc'],
  ['\fx\f', '\fx\f'],
  ['\u000bx', '\u000bx'],
  ['\u007f', '\u007f'],
  ['\u00e9\u00ff', '\u00e9\u00ff'],
  ['a\u0000b', null],
  ['a\rb', null],
  ['a\nb', null],
  ['a\r\n b', null],
  ['\u0100', null],
  ['\u20ac', null],
  ['\ud83d\udca9', null],
];

export default area('headers', (test) => {
  for (const name of INVALID_NAMES) {
    test(`Headers: ${JSON.stringify(name)} is not a valid header name`, (t) => {
      const h = new Headers();
      t.throws(() => h.append(name, 'v'), 'TypeError', 'append');
      t.throws(() => h.set(name, 'v'), 'TypeError', 'set');
      t.throws(() => h.get(name), 'TypeError', 'get');
      t.throws(() => h.has(name), 'TypeError', 'has');
      t.throws(() => h.delete(name), 'TypeError', 'delete');
      t.throws(() => new Headers([[name, 'v']]), 'TypeError', 'constructor');
    });
  }

  for (const name of VALID_NAMES) {
    test(`Headers: ${JSON.stringify(name)} is a valid header name, stored lowercased`, (t) => {
      const h = new Headers();
      h.append(name, 'v');
      t.equal(h.get(name.toUpperCase()), 'v', 'get is case-insensitive');
      t.deepEqual([...h.keys()], [name.toLowerCase()], 'iterated lowercased');
    });
  }

  for (const [value, expected] of VALUES) {
    if (expected === null) {
      test(`Headers: value ${JSON.stringify(value)} is rejected`, (t) => {
        const h = new Headers();
        t.throws(() => h.append('a', value), 'TypeError', 'append');
        t.throws(() => h.set('a', value), 'TypeError', 'set');
        t.throws(() => new Headers({ a: value }), 'TypeError', 'constructor');
        t.equal(h.has('a'), false, 'nothing stored');
      });
    } else {
      test(`Headers: value ${JSON.stringify(value)} is stored as ${JSON.stringify(expected)}`, (t) => {
        const h = new Headers();
        h.append('a', value);
        t.equal(h.get('a'), expected, 'append');
        h.set('b', value);
        t.equal(h.get('b'), expected, 'set');
        t.equal(new Headers({ c: value }).get('c'), expected, 'constructor');
      });
    }
  }

  test('Headers: values are converted to strings', (t) => {
    const h = new Headers();
    h.set('n', 42);
    h.set('u', undefined);
    h.set('o', { toString: () => 'obj' });
    t.equal(h.get('n'), '42', 'number');
    t.equal(h.get('u'), 'undefined', 'undefined');
    t.equal(h.get('o'), 'obj', 'object');
  });

  test('Headers: append combines values with ", " and set replaces them', (t) => {
    const h = new Headers();
    h.append('Accept', 'a');
    h.append('accept', 'b');
    h.append('ACCEPT', '');
    t.equal(h.get('accept'), 'a, b, ', 'combined in order, empty included');
    h.set('accept', 'c');
    t.equal(h.get('accept'), 'c', 'set replaces all');
    t.deepEqual([...h], [['accept', 'c']], 'one entry');
    const e = new Headers();
    e.append('x', '');
    e.append('x', 'y');
    t.equal(e.get('x'), ', y', 'leading empty value');
  });

  test('Headers: get of a missing name is null, has and delete are case-insensitive', (t) => {
    const h = new Headers({ 'X-One': '1' });
    t.equal(h.get('x-two'), null, 'missing');
    t.equal(h.has('X-ONE'), true, 'has');
    h.delete('x-OnE');
    t.equal(h.has('x-one'), false, 'deleted');
    h.delete('x-one');
    t.equal(h.has('x-one'), false, 'deleting again is fine');
  });

  test('Headers: iteration is sorted by lowercased name and combines duplicates', (t) => {
    const h = new Headers();
    h.append('b', '1');
    h.append('A', '2');
    h.append('c', '3');
    h.append('a', '4');
    h.append('a-b', '5');
    h.append('a_b', '6');
    t.deepEqual([...h], [['a', '2, 4'], ['a-b', '5'], ['a_b', '6'], ['b', '1'], ['c', '3']], 'entries');
    t.deepEqual([...h.keys()], ['a', 'a-b', 'a_b', 'b', 'c'], 'keys');
    t.deepEqual([...h.values()], ['2, 4', '5', '6', '1', '3'], 'values');
    t.ok(Headers.prototype[Symbol.iterator] === Headers.prototype.entries, '@@iterator is entries');
  });

  test('Headers: forEach passes value, name and the headers', (t) => {
    const h = new Headers([['b', '2'], ['a', '1']]);
    const seen = [];
    const thisArg = {};
    h.forEach(function (value, name, obj) {
      seen.push([name, value, obj === h, this === thisArg]);
    }, thisArg);
    t.deepEqual(seen, [['a', '1', true, true], ['b', '2', true, true]]);
  });

  test('Headers: iteration sees the list as it is at each step', (t) => {
    const h = new Headers([['a', '1'], ['b', '2'], ['c', '3']]);
    const names = [];
    for (const [name] of h) {
      names.push(name);
      if (name === 'a') h.delete('b');
    }
    t.deepEqual(names, ['a', 'c']);
  });

  test('Headers: getSetCookie returns each Set-Cookie value apart, in order', (t) => {
    const h = new Headers();
    h.append('Set-Cookie', 'a=1; Path=/');
    h.append('x', 'y');
    h.append('set-cookie', 'b=2, c=3');
    t.deepEqual(h.getSetCookie(), ['a=1; Path=/', 'b=2, c=3'], 'getSetCookie');
    t.equal(h.get('set-cookie'), 'a=1; Path=/, b=2, c=3', 'get combines');
    t.deepEqual(new Headers().getSetCookie(), [], 'none');
    t.deepEqual(new Headers({ 'Set-Cookie2': 'x' }).getSetCookie(), [], 'Set-Cookie2 is another header');
  });

  test('Headers: iteration yields each Set-Cookie apart, at its sorted place', (t) => {
    const h = new Headers([['z', '1'], ['Set-Cookie', 'a=1'], ['a', '2'], ['set-cookie', 'b=2']]);
    t.deepEqual([...h], [['a', '2'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['z', '1']]);
  });

  test('Headers: set and delete of Set-Cookie affect every value', (t) => {
    const h = new Headers([['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    h.set('set-cookie', 'c=3');
    t.deepEqual(h.getSetCookie(), ['c=3'], 'set');
    h.delete('Set-Cookie');
    t.deepEqual(h.getSetCookie(), [], 'delete');
  });

  test('Headers: constructor with a record, a sequence, another Headers', (t) => {
    t.deepEqual([...new Headers({ B: '2', a: '1' })], [['a', '1'], ['b', '2']], 'record');
    t.deepEqual([...new Headers([['a', '1'], ['A', '2']])], [['a', '1, 2']], 'sequence');
    const source = new Headers([['set-cookie', 'x=1'], ['set-cookie', 'y=2'], ['k', 'v']]);
    const copy = new Headers(source);
    t.deepEqual(copy.getSetCookie(), ['x=1', 'y=2'], 'copy keeps Set-Cookie values apart');
    copy.set('k', 'changed');
    t.equal(source.get('k'), 'v', 'copy is independent');
    t.deepEqual([...new Headers(new Map([['m', 'v']]))], [['m', 'v']], 'any iterable of pairs');
    t.deepEqual([...new Headers()], [], 'no argument');
    t.deepEqual([...new Headers(undefined)], [], 'undefined');
  });

  test('Headers: constructor rejects malformed init', (t) => {
    t.throws(() => new Headers([['a']]), 'TypeError', 'pair of one');
    t.throws(() => new Headers([['a', 'b', 'c']]), 'TypeError', 'pair of three');
    t.throws(() => new Headers(['ab']), 'TypeError', 'a string is not a pair');
    t.throws(() => new Headers(null), 'TypeError', 'null');
    t.throws(() => new Headers(42), 'TypeError', 'a number');
    t.throws(() => new Headers('a: b'), 'TypeError', 'a string');
  });

  test('Headers: the immutable guard of Response.error() rejects every change', (t) => {
    const h = Response.error().headers;
    t.throws(() => h.set('a', 'b'), 'TypeError', 'set');
    t.throws(() => h.append('a', 'b'), 'TypeError', 'append');
    t.throws(() => h.delete('a'), 'TypeError', 'delete');
    t.equal(h.has('a'), false, 'unchanged');
  });

  test('Headers: the immutable guard of Response.redirect() rejects every change', (t) => {
    const h = Response.redirect('http://example.com/', 301).headers;
    t.throws(() => h.set('location', 'http://evil/'), 'TypeError', 'set');
    t.throws(() => h.append('x', 'y'), 'TypeError', 'append');
    t.throws(() => h.delete('location'), 'TypeError', 'delete');
    t.equal(h.get('location'), 'http://example.com/', 'location unchanged');
  });

  test('Headers: a Request or Response made by the constructor has mutable headers', (t) => {
    const req = new Request('http://example.com/', { headers: { a: '1' } });
    req.headers.set('b', '2');
    t.equal(req.headers.get('b'), '2', 'Request');
    const res = new Response('x', { headers: { a: '1' } });
    res.headers.append('a', '3');
    t.equal(res.headers.get('a'), '1, 3', 'Response');
  });

  test('Headers: the init headers are copied, not shared', (t) => {
    const init = new Headers({ a: '1' });
    const req = new Request('http://example.com/', { headers: init });
    const res = new Response(null, { headers: init });
    init.set('a', 'changed');
    t.equal(req.headers.get('a'), '1', 'Request');
    t.equal(res.headers.get('a'), '1', 'Response');
    t.ok(req.headers !== init && res.headers !== init, 'new objects');
    t.ok(req.headers === req.headers, 'the same Headers each time');
  });

  test('Headers: WebIDL shape', (t) => {
    t.equal(Object.prototype.toString.call(new Headers()), '[object Headers]', 'toStringTag');
    t.equal(Object.prototype.toString.call(new Headers().entries()), '[object Headers Iterator]', 'iterator toStringTag');
    t.throws(() => Headers(), 'TypeError', 'call without new');
    t.throws(() => Headers.prototype.get.call({}, 'a'), 'TypeError', 'get on a non-Headers');
    t.equal(Headers.length, 0, 'Headers.length');
  });
});

/**
 * structuredClone (HTML §2.7 StructuredSerialize/Deserialize): primitives, wrappers,
 * Date, RegExp, buffers and views, Map, Set, arrays, plain objects, errors, DOMException,
 * identity and cycles, DataCloneError for what cannot be cloned, and transfer.
 */
import { area } from '../harness.js';

export default area('structured-clone', (test) => {
  for (const [what, value] of [['undefined', undefined], ['null', null], ['true', true], ['false', false], ['a number', 1.5], ['-0', -0], ['NaN', NaN], ['Infinity', -Infinity], ['a BigInt', 2n ** 70n], ['a string', 'h\u00e9\ud83d\udca9'], ['a lone surrogate', '\ud800'], ['the empty string', '']]) {
    test(`structuredClone: ${what} is returned as is`, (t) => t.equal(structuredClone(value), value));
  }

  test('structuredClone: primitive wrapper objects stay wrappers', (t) => {
    const n = structuredClone(new Number(3));
    t.equal(typeof n, 'object', 'Number is an object');
    t.equal(n.valueOf(), 3, 'Number value');
    t.equal(structuredClone(new String('s')).valueOf(), 's', 'String');
    t.equal(structuredClone(new Boolean(false)).valueOf(), false, 'Boolean');
    t.equal(structuredClone(Object(5n)).valueOf(), 5n, 'BigInt');
  });

  test('structuredClone: Date keeps its time value', (t) => {
    const d = new Date(1234567890123);
    const c = structuredClone(d);
    t.ok(c instanceof Date && c !== d, 'a new Date');
    t.equal(c.getTime(), 1234567890123, 'time');
    t.ok(Number.isNaN(structuredClone(new Date(NaN)).getTime()), 'an invalid date');
  });

  test('structuredClone: RegExp keeps source and flags, not lastIndex', (t) => {
    const r = /a[b-c]+/giu;
    r.lastIndex = 3;
    const c = structuredClone(r);
    t.ok(c instanceof RegExp && c !== r, 'a new RegExp');
    t.equal(c.source, 'a[b-c]+', 'source');
    t.equal(c.flags, 'giu', 'flags');
    t.equal(c.lastIndex, 0, 'lastIndex reset');
  });

  test('structuredClone: ArrayBuffer is copied', (t) => {
    const b = new Uint8Array([1, 2, 3]).buffer;
    const c = structuredClone(b);
    t.ok(c instanceof ArrayBuffer && c !== b, 'a new ArrayBuffer');
    t.deepEqual(new Uint8Array(c), new Uint8Array([1, 2, 3]), 'content');
    new Uint8Array(b)[0] = 9;
    t.equal(new Uint8Array(c)[0], 1, 'independent');
  });

  test('structuredClone: typed arrays keep their type, offset and length', (t) => {
    const buf = new ArrayBuffer(16);
    const f = new Float64Array(buf, 8, 1);
    f[0] = 0.5;
    const c = structuredClone(f);
    t.ok(c instanceof Float64Array, 'type');
    t.equal(c.byteOffset, 8, 'byteOffset');
    t.equal(c.length, 1, 'length');
    t.equal(c.buffer.byteLength, 16, 'the whole buffer comes along');
    t.equal(c[0], 0.5, 'value');
    for (const Ctor of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, BigInt64Array, BigUint64Array]) {
      t.ok(structuredClone(new Ctor(2)) instanceof Ctor, Ctor.name);
    }
  });

  test('structuredClone: views of one buffer still share their clone', (t) => {
    const buf = new ArrayBuffer(4);
    const { a, b } = structuredClone({ a: new Uint8Array(buf), b: new DataView(buf, 2) });
    t.ok(a.buffer === b.buffer, 'same buffer');
    a[2] = 7;
    t.equal(b.getUint8(0), 7, 'shared memory');
    t.ok(b instanceof DataView, 'DataView');
  });

  test('structuredClone: Map and Set keep order and clone keys and values', (t) => {
    const key = { k: 1 };
    const m = new Map([[key, 'v'], ['s', key], [NaN, -0]]);
    const c = structuredClone(m);
    t.ok(c instanceof Map, 'Map');
    const keys = [...c.keys()];
    t.equal(keys.length, 3, 'size');
    t.deepEqual(keys[0], { k: 1 }, 'object key cloned');
    t.ok(keys[0] !== key, 'not the same key');
    t.ok(c.get('s') === keys[0], 'identity between key and value kept');
    t.equal(c.get(NaN), -0, 'NaN key and -0 value');
    const s = structuredClone(new Set([3, 1, 2]));
    t.ok(s instanceof Set, 'Set');
    t.deepEqual([...s], [3, 1, 2], 'Set order');
  });

  test('structuredClone: arrays keep length, holes and extra properties', (t) => {
    const a = [1, , 3];
    a.length = 5;
    a.extra = 'x';
    const c = structuredClone(a);
    t.ok(Array.isArray(c), 'an array');
    t.equal(c.length, 5, 'length');
    t.equal(1 in c, false, 'hole kept');
    t.equal(c[2], 3, 'element');
    t.equal(c.extra, 'x', 'extra property');
  });

  test('structuredClone: plain objects get own enumerable string keys only', (t) => {
    const sym = Symbol('s');
    const proto = { inherited: 1 };
    const o = Object.create(proto);
    o.b = 2;
    o.a = 1;
    o[sym] = 3;
    Object.defineProperty(o, 'hidden', { value: 4, enumerable: false });
    Object.defineProperty(o, 'computed', { get: () => 5, enumerable: true });
    const c = structuredClone(o);
    t.deepEqual(Object.keys(c), ['b', 'a', 'computed'], 'keys and order');
    t.equal(Object.getPrototypeOf(c), Object.prototype, 'prototype is Object.prototype');
    t.equal(c.computed, 5, 'getter value copied');
    t.equal(Object.getOwnPropertyDescriptor(c, 'computed').get, undefined, 'as a data property');
    t.equal(Object.getOwnPropertySymbols(c).length, 0, 'symbols dropped');
    t.equal(structuredClone(Object.create(null)).constructor, Object, 'null prototype becomes Object.prototype');
  });

  test('structuredClone: an own "__proto__" key stays an own property', (t) => {
    const o = {};
    Object.defineProperty(o, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
    const c = structuredClone(o);
    t.equal(Object.getPrototypeOf(c), Object.prototype, 'prototype untouched');
    t.equal(Object.hasOwn(c, '__proto__'), true, 'own property');
    t.equal(c.polluted, undefined, 'nothing inherited');
  });

  test('structuredClone: a class instance becomes a plain object', (t) => {
    class Point {
      constructor() {
        this.x = 1;
      }
      get double() {
        return this.x * 2;
      }
    }
    const c = structuredClone(new Point());
    t.equal(Object.getPrototypeOf(c), Object.prototype, 'prototype');
    t.deepEqual(c, { x: 1 }, 'own data');
  });

  test('structuredClone: cycles and shared references are preserved', (t) => {
    const shared = { s: 1 };
    const o = { a: shared, b: shared, list: [shared] };
    o.self = o;
    o.list.push(o.list);
    const c = structuredClone(o);
    t.ok(c.self === c, 'self cycle');
    t.ok(c.a === c.b && c.b === c.list[0], 'shared reference');
    t.ok(c.list[1] === c.list, 'array cycle');
    t.ok(c.a !== shared, 'a copy');
  });

  test('structuredClone: errors keep their type, name and message', (t) => {
    for (const Ctor of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const c = structuredClone(new Ctor('m'));
      t.ok(c instanceof Ctor && c.name === Ctor.name && c.message === 'm', Ctor.name);
    }
    const renamed = new TypeError('x');
    renamed.name = 'Custom';
    t.equal(structuredClone(renamed).name, 'Error', 'an unknown name becomes "Error"');
    const posing = new Error('x');
    posing.name = 'RangeError';
    t.ok(structuredClone(posing) instanceof RangeError, 'the name picks the prototype');
    t.equal(Object.hasOwn(structuredClone(new Error()), 'message'), false, 'no message, no own message');
  });

  test('structuredClone: DOMException is serialisable', (t) => {
    const c = structuredClone(new DOMException('gone', 'AbortError'));
    t.ok(c instanceof DOMException, 'a DOMException');
    t.equal(c.name, 'AbortError', 'name');
    t.equal(c.message, 'gone', 'message');
    t.equal(c.code, 20, 'code');
  });

  for (const [what, make] of [
    ['a function', () => () => 1],
    ['a symbol', () => Symbol('x')],
    ['a WeakMap', () => new WeakMap()],
    ['a WeakSet', () => new WeakSet()],
    ['a WeakRef', () => new WeakRef({})],
    ['a Promise', () => Promise.resolve()],
    ['a Proxy', () => new Proxy({}, {})],
    ['a function nested in an object', () => ({ a: [{ f() {} }] })],
    ['a Headers object', () => new Headers()],
    ['a Request object', () => new Request('http://example.com/')],
    ['a Response object', () => new Response()],
    ['a URL object', () => new URL('http://example.com/')],
    ['a URLSearchParams object', () => new URLSearchParams()],
  ]) {
    test(`structuredClone: ${what} throws DataCloneError`, (t) => {
      const value = make();
      t.throws(() => structuredClone(value), 'DataCloneError');
    });
  }

  test('structuredClone: an exception from a getter propagates', (t) => {
    const o = {
      get boom() {
        throw new RangeError('from getter');
      },
    };
    t.throws(() => structuredClone(o), 'RangeError');
  });

  test('structuredClone: transfer detaches the ArrayBuffer', (t) => {
    const b = new Uint8Array([1, 2, 3]).buffer;
    const c = structuredClone(b, { transfer: [b] });
    t.equal(b.byteLength, 0, 'original detached');
    t.deepEqual(new Uint8Array(c), new Uint8Array([1, 2, 3]), 'content moved');
    const view = new Uint8Array([4, 5]);
    const moved = structuredClone({ view }, { transfer: [view.buffer] });
    t.equal(view.byteLength, 0, 'a view of a transferred buffer is detached');
    t.deepEqual(moved.view, new Uint8Array([4, 5]), 'the view in the clone');
  });

  test('structuredClone: invalid transfer lists', (t) => {
    const b = new ArrayBuffer(1);
    t.throws(() => structuredClone(b, { transfer: [b, b] }), 'DataCloneError', 'a duplicate');
    t.throws(() => structuredClone(1, { transfer: [{}] }), 'DataCloneError', 'an object that is not transferable');
    t.throws(() => structuredClone(1, { transfer: [1] }), 'TypeError', 'not an object');
    t.throws(() => structuredClone(1, { transfer: 'x' }), 'TypeError', 'not a sequence');
    const detached = new ArrayBuffer(1);
    structuredClone(detached, { transfer: [detached] });
    t.throws(() => structuredClone(detached, { transfer: [detached] }), 'DataCloneError', 'an already detached buffer');
  });

  test('structuredClone: arguments', (t) => {
    t.throws(() => structuredClone(), 'TypeError', 'no argument');
    t.equal(structuredClone(1, null), 1, 'null options');
    t.equal(structuredClone(1, undefined), 1, 'undefined options');
  });
});

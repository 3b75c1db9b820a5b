import { describe, expect, it } from 'vitest';
import { isProxy, makeTrackingProxy } from '../../../sandbox/src/proxy-tracking.ts';
import { DOMException } from '../../../sandbox/src/web/dom-exception.ts';
import { TextDecoder } from '../../../sandbox/src/web/encoding.ts';
import '../../../sandbox/src/web/form/index.ts';
import { Blob, File } from '../../../sandbox/src/web/form/blob.ts';
import { FormData } from '../../../sandbox/src/web/form/form-data.ts';
import { Headers } from '../../../sandbox/src/web/headers.ts';
import { ensurePlatformClass, registerPlatformClass } from '../../../sandbox/src/web/platform-objects.ts';
import { Request } from '../../../sandbox/src/web/request.ts';
import { Response } from '../../../sandbox/src/web/response.ts';
import { structuredClone } from '../../../sandbox/src/web/structured-clone.ts';
import { URL, URLSearchParams } from '../../../sandbox/src/web/url-classes.ts';

const DataCloneError = expect.objectContaining({ name: 'DataCloneError', code: 25 });
// What the runtime installs as the global Proxy (Node's own cannot be replaced here).
const TrackedProxy = makeTrackingProxy();

describe('structuredClone: Proxies', () => {
  it('structuredClone: a Proxy is a DataCloneError', () => {
    expect(() => structuredClone(new TrackedProxy({}, {}))).toThrow(DataCloneError);
    expect(() => structuredClone(new TrackedProxy([1, 2], {}))).toThrow(DataCloneError);
    expect(() => structuredClone({ nested: [new TrackedProxy({ a: 1 }, {})] })).toThrow(DataCloneError);
    expect(() => structuredClone(TrackedProxy.revocable({}, {}).proxy)).toThrow(DataCloneError);
  });

  it('structuredClone: a Proxy is refused before any of its traps runs', () => {
    const trapped: PropertyKey[] = [];
    const handler = new Proxy({}, { get: (_t, name) => (trapped.push(name), undefined) });
    expect(() => structuredClone(new TrackedProxy({}, handler))).toThrow(DataCloneError);
    expect(trapped).toEqual([]);
  });

  it('structuredClone: a revoked Proxy is a DataCloneError, not a TypeError', () => {
    const { proxy, revoke } = TrackedProxy.revocable([], {});
    revoke();
    expect(() => structuredClone(proxy)).toThrow(DataCloneError);
  });

  it('Proxy: the stand-in behaves as %Proxy%: new makes a working Proxy, a call is a TypeError, it has no prototype', () => {
    const p = new TrackedProxy({ a: 1 }, { get: (t, k) => (k === 'b' ? 2 : Reflect.get(t, k)) }) as { a: number; b: number };
    expect([p.a, p.b, isProxy(p)]).toEqual([1, 2, true]);
    expect(() => (TrackedProxy as unknown as (t: object, h: object) => object)({}, {})).toThrow(TypeError);
    expect(() => new TrackedProxy(1 as never, {})).toThrow(TypeError);
    expect([TrackedProxy.name, TrackedProxy.length, 'prototype' in TrackedProxy]).toEqual(['Proxy', 2, false]);
    expect(Object.getOwnPropertyNames(TrackedProxy).sort()).toEqual(['length', 'name', 'revocable']);
    expect(() => class extends (TrackedProxy as unknown as new () => object) {}).toThrow(TypeError);
    const { proxy, revoke } = TrackedProxy.revocable({}, {});
    revoke();
    expect(() => Object.keys(proxy)).toThrow(TypeError);
  });

  it('Proxy: Reflect.construct with another new.target still makes a tracked Proxy', () => {
    const p = Reflect.construct(TrackedProxy, [{}, {}], class {}) as object;
    expect(isProxy(p)).toBe(true);
    expect(isProxy({})).toBe(false);
  });
});

describe('structuredClone: platform objects', () => {
  it('structuredClone: a DOMException comes back as a DOMException with the same name, message and code', () => {
    const e = new DOMException('gone', 'AbortError');
    const c = structuredClone({ e, again: e }) as { e: DOMException; again: DOMException };
    expect(c.e).toBeInstanceOf(DOMException);
    expect(c.e).not.toBe(e);
    expect([c.e.name, c.e.message, c.e.code]).toEqual(['AbortError', 'gone', 20]);
    expect(c.again).toBe(c.e);
  });

  it('structuredClone: a DOMException subclass or one with a replaced prototype clones as a DOMException', () => {
    class Sub extends DOMException {}
    const sub = structuredClone(new Sub('m', 'DataCloneError')) as DOMException;
    expect(Object.getPrototypeOf(sub)).toBe(DOMException.prototype);
    const bare = Object.setPrototypeOf(new DOMException('x', 'NotFoundError'), Object.prototype);
    expect((structuredClone(bare) as DOMException).name).toBe('NotFoundError');
  });

  it('structuredClone: an instance of a runtime class is a DataCloneError, also with its prototype replaced', () => {
    const instances = [
      new Headers(),
      new Request('http://example.com/'),
      new Response('x'),
      new URL('http://example.com/'),
      new URLSearchParams('a=1'),
      new TextDecoder(),
    ];
    for (const v of instances) {
      expect(() => structuredClone(v)).toThrow(DataCloneError);
      expect(() => structuredClone(Object.setPrototypeOf(v, Object.prototype))).toThrow(DataCloneError);
    }
  });

  it('structuredClone: a Blob and a File come back with their bytes, type, name and lastModified; a FormData is a DataCloneError', async () => {
    const blob = structuredClone(new Blob(['data'], { type: 'text/x' })) as Blob;
    expect(blob).toBeInstanceOf(Blob);
    expect(blob).not.toBeInstanceOf(File);
    expect([blob.type, blob.size, await blob.text()]).toEqual(['text/x', 4, 'data']);
    const file = structuredClone(new File(['abc'], 'a.txt', { type: 'text/plain', lastModified: 42 })) as File;
    expect(file).toBeInstanceOf(File);
    expect([file.name, file.type, file.lastModified, await file.text()]).toEqual(['a.txt', 'text/plain', 42, 'abc']);
    expect(() => structuredClone(new FormData())).toThrow(DataCloneError);
  });

  it('structuredClone: an object that only inherits from a runtime class prototype clones as a plain object', () => {
    const fake = Object.create(URL.prototype) as object;
    Object.defineProperty(fake, 'x', { value: 1, enumerable: true });
    expect(structuredClone(fake)).toEqual({ x: 1 });
    expect(Object.getPrototypeOf(structuredClone(Object.create(Headers.prototype)))).toBe(Object.prototype);
  });

  it('structuredClone: an installed interface that registered no brand check is recognised by its prototype chain', () => {
    class Unbranded {
      x = 1;
    }
    class Derived extends Unbranded {}
    expect(structuredClone(new Derived())).toEqual({ x: 1 });
    ensurePlatformClass(Unbranded);
    expect(() => structuredClone(new Unbranded())).toThrow(DataCloneError);
    expect(() => structuredClone(new Derived())).toThrow(DataCloneError);
  });

  it('structuredClone: a serialisable subclass registered after its base clones with its own steps', () => {
    class Base {
      #base = true;
      static {
        registerPlatformClass(this, (v) => #base in v, () => new Base());
      }
    }
    class Sub extends Base {
      #sub = true;
      static {
        registerPlatformClass(this, (v) => #sub in v, () => new Sub());
      }
    }
    expect(structuredClone(new Sub())).toBeInstanceOf(Sub);
    expect(structuredClone(new Base())).not.toBeInstanceOf(Sub);
  });
});

describe('structuredClone: transfer', () => {
  it('structuredClone: transfer detaches the ArrayBuffer and the clone has its bytes', () => {
    const b = new Uint8Array([1, 2, 3]).buffer;
    const c = structuredClone(b, { transfer: [b] }) as ArrayBuffer;
    expect(b.byteLength).toBe(0);
    expect(b.detached).toBe(true);
    expect([...new Uint8Array(c)]).toEqual([1, 2, 3]);
  });

  it('structuredClone: views of a transferred buffer keep their offsets and share the new buffer', () => {
    const buf = new ArrayBuffer(8);
    new Uint8Array(buf).set([1, 2, 3, 4, 5, 6, 7, 8]);
    const v = { a: new Uint8Array(buf, 2, 3), d: new DataView(buf, 4, 2), buf };
    const c = structuredClone(v, { transfer: [buf] }) as typeof v;
    expect(buf.detached).toBe(true);
    expect(v.a.length).toBe(0);
    expect([c.a.byteOffset, [...c.a]]).toEqual([2, [3, 4, 5]]);
    expect([c.d.byteOffset, c.d.getUint8(0)]).toEqual([4, 5]);
    expect(c.a.buffer).toBe(c.buf);
    expect(c.d.buffer).toBe(c.buf);
  });

  it('structuredClone: a transferred buffer that is not in the value is detached all the same', () => {
    const b = new ArrayBuffer(4);
    expect(structuredClone('x', { transfer: [b] })).toBe('x');
    expect(b.detached).toBe(true);
  });

  it('structuredClone: a resizable buffer stays resizable, with its maximum, copied or transferred', () => {
    const rab = new ArrayBuffer(2, { maxByteLength: 8 });
    new Uint8Array(rab).set([7, 9]);
    const copy = structuredClone(rab) as ArrayBuffer;
    expect([copy.resizable, copy.maxByteLength, [...new Uint8Array(copy)]]).toEqual([true, 8, [7, 9]]);
    const moved = structuredClone(rab, { transfer: [rab] }) as ArrayBuffer;
    expect([moved.resizable, moved.maxByteLength, rab.detached]).toEqual([true, 8, true]);
  });

  it('structuredClone: a duplicate, a non-transferable object or a detached buffer in transfer is a DataCloneError', () => {
    const b = new ArrayBuffer(1);
    expect(() => structuredClone(b, { transfer: [b, b] })).toThrow(DataCloneError);
    expect(b.detached).toBe(false);
    expect(() => structuredClone(1, { transfer: [{}] })).toThrow(DataCloneError);
    expect(() => structuredClone(1, { transfer: [new Uint8Array(1)] })).toThrow(DataCloneError);
    const gone = new ArrayBuffer(1);
    gone.transfer();
    expect(() => structuredClone(1, { transfer: [gone] })).toThrow(DataCloneError);
    expect(() => structuredClone(gone, { transfer: [gone] })).toThrow(DataCloneError);
  });

  it('structuredClone: a detached buffer that is not transferred is a DataCloneError', () => {
    const gone = new ArrayBuffer(2);
    const views = [new Uint8Array(gone), new DataView(gone)];
    gone.transfer();
    expect(() => structuredClone({ gone })).toThrow(DataCloneError);
    for (const v of views) expect(() => structuredClone(v)).toThrow(DataCloneError);
  });

  it('structuredClone: a DataView that a shrunk resizable buffer left out of bounds is a DataCloneError', () => {
    const rab = new ArrayBuffer(8, { maxByteLength: 8 });
    const view = new DataView(rab, 4, 4);
    rab.resize(2);
    expect(() => structuredClone(view)).toThrow(DataCloneError);
  });

  it('structuredClone: options that are not an object, and transfer that is not a sequence of objects, are TypeErrors', () => {
    for (const options of [1, 'x', true]) expect(() => structuredClone(1, options)).toThrow(TypeError);
    for (const transfer of ['x', 1, {}, { [Symbol.iterator]: 1 }, [1], [null]]) {
      expect(() => structuredClone(1, { transfer })).toThrow(TypeError);
    }
    expect(structuredClone(1, null)).toBe(1);
    expect(structuredClone(1, {})).toBe(1);
    expect(structuredClone(1, { transfer: undefined })).toBe(1);
  });

  it('structuredClone: transfer is any iterable, read before the value', () => {
    const order: string[] = [];
    const b = new ArrayBuffer(2);
    const options = {
      get transfer() {
        order.push('transfer');
        return new Set([b]);
      },
    };
    const value = {
      get x() {
        order.push('value');
        return 1;
      },
    };
    structuredClone(value, options);
    expect(order).toEqual(['transfer', 'value']);
    expect(b.detached).toBe(true);
  });
});

describe('structuredClone: builtins read through their internal slots', () => {
  it('structuredClone: wrappers clone their primitive even with valueOf patched', () => {
    const saved = Number.prototype.valueOf;
    Number.prototype.valueOf = () => 42;
    try {
      expect(Object.is((structuredClone(new Number(3)) as object).constructor, Number)).toBe(true);
      expect(saved.call(structuredClone(new Number(3)))).toBe(3);
    } finally {
      Number.prototype.valueOf = saved;
    }
  });

  it('structuredClone: an error named like a builtin error picks its constructor; another name is Error', () => {
    const e = new Error('m');
    e.name = 'toString';
    expect(Object.getPrototypeOf(structuredClone(e))).toBe(Error.prototype);
    const r = new Error('m');
    r.name = 'RangeError';
    expect(structuredClone(r)).toBeInstanceOf(RangeError);
  });
});

/**
 * The web platform surface of the runtime (events, abort signals, DOMException, Blob/File/
 * FormData, URLPattern, performance, navigator, the frozen clock) in a real isolate, driven
 * through GuestIsolate as a sandbox host drives it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../sandbox/build.ts';
import type { FunctionMeta, GuestRequest, GuestResult, LogLevel } from '../../sandbox/src/bridge.ts';
import { RuntimeScript, type GuestIsolate } from '../../src/sandbox-host/isolate.ts';
import { guestIsolates, httpRequest, nodeTimers } from '../helpers/guest.ts';

const isolates = guestIsolates();
/** The runtime plus a `__probe` global with internals (test/helpers/runtime-probe.ts). */
let probed: RuntimeScript;

beforeAll(async () => {
  probed = new RuntimeScript(await buildRuntime(new URL('../helpers/runtime-probe.ts', import.meta.url).pathname));
});

interface Instance {
  logs: { level: LogLevel; text: string }[];
  /** Delays of the host timers the runtime armed, in order. */
  timerDelays: number[];
  invoke(request?: GuestRequest): Promise<GuestResult>;
}

/** Boots an isolate (from `script`) and loads `code`; timers fire on Node's own timers. */
function start(code: string, script?: RuntimeScript, meta: Partial<FunctionMeta> = {}): Instance {
  const guest = isolates.boot(script);
  const instance = hook(guest);
  load(guest, code, meta);
  return instance;
}

function hook(guest: GuestIsolate): Instance {
  const logs: Instance['logs'] = [];
  const timerDelays: number[] = [];
  const pending = new Map<number, (r: GuestResult) => void>();
  guest.setHooks({
    log: (level, text) => void logs.push({ level, text }),
    ...nodeTimers(guest, (delayMs) => timerDelays.push(delayMs)),
    done: (id, result) => {
      pending.get(id)?.(result);
      pending.delete(id);
    },
    call: () => {
      throw new TypeError('no host operations in these tests');
    },
    chunk: () => {},
    end: () => {},
    finished: () => {},
  });
  let nextId = 1;
  return {
    logs,
    timerDelays,
    invoke(request = httpRequest()) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        guest.invoke(id, request, undefined);
      });
    },
  };
}

function load(guest: GuestIsolate, code: string, meta: Partial<FunctionMeta> = {}): void {
  const loaded = guest.load(code, 'fn.js', {}, { name: 'fn', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20, ...meta });
  expect(loaded.kind, JSON.stringify(loaded)).toBe('loaded');
}


/** The JSON body of a response (text bodies leave the isolate as strings, binary ones as bytes). */
function json(r: GuestResult): any {
  expect(r.kind, JSON.stringify(r)).toBe('response');
  if (r.kind !== 'response' || r.body === null) return undefined;
  return JSON.parse(typeof r.body === 'string' ? r.body : Buffer.from(r.body).toString('utf8'));
}

/** A Workers module whose fetch handler returns the JSON of `body` (an async function body). */
const workers = (body: string) => `module.exports.default = { async fetch(request, env, ctx) { ${body} } };`;

describe('runtime platform: the globals', () => {
  it('globals: events, abort, performance and navigator are WebIDL interfaces with the right chains', async () => {
    const fn = start(workers(`
      const lazy = ['Event', 'CustomEvent', 'EventTarget', 'AbortController', 'AbortSignal'];
      const before = lazy.map((n) => 'get' in Object.getOwnPropertyDescriptor(globalThis, n));
      const shapes = [...lazy, 'DOMException', 'Performance', 'Navigator'].map((n) => {
        const v = globalThis[n];
        const d = Object.getOwnPropertyDescriptor(globalThis, n);
        return [n, typeof d.value, d.value === v, d.writable, d.enumerable, d.configurable, v.name, v.prototype[Symbol.toStringTag]];
      });
      const proto = (c) => Object.getPrototypeOf(c);
      let illegal = [];
      for (const c of [AbortSignal, Performance, Navigator]) { try { new c(); illegal.push('constructed'); } catch (e) { illegal.push(e.name); } }
      return Response.json({
        before,
        shapes,
        chains: [proto(AbortSignal) === EventTarget, proto(CustomEvent) === Event, proto(EventTarget) === Function.prototype,
          proto(DOMException) === Function.prototype, proto(Performance) === Function.prototype],
        instances: [performance instanceof Performance, navigator instanceof Navigator, new AbortController().signal instanceof EventTarget],
        enumerable: [Object.getOwnPropertyDescriptor(AbortSignal, 'any').enumerable, Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener').enumerable],
        lengths: [Event.length, CustomEvent.length, EventTarget.prototype.addEventListener.length, AbortSignal.timeout.length, DOMException.length],
        illegal,
        userAgent: navigator.userAgent,
      });
    `));
    const out = json(await fn.invoke());
    // The events module loads on first use: until then each name is a lazy accessor.
    expect(out.before).toEqual([true, true, true, true, true]);
    for (const [name, type, same, writable, enumerable, configurable, fnName, tag] of out.shapes) {
      expect([type, same, writable, enumerable, configurable, fnName, tag], name).toEqual(['function', true, true, false, true, name, name]);
    }
    expect(out.chains).toEqual([true, true, true, true, true]);
    expect(out.instances).toEqual([true, true, true]);
    expect(out.enumerable).toEqual([true, true]);
    expect(out.lengths).toEqual([1, 1, 2, 1, 0]);
    expect(out.illegal).toEqual(['TypeError', 'TypeError', 'TypeError']);
    expect(out.userAgent).toBe('Atoll');
  });

  it('globals: Blob, File and FormData load together on first use and become data properties', async () => {
    const fn = start(workers(`
      const before = ['Blob', 'File', 'FormData'].map((n) => 'get' in Object.getOwnPropertyDescriptor(globalThis, n));
      const file = new File(['h\\u00e9'], 'n\\u00e4me.txt', { type: 'Text/Plain' });
      const after = ['Blob', 'File', 'FormData'].map((n) => {
        const d = Object.getOwnPropertyDescriptor(globalThis, n);
        return 'value' in d && d.writable && !d.enumerable && d.configurable && d.value.prototype[Symbol.toStringTag] === n;
      });
      const fd = new FormData();
      fd.append('f', file);
      fd.append('b', new Blob([new Uint8Array([1, 2])]));
      return Response.json({
        before, after,
        file: [file.name, file.type, file.size, file instanceof Blob, Object.getPrototypeOf(File) === Blob, await file.text()],
        entries: [...fd].map(([k, v]) => [k, v.name, v.size]),
      });
    `));
    expect(json(await fn.invoke())).toEqual({
      before: [true, true, true],
      after: [true, true, true],
      file: ['n\u00e4me.txt', 'text/plain', 3, true, true, 'h\u00e9'],
      entries: [['f', 'n\u00e4me.txt', 3], ['b', 'blob', 2]],
    });
  });

  it('Blob: stream() reads the bytes; writing to a chunk leaves the Blob as it was', async () => {
    const fn = start(workers(`
      const blob = new Blob(['hello ', new Uint8Array([0x77, 0x6f, 0x72, 0x6c, 0x64])]);
      const reader = blob.stream().getReader();
      const chunks = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(new TextDecoder().decode(value));
        value.fill(0x21);
      }
      return Response.json({ streamed: chunks.join(''), after: await blob.text() });
    `));
    expect(json(await fn.invoke())).toEqual({ streamed: 'hello world', after: 'hello world' });
  });

  it('lazy modules: an enumerable property a guest put on Object.prototype does not break them', async () => {
    const fn = start(workers(`
      Object.prototype.polluted = 1;
      const out = [
        typeof new ReadableStream().getReader,
        new URLPattern({ pathname: '/a' }).test('https://x.test/a'),
        typeof crypto.subtle.digest,
        new TextDecoder('latin2').decode(new Uint8Array([0xa1])),
        new URL('https://b\u00fccher.example/').hostname,
      ];
      delete Object.prototype.polluted;
      return Response.json(out);
    `));
    expect(json(await fn.invoke())).toEqual(['function', true, 'function', '\u0104', 'xn--bcher-kva.example']);
  });

  it('URLPattern: loads from the host on first use and matches and captures groups', async () => {
    const fn = start(workers(`
      const before = 'get' in Object.getOwnPropertyDescriptor(globalThis, 'URLPattern');
      const p = new URLPattern({ pathname: '/books/:id(\\\\d+)' });
      const m = p.exec('https://shop.test/books/42?x=1');
      return Response.json({
        before,
        test: [p.test('https://shop.test/books/42'), p.test('https://shop.test/books/abc')],
        id: m.pathname.groups.id,
        pathname: p.pathname,
        tag: Object.prototype.toString.call(p),
        data: 'value' in Object.getOwnPropertyDescriptor(globalThis, 'URLPattern'),
        base: new URLPattern('/a/*', 'https://x.test').test('https://x.test/a/b/c'),
      });
    `));
    expect(json(await fn.invoke())).toEqual({
      before: true,
      test: [true, false],
      id: '42',
      pathname: '/books/:id(\\d+)',
      tag: '[object URLPattern]',
      data: true,
      base: true,
    });
  });

  it('DOMException: an Error with the legacy codes, a stack, and a structured clone', async () => {
    const fn = start(workers(`
      const e = new DOMException('too slow', 'TimeoutError');
      const c = structuredClone(e);
      return Response.json({
        e: [e.name, e.message, e.code, e instanceof Error, Error.isError(e), String(e), e.stack.split('\\n')[0]],
        consts: [DOMException.TIMEOUT_ERR, e.ABORT_ERR],
        clone: [c instanceof DOMException, c !== e, c.name, c.message, c.code],
      });
    `));
    expect(json(await fn.invoke())).toEqual({
      e: ['TimeoutError', 'too slow', 23, true, true, 'TimeoutError: too slow', 'TimeoutError: too slow'],
      consts: [23, 20],
      clone: [true, true, 'TimeoutError', 'too slow', 23],
    });
  });

  it('structuredClone: events, signals and FormData are platform objects it refuses; a Blob is serialisable', async () => {
    const fn = start(workers(`
      const names = [];
      for (const v of [new Event('x'), new AbortController(), AbortSignal.abort(), new EventTarget(), new FormData(), new Blob(['b'])]) {
        try { const c = structuredClone(v); names.push(c instanceof Blob ? 'Blob ' + c.size : 'cloned'); } catch (e) { names.push(e.name); }
      }
      return Response.json(names);
    `));
    expect(json(await fn.invoke())).toEqual([...Array(5).fill('DataCloneError'), 'Blob 1']);
  });
});

describe('runtime platform: AbortSignal on host timers', () => {
  it('AbortSignal.timeout: aborts with a TimeoutError when the host timer fires', async () => {
    const fn = start(workers(`
      const signal = AbortSignal.timeout(25);
      const before = signal.aborted;
      const event = await new Promise((resolve) => signal.addEventListener('abort', (e) => resolve(e)));
      return Response.json({ before, after: signal.aborted, name: signal.reason.name, code: signal.reason.code,
        event: [event.type, event.isTrusted, event.target === signal] });
    `));
    const out = json(await fn.invoke());
    expect(out).toEqual({ before: false, after: true, name: 'TimeoutError', code: 23, event: ['abort', true, true] });
    expect(fn.timerDelays).toContain(25);
  });

  it('AbortSignal.any: a timeout among its inputs aborts it, and a guest clearTimeout cannot stop that', async () => {
    const fn = start(workers(`
      const c = new AbortController();
      const signal = AbortSignal.any([c.signal, AbortSignal.timeout(10)]);
      for (let id = 0; id < 100; id++) clearTimeout(id);
      await new Promise((resolve) => { signal.onabort = resolve; });
      return Response.json({ aborted: signal.aborted, name: signal.reason.name, own: c.signal.aborted });
    `));
    expect(json(await fn.invoke())).toEqual({ aborted: true, name: 'TimeoutError', own: false });
  });
});

describe('runtime platform: the clock does not advance during synchronous execution', () => {
  it('clock: Date.now, new Date, Date() and performance.now read the same time through a busy loop', async () => {
    const fn = start(workers(`
      const d0 = Date.now(), n0 = new Date().getTime(), s0 = Date(), p0 = performance.now();
      let x = 0;
      for (let i = 0; i < 3e7; i++) x ^= i;
      return Response.json({ same: [Date.now() === d0, new Date().getTime() === n0, Date() === s0, performance.now() === p0, d0 === n0], x });
    `));
    const before = Date.now();
    const out = json(await fn.invoke());
    // The loop took real time: the host's clock moved while the guest's did not.
    expect(Date.now()).toBeGreaterThan(before);
    expect(out.same).toEqual([true, true, true, true, true]);
  });

  it('clock: the time advances between timer callbacks, and between invocations', async () => {
    const fn = start(workers(`
      const t0 = Date.now(), p0 = performance.now();
      const [t1, p1] = await new Promise((resolve) => setTimeout(() => resolve([Date.now(), performance.now()]), 20));
      return Response.json({ t0, t1, p0, p1 });
    `));
    const a = json(await fn.invoke());
    expect(a.t1).toBeGreaterThan(a.t0);
    expect(a.p1).toBeGreaterThan(a.p0);
    const b = json(await fn.invoke());
    expect(b.t0).toBeGreaterThanOrEqual(a.t1);
    expect(b.t0).toBeLessThanOrEqual(Date.now());
  });

  it('clock: no path reaches the real clock (constructor, Reflect.construct, subclass, Intl)', async () => {
    const fn = start(workers(`
      const frozen = Date.now();
      let x = 0;
      for (let i = 0; i < 2e7; i++) x ^= i;
      const fmt = new Intl.DateTimeFormat('en', { timeZone: 'UTC', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3 });
      const seen = [
        new (Object.getPrototypeOf(new Date()).constructor)().getTime(),
        Reflect.construct(Date, []).getTime(),
        new Date.prototype.constructor().getTime(),
        new (class extends Date {})().getTime(),
        Date.prototype.constructor.now(),
        new Event('x').timeStamp + performance.timeOrigin,
      ];
      return Response.json({ frozen, seen, intl: fmt.format() === fmt.format(frozen), parts: fmt.formatToParts().map((p) => p.value).join('') === fmt.format(frozen), x });
    `));
    const out = json(await fn.invoke());
    expect(out.seen).toEqual(Array(6).fill(out.frozen));
    expect([out.intl, out.parts]).toEqual([true, true]);
  });

  it('clock: module top level reads the time of load, not the time the isolate booted', async () => {
    const guest = isolates.boot();
    const fn = hook(guest);
    await new Promise((r) => setTimeout(r, 30));
    const beforeLoad = Date.now();
    load(guest, `const loadedAt = Date.now(); ${workers('return Response.json({ loadedAt });')}`);
    expect(json(await fn.invoke()).loadedAt).toBeGreaterThanOrEqual(beforeLoad);
  });

  it("clock: Lambda's getRemainingTimeInMillis is frozen too", async () => {
    const fn = start(`exports.handler = async (event, context) => {
      const a = context.getRemainingTimeInMillis();
      let x = 0;
      for (let i = 0; i < 2e7; i++) x ^= i;
      return { statusCode: 200, body: JSON.stringify({ same: a === context.getRemainingTimeInMillis(), positive: a > 0, x }) };
    };`);
    expect(json(await fn.invoke())).toMatchObject({ same: true, positive: true });
  });
});

describe('runtime platform: multipart/form-data inside an isolate', () => {
  it('multipart: serialise then parse gives the same entries, including a file with a non-ASCII name', async () => {
    const fn = start(workers(`
      const fd = new FormData();
      fd.append('greeting', 'gr\\u00fc\\u00df dich\\nzweite Zeile');
      fd.append('upload', new File([new Uint8Array([0, 255, 10, 13])], '\\u65e5\\u672c\\u8a9e \\u00e9t\\u00e9 \\ud83d\\udcc4.bin', { type: 'application/octet-stream' }));
      fd.append('note', new Blob(['plain'], { type: 'text/plain' }));
      fd.append('greeting', 'again');
      const { bytes, contentType } = __probe.serialiseMultipart(fd);
      const back = __probe.parseMultipart(bytes, contentType);
      const entries = [];
      for (const [name, value] of back) {
        entries.push(typeof value === 'string' ? [name, value] : [name, value.name, value.type, [...(await value.bytes())], value instanceof File]);
      }
      return Response.json({ entries, contentType });
    `), probed);
    const out = json(await fn.invoke());
    expect(out.contentType).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(out.entries).toEqual([
      ['greeting', 'gr\u00fc\u00df dich\r\nzweite Zeile'],
      ['upload', '\u65e5\u672c\u8a9e \u00e9t\u00e9 \ud83d\udcc4.bin', 'application/octet-stream', [0, 255, 10, 13], true],
      ['note', 'blob', 'text/plain', [...Buffer.from('plain')], true],
      ['greeting', 'again'],
    ]);
  });

  it('multipart: a malformed body is a TypeError; urlencoded bodies parse into a FormData', async () => {
    const fn = start(workers(`
      let error = '';
      try { __probe.parseMultipart(new TextEncoder().encode('--b\\r\\nno header\\r\\n\\r\\nx\\r\\n--b--'), 'multipart/form-data; boundary=b'); }
      catch (e) { error = e.name; }
      const form = __probe.parseUrlencodedForm(new TextEncoder().encode('a=1&b=%C3%A9+x'));
      return Response.json({ error, form: [...form], isFormData: form instanceof FormData });
    `), probed);
    expect(json(await fn.invoke())).toEqual({ error: 'TypeError', form: [['a', '1'], ['b', '\u00e9 x']], isFormData: true });
  });
});

describe('runtime platform: a guest that patches builtins', () => {
  it('lazy modules: events and form work after a guest patched the builtins they use before they loaded', async () => {
    const fn = start(`
      const boom = () => { throw new Error('patched builtin used'); };
      for (const [o, k] of [[String.prototype, 'charCodeAt'], [String.prototype, 'slice'], [String.prototype, 'indexOf'],
        [Uint8Array.prototype, 'set'], [Uint8Array.prototype, 'subarray'], [Uint8Array.prototype, 'indexOf'],
        [Array.prototype, 'push'], [Number.prototype, 'toString'], [Math, 'max'], [Math, 'min'], [Promise, 'resolve']]) o[k] = boom;
      // Accessors on Object.prototype would join any descriptor or options bag built as a plain object.
      for (const k of ['bytes', 'type', 'name', 'get', 'set', 'value']) Object.defineProperty(Object.prototype, k, { set: boom, configurable: true });
      ${workers(`
        const fd = new FormData();
        fd.append('t', 'x\\u00ff');
        fd.append('f', new File(['abc'], 'f.txt', { type: 'text/plain' }));
        const { bytes, contentType } = __probe.serialiseMultipart(fd);
        const back = __probe.parseMultipart(bytes, contentType);
        const f = back.get('f');
        const d = Object.getOwnPropertyDescriptor(globalThis, 'FormData');
        const c = new AbortController();
        const any = AbortSignal.any([c.signal, AbortSignal.timeout(60000)]);
        let fired = 0;
        any.addEventListener('abort', () => fired++, { once: true });
        c.abort();
        return new Response(JSON.stringify({ t: back.get('t'), f: [f.name, f.type, f.size], sliced: f.slice(-2).size, installed: typeof d.value,
          abort: [fired, any.reason.name, any.reason.code] }));
      `)}`, probed);
    const r = await fn.invoke();
    expect(r.kind, JSON.stringify(r)).toBe('response');
    expect(json(r)).toEqual({ t: 'x\u00ff', f: ['f.txt', 'text/plain', 3], sliced: 2, installed: 'function', abort: [1, 'AbortError', 20] });
  });
});

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attachHost } from '../../../sandbox/src/host.ts';
import type { HostBridge } from '../../../sandbox/src/bridge.ts';
import { AbortController, AbortSignal, abortInternals } from '../../../sandbox/src/web/events/abort.ts';
import { errorResult } from '../../../sandbox/src/invoke/errors.ts';
import { DOMException, domExceptionFields } from '../../../sandbox/src/web/dom-exception.ts';
import { inspect } from '../../../sandbox/src/web/inspect.ts';
import { CustomEvent, Event, EventTarget } from '../../../sandbox/src/web/events/events.ts';
// Evaluating the module registers it with events-api.ts, as the lazy module does in an isolate.
import '../../../sandbox/src/web/events/index.ts';
import { abortSignals, eventsInterfaces, isAbortSignal, isEventsPlatformObject } from '../../../sandbox/src/web/events-api.ts';
import { structuredClone } from '../../../sandbox/src/web/structured-clone.ts';
import { fireTimer, timerGlobals } from '../../../sandbox/src/web/timers.ts';

// A host whose timers fire only when the test says so, and whose log the tests read.
const armed = new Map<number, number>();
const logs: string[] = [];

beforeAll(() => {
  const unused = () => {
    throw new Error('not used by these tests');
  };
  attachHost({
    log: (_level, text) => void logs.push(text),
    setTimer: (id, delayMs) => void armed.set(id, delayMs),
    clearTimer: (id) => void armed.delete(id),
    randomBytes: unused,
    done: unused,
    lazySource: unused,
    call: unused,
    chunk: unused,
    end: unused,
    finished: unused,
  } satisfies HostBridge);
});

beforeEach(() => {
  logs.length = 0;
});

/** A full garbage collection, after the current job (WeakRef targets live until it ends). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((r) => setTimeout(r, 0));
  gc();
}

/** Fires every armed host timer whose delay is `delayMs`. */
function fireTimersOf(delayMs: number): void {
  for (const [id, d] of [...armed]) {
    if (d !== delayMs) continue;
    armed.delete(id);
    fireTimer(id);
  }
}

describe('DOMException', () => {
  it('DOMException: name, message and the legacy code from the WebIDL table', () => {
    const e = new DOMException('gone', 'NotFoundError');
    expect([e.name, e.message, e.code]).toEqual(['NotFoundError', 'gone', 8]);
    expect(new DOMException().name).toBe('Error');
    expect(new DOMException().message).toBe('');
    expect(new DOMException('x', 'MadeUpError').code).toBe(0);
    // Names the table retired keep no code, though their constants remain.
    expect(new DOMException('x', 'ValidationError').code).toBe(0);
    expect(DOMException.VALIDATION_ERR).toBe(16);
  });
  it('DOMException: the legacy constants are on the interface and its prototype, read-only', () => {
    expect(DOMException.INDEX_SIZE_ERR).toBe(1);
    expect(DOMException.DATA_CLONE_ERR).toBe(25);
    expect((DOMException.prototype as unknown as Record<string, number>).ABORT_ERR).toBe(20);
    expect(Object.getOwnPropertyDescriptor(DOMException, 'TIMEOUT_ERR')).toEqual({ value: 23, writable: false, enumerable: true, configurable: false });
  });
  it('DOMException: an Error with [[ErrorData]] whose interface object inherits from Function.prototype', () => {
    const e = new DOMException('m', 'AbortError');
    expect(e).toBeInstanceOf(Error);
    expect((Error as unknown as { isError(v: unknown): boolean }).isError(e)).toBe(true);
    expect(Object.getPrototypeOf(DOMException)).toBe(Function.prototype);
    expect(Object.getPrototypeOf(DOMException.prototype)).toBe(Error.prototype);
    expect(String(e)).toBe('AbortError: m');
    expect(e.stack).toMatch(/^AbortError: m\n/);
  });
  it('DOMException: name and message are prototype getters that brand-check', () => {
    expect(Object.keys(new DOMException('m'))).toEqual([]);
    const name = Object.getOwnPropertyDescriptor(DOMException.prototype, 'name')!.get!;
    expect(() => name.call({})).toThrow(TypeError);
    expect(() => name.call(new Error('x'))).toThrow(TypeError);
  });
  it('DOMException: a Symbol message is a TypeError; other values are stringified', () => {
    expect(() => new DOMException(Symbol('x') as never)).toThrow(TypeError);
    expect(new DOMException(42 as never, null as never).name).toBe('null');
  });
  it('DOMException: calling it without new is a TypeError', () => {
    expect(() => (DOMException as unknown as () => void)()).toThrow(TypeError);
  });
  it('DOMException: structuredClone copies name and message into a new DOMException', () => {
    const e = new DOMException('gone', 'NotFoundError');
    const c = structuredClone(e) as DOMException;
    expect(c).not.toBe(e);
    expect(domExceptionFields(c)).toEqual({ name: 'NotFoundError', message: 'gone' });
    expect([c.name, c.message, c.code]).toEqual(['NotFoundError', 'gone', 8]);
  });
  it('DOMException: thrown or logged, it shows its name and message', () => {
    const e = new DOMException('too slow', 'TimeoutError');
    expect(errorResult(e)).toMatchObject({ name: 'TimeoutError', message: 'too slow' });
    expect(inspect(e)).toMatch(/^TimeoutError: too slow\n/);
    expect(domExceptionFields({ name: 'TimeoutError', message: 'fake' })).toBe(null);
  });
  it('DOMException: a subclass gets its prototype and the brand', () => {
    class Mine extends DOMException {}
    const m = new Mine('m', 'AbortError');
    expect(m).toBeInstanceOf(Mine);
    expect(domExceptionFields(m)).not.toBe(null);
    expect(m.code).toBe(20);
  });
});

describe('Event', () => {
  it('Event: the constructor reads bubbles, cancelable and composed; the phase constants exist', () => {
    const e = new Event('ping', { bubbles: true, cancelable: 1 as never });
    expect([e.type, e.bubbles, e.cancelable, e.composed, e.eventPhase, e.target, e.defaultPrevented]).toEqual(['ping', true, true, false, 0, null, false]);
    expect([Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE]).toEqual([0, 1, 2, 3]);
    expect((e as unknown as Record<string, number>).AT_TARGET).toBe(2);
  });
  it('Event: a type is required; a non-object init is a TypeError', () => {
    expect(() => new (Event as unknown as new () => Event)()).toThrow(TypeError);
    expect(() => new Event('x', 5 as never)).toThrow(TypeError);
  });
  it('Event: isTrusted is an own unforgeable accessor shared by all events, false for constructed events', () => {
    const a = Object.getOwnPropertyDescriptor(new Event('a'), 'isTrusted')!;
    const b = Object.getOwnPropertyDescriptor(new Event('b'), 'isTrusted')!;
    expect(a.configurable).toBe(false);
    expect(a.get).toBe(b.get);
    expect(new Event('a').isTrusted).toBe(false);
  });
  it('Event: preventDefault only cancels a cancelable event; returnValue mirrors it', () => {
    const plain = new Event('x');
    plain.preventDefault();
    expect(plain.defaultPrevented).toBe(false);
    const c = new Event('x', { cancelable: true });
    c.returnValue = false;
    expect([c.defaultPrevented, c.returnValue]).toEqual([true, false]);
  });
  it('Event: cancelBubble can be set but not cleared', () => {
    const e = new Event('x');
    e.cancelBubble = true;
    e.cancelBubble = false;
    expect(e.cancelBubble).toBe(true);
  });
  it('Event: timeStamp is a number from the runtime clock', () => {
    expect(typeof new Event('x').timeStamp).toBe('number');
  });
  it('Event: getters brand-check their receiver', () => {
    const type = Object.getOwnPropertyDescriptor(Event.prototype, 'type')!.get!;
    expect(() => type.call({})).toThrow(TypeError);
  });
  it('CustomEvent: detail defaults to null and is set by the init dictionary or initCustomEvent', () => {
    expect(new CustomEvent('x').detail).toBe(null);
    expect(new CustomEvent('x', { detail: { a: 1 } }).detail).toEqual({ a: 1 });
    const e = new CustomEvent('x');
    e.initCustomEvent('y', true, false, 7);
    expect([e.type, e.bubbles, e.detail]).toEqual(['y', true, 7]);
    expect(e).toBeInstanceOf(Event);
  });
});

describe('EventTarget', () => {
  it('EventTarget: listeners run in order with the target as this, the event AT_TARGET', () => {
    const t = new EventTarget();
    const seen: unknown[] = [];
    t.addEventListener('x', function (this: unknown, e) {
      seen.push(['fn', this === t, e.target === t, e.currentTarget === t, e.eventPhase, e.composedPath()[0] === t]);
    });
    t.addEventListener('x', { handleEvent: (e: Event) => seen.push(['obj', e.type]) });
    t.addEventListener('y', () => seen.push('other type'));
    const e = new Event('x');
    expect(t.dispatchEvent(e)).toBe(true);
    expect(seen).toEqual([['fn', true, true, true, 2, true], ['obj', 'x']]);
    expect([e.eventPhase, e.currentTarget, e.target, e.composedPath()]).toEqual([0, null, t, []]);
  });
  it('EventTarget: capture listeners run before the others at the target', () => {
    const t = new EventTarget();
    const order: string[] = [];
    t.addEventListener('x', () => order.push('bubble'));
    t.addEventListener('x', () => order.push('capture'), { capture: true });
    t.dispatchEvent(new Event('x'));
    expect(order).toEqual(['capture', 'bubble']);
  });
  it('EventTarget: stopPropagation in a capture listener skips the non-capture listeners', () => {
    const t = new EventTarget();
    const order: string[] = [];
    t.addEventListener('x', (e) => {
      order.push('capture');
      e.stopPropagation();
    }, true);
    t.addEventListener('x', () => order.push('bubble'));
    t.dispatchEvent(new Event('x'));
    expect(order).toEqual(['capture']);
  });
  it('EventTarget: stopImmediatePropagation skips the remaining listeners', () => {
    const t = new EventTarget();
    const order: number[] = [];
    t.addEventListener('x', (e) => {
      order.push(1);
      e.stopImmediatePropagation();
    });
    t.addEventListener('x', () => order.push(2));
    t.dispatchEvent(new Event('x'));
    expect(order).toEqual([1]);
  });
  it('EventTarget: the same callback and capture is registered once; removal matches capture', () => {
    const t = new EventTarget();
    let n = 0;
    const f = () => n++;
    t.addEventListener('x', f);
    t.addEventListener('x', f);
    t.addEventListener('x', f, true);
    t.dispatchEvent(new Event('x'));
    expect(n).toBe(2);
    t.removeEventListener('x', f, { capture: true });
    t.dispatchEvent(new Event('x'));
    expect(n).toBe(3);
  });
  it('EventTarget: once removes the listener before it runs', () => {
    const t = new EventTarget();
    let n = 0;
    t.addEventListener('x', () => {
      n++;
      t.dispatchEvent(new Event('x'));
    }, { once: true });
    t.dispatchEvent(new Event('x'));
    t.dispatchEvent(new Event('x'));
    expect(n).toBe(1);
  });
  it('EventTarget: a listener removed during dispatch does not run; one added does not run either', () => {
    const t = new EventTarget();
    const order: string[] = [];
    const second = () => order.push('second');
    t.addEventListener('x', () => {
      order.push('first');
      t.removeEventListener('x', second);
      t.addEventListener('x', () => order.push('added'));
    });
    t.addEventListener('x', second);
    t.dispatchEvent(new Event('x'));
    expect(order).toEqual(['first']);
  });
  it('EventTarget: preventDefault in a passive listener is ignored; dispatchEvent reports cancellation', () => {
    const t = new EventTarget();
    t.addEventListener('p', (e) => e.preventDefault(), { passive: true });
    t.addEventListener('c', (e) => e.preventDefault());
    expect(t.dispatchEvent(new Event('p', { cancelable: true }))).toBe(true);
    expect(t.dispatchEvent(new Event('c', { cancelable: true }))).toBe(false);
  });
  it('EventTarget: an exception in a listener is reported and the next listener still runs', () => {
    const t = new EventTarget();
    let ran = false;
    t.addEventListener('x', () => {
      throw new RangeError('listener failed');
    });
    t.addEventListener('x', {} as EventListenerObject);
    t.addEventListener('x', () => (ran = true));
    expect(t.dispatchEvent(new Event('x'))).toBe(true);
    expect(ran).toBe(true);
    expect(logs[0]).toMatch(/^Uncaught RangeError: listener failed/);
    expect(logs[1]).toMatch(/^Uncaught TypeError/);
  });
  it('EventTarget: dispatching an event that is being dispatched is an InvalidStateError', () => {
    const t = new EventTarget();
    let error: unknown;
    t.addEventListener('x', (e) => {
      try {
        t.dispatchEvent(e);
      } catch (err) {
        error = err;
      }
    });
    t.dispatchEvent(new Event('x'));
    expect(error).toMatchObject({ name: 'InvalidStateError' });
  });
  it('EventTarget: argument errors are TypeErrors; null callbacks are ignored', () => {
    const t = new EventTarget();
    expect(() => (t.addEventListener as (...a: unknown[]) => void)('x')).toThrow(TypeError);
    expect(() => t.addEventListener('x', 'nope' as never)).toThrow(TypeError);
    expect(() => t.dispatchEvent({ type: 'x' } as never)).toThrow(TypeError);
    expect(() => t.addEventListener('x', null)).not.toThrow();
    expect(() => EventTarget.prototype.addEventListener.call({}, 'x', () => {})).toThrow(TypeError);
  });
  it('EventTarget: a subclass is an EventTarget', () => {
    class Emitter extends EventTarget {}
    const em = new Emitter();
    let got = '';
    em.addEventListener('go', (e) => (got = (e as CustomEvent).detail));
    em.dispatchEvent(new CustomEvent('go', { detail: 'yes' }));
    expect(got).toBe('yes');
  });
  it('EventTarget: the signal option removes the listener on abort, and an aborted signal adds nothing', () => {
    const t = new EventTarget();
    const c = new AbortController();
    let n = 0;
    t.addEventListener('x', () => n++, { signal: c.signal });
    t.dispatchEvent(new Event('x'));
    c.abort();
    t.dispatchEvent(new Event('x'));
    t.addEventListener('x', () => n++, { signal: c.signal });
    t.dispatchEvent(new Event('x'));
    expect(n).toBe(1);
    expect(() => t.addEventListener('x', () => {}, { signal: {} as AbortSignal })).toThrow(TypeError);
  });
});

describe('AbortController and AbortSignal', () => {
  it('AbortController: abort() without a reason aborts with an AbortError DOMException, once', () => {
    const c = new AbortController();
    const events: Event[] = [];
    c.signal.addEventListener('abort', (e) => events.push(e));
    expect([c.signal.aborted, c.signal.reason]).toEqual([false, undefined]);
    c.abort();
    c.abort('again');
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBeInstanceOf(DOMException);
    expect((c.signal.reason as DOMException).name).toBe('AbortError');
    expect(events.length).toBe(1);
    expect([events[0]!.type, events[0]!.isTrusted, events[0]!.target === c.signal]).toEqual(['abort', true, true]);
  });
  it('AbortSignal: the reason given is kept as is, and throwIfAborted throws it', () => {
    const c = new AbortController();
    expect(() => c.signal.throwIfAborted()).not.toThrow();
    const reason = { why: 1 };
    c.abort(reason);
    expect(c.signal.reason).toBe(reason);
    expect(() => c.signal.throwIfAborted()).toThrow(expect.objectContaining({ why: 1 }));
  });
  it('AbortSignal: onabort runs with the signal as this; false from it cancels nothing (abort is not cancelable)', () => {
    const c = new AbortController();
    let self: unknown;
    c.signal.onabort = function (this: AbortSignal) {
      self = this;
      return false;
    };
    expect(typeof c.signal.onabort).toBe('function');
    c.abort();
    expect(self).toBe(c.signal);
  });
  it('AbortSignal: onabort keeps its place among listeners; null removes it; a non-object is null', () => {
    const c = new AbortController();
    const order: string[] = [];
    c.signal.addEventListener('abort', () => order.push('first'));
    c.signal.onabort = () => order.push('handler');
    c.signal.addEventListener('abort', () => order.push('last'));
    c.signal.onabort = () => order.push('replaced');
    c.abort();
    expect(order).toEqual(['first', 'replaced', 'last']);
    const d = new AbortController();
    d.signal.onabort = 5 as never;
    expect(d.signal.onabort).toBe(null);
  });
  it('AbortSignal: the constructor is illegal; abort() makes an aborted signal', () => {
    expect(() => new (AbortSignal as unknown as new () => AbortSignal)()).toThrow(TypeError);
    const s = AbortSignal.abort('r');
    expect([s.aborted, s.reason]).toEqual([true, 'r']);
    expect((AbortSignal.abort().reason as DOMException).name).toBe('AbortError');
    expect(s).toBeInstanceOf(EventTarget);
  });
  it('AbortSignal.timeout: aborts with a TimeoutError DOMException when its host timer fires', () => {
    const s = AbortSignal.timeout(1234);
    expect(s.aborted).toBe(false);
    expect([...armed.values()]).toContain(1234);
    fireTimersOf(1234);
    expect(s.aborted).toBe(true);
    expect((s.reason as DOMException).name).toBe('TimeoutError');
    expect((s.reason as DOMException).code).toBe(23);
  });
  it('AbortSignal.timeout: a guest clearTimeout cannot cancel it', () => {
    const s = AbortSignal.timeout(4321);
    const id = [...armed].find(([, d]) => d === 4321)![0];
    timerGlobals.clearTimeout(id);
    fireTimersOf(4321);
    expect(s.aborted).toBe(true);
  });
  it('AbortSignal.timeout: milliseconds are an [EnforceRange] unsigned long long', () => {
    for (const bad of [-1, NaN, Infinity, 2 ** 53]) expect(() => AbortSignal.timeout(bad)).toThrow(TypeError);
    expect(() => (AbortSignal.timeout as () => void)()).toThrow(TypeError);
  });
  it('AbortSignal.any: follows the first of its signals to abort, with that reason', () => {
    const a = new AbortController();
    const b = new AbortController();
    const any = AbortSignal.any([a.signal, b.signal]);
    let fired = 0;
    any.addEventListener('abort', () => fired++);
    b.abort('b first');
    a.abort('a later');
    expect([any.aborted, any.reason, fired]).toEqual([true, 'b first', 1]);
  });
  it('AbortSignal.any: an already aborted input gives an aborted signal; an empty list never aborts', () => {
    expect(AbortSignal.any([new AbortController().signal, AbortSignal.abort('done')]).reason).toBe('done');
    expect(AbortSignal.any([]).aborted).toBe(false);
  });
  it('AbortSignal.any: a dependent of a dependent follows the original sources', () => {
    const a = new AbortController();
    const inner = AbortSignal.any([a.signal]);
    const outer = AbortSignal.any([inner]);
    const order: string[] = [];
    inner.addEventListener('abort', () => order.push('inner'));
    outer.addEventListener('abort', () => order.push('outer'));
    a.signal.addEventListener('abort', () => order.push('source'));
    a.abort('x');
    expect(order).toEqual(['source', 'inner', 'outer']);
    expect(outer.reason).toBe('x');
  });
  it('AbortSignal.any: rejects anything but a sequence of AbortSignals', () => {
    expect(() => AbortSignal.any(5 as never)).toThrow(TypeError);
    expect(() => AbortSignal.any([{}] as never)).toThrow(TypeError);
    expect(AbortSignal.any(new Set([new AbortController().signal])).aborted).toBe(false);
  });
  it('abort algorithms: run before the abort event, once, and can be taken back', () => {
    const c = new AbortController();
    const order: string[] = [];
    const removed = () => order.push('removed');
    abortInternals.addAlgorithm(c.signal, () => order.push('algorithm'));
    abortInternals.addAlgorithm(c.signal, removed);
    abortInternals.removeAlgorithm(c.signal, removed);
    c.signal.addEventListener('abort', () => order.push('event'));
    c.abort();
    expect(order).toEqual(['algorithm', 'event']);
  });
  it('abort internals: dependent() follows several sources as AbortSignal.any does', () => {
    const a = new AbortController();
    const d = abortInternals.dependent([a.signal, abortInternals.create()]);
    a.abort('r');
    expect([abortInternals.aborted(d), abortInternals.reason(d), abortInternals.isAbortSignal(d), abortInternals.isAbortSignal({})]).toEqual([true, 'r', true, false]);
  });
  it('AbortSignal.any: a dependent signal nobody holds and nobody listens to is collected', async () => {
    const source = new AbortController();
    const refs: WeakRef<AbortSignal>[] = [];
    for (let i = 0; i < 100; i++) refs.push(new WeakRef(AbortSignal.any([source.signal])));
    await collectGarbage();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(0);
  });
  it('AbortSignal.any: a dependent signal with an abort listener stays alive until its source aborts', async () => {
    const source = new AbortController();
    let fired = 0;
    (() => {
      AbortSignal.any([source.signal]).addEventListener('abort', () => fired++);
      abortInternals.addAlgorithm(AbortSignal.any([source.signal]), () => fired++);
    })();
    await collectGarbage();
    source.abort();
    expect(fired).toBe(2);
  });
  it('AbortSignal.any: once its listener is removed a dependent signal can be collected', async () => {
    const source = new AbortController();
    let ref!: WeakRef<AbortSignal>;
    (() => {
      const d = AbortSignal.any([source.signal]);
      const f = () => {};
      d.addEventListener('abort', f);
      d.removeEventListener('abort', f);
      ref = new WeakRef(d);
    })();
    await collectGarbage();
    expect(ref.deref()).toBe(undefined);
  });
});

describe('timers', () => {
  it('timers: ids are positive integers shared by timeouts and intervals; clearTimeout clears an interval', () => {
    const calls: string[] = [];
    const t = timerGlobals.setTimeout(() => calls.push('timeout'), 7001);
    const i = timerGlobals.setInterval(() => calls.push('interval'), 7002);
    expect(t).toBeGreaterThan(0);
    expect(i).toBeGreaterThan(t);
    timerGlobals.clearTimeout(i);
    expect(armed.has(i)).toBe(false);
    fireTimersOf(7001);
    expect(calls).toEqual(['timeout']);
  });
  it('timers: an interval re-arms before its callback runs and repeats until cleared', () => {
    let n = 0;
    const id = timerGlobals.setInterval((step: number) => {
      n += step;
      if (n === 3) timerGlobals.clearInterval(id);
    }, 7003, 1);
    for (let k = 0; k < 5 && armed.has(id); k++) fireTimersOf(7003);
    expect(n).toBe(3);
    expect(armed.has(id)).toBe(false);
  });
  it('timers: the delay is a WebIDL long (ToInt32), negative is 0', () => {
    const a = timerGlobals.setTimeout(() => {}, 2 ** 32 + 7004);
    const b = timerGlobals.setTimeout(() => {}, -5);
    const c = timerGlobals.setTimeout(() => {}, '7005' as never);
    expect([armed.get(a), armed.get(b), armed.get(c)]).toEqual([7004, 0, 7005]);
    for (const id of [a, b, c]) timerGlobals.clearTimeout(id);
  });
  it('timers: a handle is converted as a long, so 1.5 clears timer 1', () => {
    const id = timerGlobals.setTimeout(() => {}, 7006);
    timerGlobals.clearTimeout(id + 0.5);
    expect(armed.has(id)).toBe(false);
  });
});

describe('events-api: the boot side of the lazy module', () => {
  it('events-api: recognises only this runtime\'s signals and platform objects', () => {
    const signal = abortSignals().create();
    expect([isAbortSignal(signal), isAbortSignal(new AbortController().signal), isAbortSignal({ aborted: false })]).toEqual([true, true, false]);
    expect([new Event('x'), new EventTarget(), new AbortController(), signal].map(isEventsPlatformObject)).toEqual([true, true, true, true]);
    expect(isEventsPlatformObject({})).toBe(false);
  });
  it('events-api: hands over the five interfaces', () => {
    expect(eventsInterfaces()).toEqual({ Event, CustomEvent, EventTarget, AbortController, AbortSignal });
  });
  it('events-api: a signal made by the runtime follows others and aborts its fetch through an algorithm', () => {
    const api = abortSignals();
    const input = new AbortController();
    const requestSignal = api.dependent([input.signal]);
    let aborted = false;
    api.addAlgorithm(requestSignal, () => (aborted = true));
    input.abort('stop');
    expect([aborted, api.aborted(requestSignal), api.reason(requestSignal)]).toEqual([true, true, 'stop']);
  });
});


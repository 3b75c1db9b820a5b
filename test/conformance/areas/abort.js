/**
 * DOM's AbortController and AbortSignal: abort reasons, the abort event (once, before
 * abort() returns), throwIfAborted, the static abort/timeout/any, and listener removal
 * through the signal option of addEventListener.
 */
import { area } from '../harness.js';

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default area('abort', (test) => {
  test('AbortController: a fresh signal is not aborted', (t) => {
    const c = new AbortController();
    t.ok(c.signal instanceof AbortSignal, 'an AbortSignal');
    t.ok(c.signal === c.signal, 'the same signal each time');
    t.equal(c.signal.aborted, false, 'aborted');
    t.equal(c.signal.reason, undefined, 'reason');
    t.equal(c.signal.throwIfAborted(), undefined, 'throwIfAborted does nothing');
  });

  test('AbortController: abort() without a reason gives an AbortError DOMException', (t) => {
    const c = new AbortController();
    c.abort();
    t.equal(c.signal.aborted, true, 'aborted');
    t.ok(c.signal.reason instanceof DOMException, 'a DOMException');
    t.equal(c.signal.reason.name, 'AbortError', 'name');
    t.throws(() => c.signal.throwIfAborted(), 'AbortError', 'throwIfAborted');
  });

  test('AbortController: abort(undefined) is the same as abort()', (t) => {
    const c = new AbortController();
    c.abort(undefined);
    t.equal(c.signal.reason.name, 'AbortError');
  });

  test('AbortController: any other reason is kept as is', (t) => {
    for (const reason of ['text', 0, null, false, { o: 1 }, new RangeError('r')]) {
      const c = new AbortController();
      c.abort(reason);
      t.ok(c.signal.reason === reason, `reason ${JSON.stringify(String(reason))}`);
      try {
        c.signal.throwIfAborted();
        t.fail('did not throw', `throwIfAborted ${String(reason)}`);
      } catch (e) {
        t.ok(e === reason, `throwIfAborted throws the reason ${String(reason)}`);
      }
    }
  });

  test('AbortController: the abort event fires once, synchronously, with the signal as target', (t) => {
    const c = new AbortController();
    const events = [];
    c.signal.addEventListener('abort', (e) => events.push(['listener', e.type, e.target === c.signal, c.signal.aborted, e.isTrusted]));
    c.signal.onabort = (e) => events.push(['onabort', e.type]);
    c.abort('first');
    t.deepEqual(events, [['listener', 'abort', true, true, true], ['onabort', 'abort']], 'during abort()');
    c.abort('second');
    t.equal(events.length, 2, 'a second abort fires nothing');
    t.equal(c.signal.reason, 'first', 'and keeps the first reason');
  });

  test('AbortController: the abort event is not cancelable and does not bubble', (t) => {
    const c = new AbortController();
    let event;
    c.signal.addEventListener('abort', (e) => (event = e));
    c.abort();
    t.equal(event.bubbles, false, 'bubbles');
    t.equal(event.cancelable, false, 'cancelable');
    t.ok(event instanceof Event, 'an Event');
  });

  test('AbortSignal.abort: an already aborted signal', (t) => {
    const s = AbortSignal.abort();
    t.equal(s.aborted, true, 'aborted');
    t.equal(s.reason.name, 'AbortError', 'default reason');
    t.equal(AbortSignal.abort('why').reason, 'why', 'given reason');
  });

  test('AbortSignal.timeout: aborts with a TimeoutError DOMException', async (t) => {
    const s = AbortSignal.timeout(1);
    t.equal(s.aborted, false, 'not yet');
    let fired = false;
    s.addEventListener('abort', () => (fired = true));
    await wait(30);
    t.equal(s.aborted, true, 'aborted');
    t.equal(fired, true, 'event fired');
    t.ok(s.reason instanceof DOMException, 'a DOMException');
    t.equal(s.reason.name, 'TimeoutError', 'TimeoutError');
  });

  test('AbortSignal.timeout: the delay is an unsigned long long', (t) => {
    t.throws(() => AbortSignal.timeout(), 'TypeError', 'missing');
    t.equal(AbortSignal.timeout(0).aborted, false, 'zero still waits for a task');
  });

  test('AbortSignal.any: follows the first of its signals to abort', (t) => {
    const a = new AbortController();
    const b = new AbortController();
    const any = AbortSignal.any([a.signal, b.signal]);
    t.equal(any.aborted, false, 'not yet');
    let fired = 0;
    any.addEventListener('abort', () => fired++);
    b.abort('from b');
    t.equal(any.aborted, true, 'aborted');
    t.equal(any.reason, 'from b', 'reason of the one that aborted');
    a.abort('from a');
    t.equal(any.reason, 'from b', 'later aborts change nothing');
    t.equal(fired, 1, 'one event');
  });

  test('AbortSignal.any: an already aborted input aborts it at once', (t) => {
    const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort('early')]);
    t.equal(any.aborted, true, 'aborted');
    t.equal(any.reason, 'early', 'reason');
    t.equal(AbortSignal.any([]).aborted, false, 'no input never aborts');
    t.throws(() => AbortSignal.any([{}]), 'TypeError', 'a non-signal input');
  });

  test('AbortSignal.any: can be nested', (t) => {
    const c = new AbortController();
    const outer = AbortSignal.any([AbortSignal.any([c.signal])]);
    c.abort('deep');
    t.equal(outer.reason, 'deep');
  });

  test('addEventListener: the signal option removes the listener on abort', (t) => {
    const et = new EventTarget();
    const c = new AbortController();
    let calls = 0;
    et.addEventListener('x', () => calls++, { signal: c.signal });
    et.dispatchEvent(new Event('x'));
    c.abort();
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1, 'removed');
    et.addEventListener('x', () => calls++, { signal: AbortSignal.abort() });
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1, 'an aborted signal adds nothing');
  });

  test('AbortSignal: not constructible; WebIDL shape', (t) => {
    t.throws(() => new AbortSignal(), 'TypeError', 'new AbortSignal()');
    t.ok(new AbortController().signal instanceof EventTarget, 'an EventTarget');
    t.equal(Object.prototype.toString.call(new AbortController()), '[object AbortController]', 'controller toStringTag');
    t.equal(Object.prototype.toString.call(AbortSignal.abort()), '[object AbortSignal]', 'signal toStringTag');
    t.throws(() => AbortController.prototype.abort.call({}), 'TypeError', 'abort on a non-controller');
  });
});

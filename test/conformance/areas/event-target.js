/**
 * DOM's EventTarget, Event and CustomEvent outside a tree: listener registration and
 * de-duplication, once/passive/capture options, dispatch order, phases, cancelation,
 * stopImmediatePropagation, re-entrant dispatch, and the constructors' defaults.
 */
import { area } from '../harness.js';

export default area('event-target', (test) => {
  test('Event: constructor defaults', (t) => {
    const e = new Event('ping');
    t.equal(e.type, 'ping', 'type');
    t.equal(e.bubbles, false, 'bubbles');
    t.equal(e.cancelable, false, 'cancelable');
    t.equal(e.composed, false, 'composed');
    t.equal(e.defaultPrevented, false, 'defaultPrevented');
    t.equal(e.isTrusted, false, 'isTrusted');
    t.equal(e.eventPhase, Event.NONE, 'eventPhase');
    t.equal(e.target, null, 'target');
    t.equal(e.currentTarget, null, 'currentTarget');
    t.equal(typeof e.timeStamp, 'number', 'timeStamp');
    t.equal(e.returnValue, true, 'returnValue');
  });

  test('Event: init dictionary and type conversion', (t) => {
    const e = new Event(42, { bubbles: 1, cancelable: 'yes', composed: true });
    t.equal(e.type, '42', 'type is stringified');
    t.equal(e.bubbles, true, 'bubbles');
    t.equal(e.cancelable, true, 'cancelable');
    t.equal(e.composed, true, 'composed');
    t.throws(() => new Event(), 'TypeError', 'type is required');
  });

  test('Event: phase constants', (t) => {
    t.deepEqual([Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE], [0, 1, 2, 3]);
  });

  test('EventTarget: a listener sees target, currentTarget and the AT_TARGET phase', (t) => {
    const et = new EventTarget();
    const e = new Event('x');
    let seen;
    et.addEventListener('x', function (ev) {
      seen = [ev === e, ev.target === et, ev.currentTarget === et, ev.eventPhase, this === et, ev.composedPath().length];
    });
    t.equal(et.dispatchEvent(e), true, 'dispatchEvent returns true');
    t.deepEqual(seen, [true, true, true, Event.AT_TARGET, true, 1], 'during dispatch');
    t.equal(e.eventPhase, Event.NONE, 'phase after');
    t.equal(e.currentTarget, null, 'currentTarget after');
    t.equal(e.target, et, 'target stays');
    t.deepEqual(e.composedPath(), [], 'composedPath after');
  });

  test('EventTarget: at the target, capture listeners run first, then the others, each in registration order', (t) => {
    // DOM's dispatch invokes the path's "capturing" pass before its "bubbling" pass, at the
    // target too (whatwg/dom#686, 2021). Node's EventTarget predates it: see NODE_DEVIATIONS.
    const et = new EventTarget();
    const order = [];
    et.addEventListener('x', () => order.push(1));
    et.addEventListener('x', () => order.push(2), true);
    et.addEventListener('x', () => order.push(3), { capture: false });
    et.addEventListener('x', () => order.push(4), { capture: true });
    et.dispatchEvent(new Event('x'));
    t.deepEqual(order, [2, 4, 1, 3]);
  });

  test('EventTarget: the same listener and capture is registered once', (t) => {
    const et = new EventTarget();
    let calls = 0;
    const fn = () => calls++;
    et.addEventListener('x', fn);
    et.addEventListener('x', fn);
    et.addEventListener('x', fn, { once: true });
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1, 'duplicates ignored');
    et.addEventListener('x', fn, true);
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 3, 'capture makes a different registration');
  });

  test('EventTarget: removeEventListener matches on capture', (t) => {
    const et = new EventTarget();
    let calls = 0;
    const fn = () => calls++;
    et.addEventListener('x', fn, true);
    et.removeEventListener('x', fn);
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1, 'not removed without capture');
    et.removeEventListener('x', fn, { capture: true });
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1, 'removed with capture');
  });

  test('EventTarget: once removes the listener before it runs', (t) => {
    const et = new EventTarget();
    let calls = 0;
    et.addEventListener(
      'x',
      () => {
        calls++;
        et.dispatchEvent(new Event('x'));
      },
      { once: true },
    );
    et.dispatchEvent(new Event('x'));
    et.dispatchEvent(new Event('x'));
    t.equal(calls, 1);
  });

  test('EventTarget: a listener removed during dispatch is skipped', (t) => {
    const et = new EventTarget();
    const order = [];
    const removed = () => order.push('removed');
    et.addEventListener('x', () => {
      order.push('first');
      et.removeEventListener('x', removed);
    });
    et.addEventListener('x', removed);
    et.dispatchEvent(new Event('x'));
    t.deepEqual(order, ['first']);
  });

  test('EventTarget: handleEvent objects are listeners, looked up at dispatch', (t) => {
    const et = new EventTarget();
    const calls = [];
    const listener = { handleEvent(e) { calls.push(['a', e.type, this === listener]); } };
    et.addEventListener('x', listener);
    et.dispatchEvent(new Event('x'));
    listener.handleEvent = () => calls.push(['b']);
    et.dispatchEvent(new Event('x'));
    t.deepEqual(calls, [['a', 'x', true], ['b']]);
  });

  test('EventTarget: a null listener is ignored', (t) => {
    const et = new EventTarget();
    et.addEventListener('x', null);
    et.removeEventListener('x', null);
    t.equal(et.dispatchEvent(new Event('x')), true);
  });

  test('EventTarget: preventDefault works only on cancelable events and outside passive listeners', (t) => {
    const et = new EventTarget();
    et.addEventListener('x', (e) => e.preventDefault());
    const cancelable = new Event('x', { cancelable: true });
    t.equal(et.dispatchEvent(cancelable), false, 'dispatchEvent returns false');
    t.equal(cancelable.defaultPrevented, true, 'defaultPrevented');
    t.equal(cancelable.returnValue, false, 'returnValue');
    const plain = new Event('x');
    t.equal(et.dispatchEvent(plain), true, 'not cancelable');
    t.equal(plain.defaultPrevented, false, 'not prevented');
    const passive = new EventTarget();
    passive.addEventListener('y', (e) => e.preventDefault(), { passive: true });
    const p = new Event('y', { cancelable: true });
    t.equal(passive.dispatchEvent(p), true, 'passive listener');
    t.equal(p.defaultPrevented, false, 'passive cannot prevent');
  });

  test('EventTarget: stopImmediatePropagation stops the remaining listeners', (t) => {
    const et = new EventTarget();
    const order = [];
    et.addEventListener('x', (e) => {
      order.push(1);
      e.stopImmediatePropagation();
    });
    et.addEventListener('x', () => order.push(2));
    et.dispatchEvent(new Event('x'));
    t.deepEqual(order, [1], 'stopped');
    et.dispatchEvent(new Event('x'));
    t.deepEqual(order, [1, 1], 'a new event starts afresh');
  });

  test('EventTarget: stopPropagation does not stop listeners on the same target', (t) => {
    const et = new EventTarget();
    const order = [];
    et.addEventListener('x', (e) => {
      order.push(1);
      e.stopPropagation();
    });
    et.addEventListener('x', () => order.push(2));
    et.dispatchEvent(new Event('x'));
    t.deepEqual(order, [1, 2]);
  });

  test('EventTarget: an event can be dispatched again once its dispatch is over', (t) => {
    const et = new EventTarget();
    const e = new Event('x');
    et.dispatchEvent(e);
    let again = 0;
    et.addEventListener('x', () => again++);
    t.equal(et.dispatchEvent(e), true, 'after dispatch it can be dispatched again');
    t.equal(again, 1, 'listeners ran');
  });

  test('EventTarget: dispatchEvent needs an Event', (t) => {
    t.throws(() => new EventTarget().dispatchEvent({ type: 'x' }), 'TypeError', 'a look-alike');
    t.throws(() => new EventTarget().dispatchEvent(), 'TypeError', 'nothing');
  });

  test('EventTarget: event types are case-sensitive', (t) => {
    const et = new EventTarget();
    let calls = 0;
    et.addEventListener('Click', () => calls++);
    et.dispatchEvent(new Event('click'));
    t.equal(calls, 0);
  });

  test('EventTarget: subclasses dispatch to their own listeners', (t) => {
    class Emitter extends EventTarget {
      fire() {
        return this.dispatchEvent(new Event('fire'));
      }
    }
    const em = new Emitter();
    let target;
    em.addEventListener('fire', (e) => (target = e.target));
    em.fire();
    t.ok(target === em);
  });

  test('CustomEvent: carries detail', (t) => {
    const e = new CustomEvent('c', { detail: { n: 1 } });
    t.ok(e instanceof Event, 'an Event');
    t.deepEqual(e.detail, { n: 1 }, 'detail');
    t.equal(new CustomEvent('c').detail, null, 'default detail is null');
  });

  test('Event and EventTarget: WebIDL shape', (t) => {
    t.equal(Object.prototype.toString.call(new EventTarget()), '[object EventTarget]', 'EventTarget toStringTag');
    t.equal(Object.prototype.toString.call(new Event('x')), '[object Event]', 'Event toStringTag');
    t.throws(() => EventTarget(), 'TypeError', 'call without new');
    t.throws(() => EventTarget.prototype.addEventListener.call({}, 'x', () => {}), 'TypeError', 'addEventListener on a non-target');
    t.equal(typeof Object.getOwnPropertyDescriptor(Event.prototype, 'type').get, 'function', 'type is an accessor');
  });
});

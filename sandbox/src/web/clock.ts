/**
 * The isolate's clock, which does not advance while guest code runs (as on Cloudflare
 * Workers). `Date.now()`, `new Date()`, `Date()`, `performance.now()`, `Event#timeStamp`,
 * Intl formatting of "now" and Lambda's remaining time all read a time that moves only
 * when the host enters the runtime (`tickClock()` at each RuntimeEntry method: load,
 * invoke, fireTimer, settle, pull, cancel). A busy loop reads the same time at its start
 * and its end, so guest code cannot time its own execution (cache or branch-predictor
 * timing, the basis of Spectre-style attacks) with these clocks; time across I/O and
 * timers is still measured exactly, to the millisecond of V8's own clock.
 *
 * The real clock is V8's `Date.now`, captured at boot. The global `Date` is replaced by a
 * constructor that reads the frozen time when given no arguments and otherwise defers to
 * the original, sharing its prototype (so `instanceof Date`, existing dates and every
 * method keep working); `Date.prototype.constructor` points at the replacement, so no
 * path leads a guest back to the original constructor or its `now`.
 */

import {
  DateNow,
  DatePrototypeToString,
  Date_,
  MathMax,
  ObjectDefineProperty,
  ReflectApply,
  ReflectConstruct,
  ReflectGetOwnPropertyDescriptor,
  WeakMap_,
  WeakMapPrototypeGet,
  WeakMapPrototypeSet,
  dataDescriptor,
  setFunctionName,
  uncurryThis,
} from '../primordials.ts';

let wallMs = DateNow();
/** The time origin (HR-Time): the real time when the runtime booted. */
export const timeOrigin = wallMs;
let monotonicMs = 0;

/** Moves the clock to the real time; called when the host enters the runtime. */
export function tickClock(): void {
  wallMs = DateNow();
  // performance.now() is monotonic even if the wall clock steps back.
  monotonicMs = MathMax(monotonicMs, wallMs - timeOrigin);
}

/** The frozen wall-clock time in epoch milliseconds (what Date.now() returns). */
export function clockNow(): number {
  return wallMs;
}

/** Milliseconds since `timeOrigin`, frozen like clockNow (what performance.now() returns). */
export function performanceNow(): number {
  return monotonicMs;
}

/**
 * Replaces `g.Date` with a constructor on the frozen clock and makes Intl.DateTimeFormat's
 * `format`/`formatToParts` read it when called without a date (they would otherwise read
 * V8's clock directly). Called once at boot, before any guest code.
 */
export function installClock(g: { Date: DateConstructor; Intl?: typeof Intl }): void {
  const Original = g.Date;
  function Date(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return DatePrototypeToString(new Date_(wallMs));
    return ReflectConstruct(Original, args.length === 0 ? [wallMs] : args, new.target);
  }
  setFunctionName(Date, 'Date');
  const statics = ['UTC', 'parse'];
  for (let i = 0; i < statics.length; i++) {
    ObjectDefineProperty(Date, statics[i]!, ReflectGetOwnPropertyDescriptor(Original, statics[i]!)!);
  }
  ObjectDefineProperty(Date, 'now', dataDescriptor(setFunctionName(() => wallMs, 'now'), false, true, true));
  ObjectDefineProperty(Date, 'length', dataDescriptor(7, false, false, true));
  ObjectDefineProperty(Date, 'prototype', dataDescriptor(Original.prototype));
  ObjectDefineProperty(Original.prototype, 'constructor', dataDescriptor(Date, false, true, true));
  ObjectDefineProperty(g, 'Date', dataDescriptor(Date, false, true, true));
  if (g.Intl !== undefined) patchDateTimeFormat(g.Intl.DateTimeFormat.prototype);
}

/** `format` (a getter returning a bound function, the same one each time) and `formatToParts`, with an absent date meaning the frozen now. */
function patchDateTimeFormat(proto: Intl.DateTimeFormat): void {
  const formatGetter = uncurryThis(ReflectGetOwnPropertyDescriptor(proto, 'format')!.get!) as (dtf: unknown) => (d?: unknown) => string;
  const formatToParts = ReflectGetOwnPropertyDescriptor(proto, 'formatToParts')!.value as Function;
  const bound = new WeakMap_<object, Function>();
  const get = function (this: object) {
    const native = formatGetter(this); // brand check: throws for anything but a DateTimeFormat
    let f = WeakMapPrototypeGet(bound, this);
    if (f === undefined) {
      f = setFunctionName((date: unknown) => native(date === undefined ? wallMs : date), '');
      ObjectDefineProperty(f, 'length', dataDescriptor(1, false, false, true));
      WeakMapPrototypeSet(bound, this, f);
    }
    return f;
  };
  ObjectDefineProperty(proto, 'format', { __proto__: null, get: setFunctionName(get, 'get format'), enumerable: false, configurable: true } as PropertyDescriptor);
  const parts = {
    formatToParts(this: unknown, date: unknown) {
      return ReflectApply(formatToParts, this, [date === undefined ? wallMs : date]);
    },
  }.formatToParts;
  ObjectDefineProperty(proto, 'formatToParts', dataDescriptor(parts, false, true, true));
}

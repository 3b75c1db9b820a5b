import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { clockNow, installClock, performanceNow, tickClock, timeOrigin } from '../../../sandbox/src/web/clock.ts';
import { Navigator, createNavigator } from '../../../sandbox/src/web/navigator.ts';
import { Performance, createPerformance } from '../../../sandbox/src/web/performance.ts';

/** A fresh realm with the clock installed, as a guest sees it. */
function guestRealm(): (code: string) => unknown {
  const context = createContext({});
  installClock(runInContext('globalThis', context) as { Date: DateConstructor; Intl?: typeof Intl });
  return (code) => runInContext(code, context);
}

/** Waits (busily: the test is synchronous code too) until the real clock has moved past `t`. */
function realClockPasses(t: number): void {
  while (Date.now() <= t) {
    // spin
  }
}

describe('clock: Date does not advance during synchronous execution', () => {
  it('clock: Date.now(), new Date() and Date() read the same time before and after a busy loop', () => {
    tickClock();
    const run = guestRealm();
    const out = run(`
      const a = Date.now(), d = new Date(), s = Date();
      const until = a; let spins = 0;
      for (let i = 0; i < 2e6; i++) spins += i;
      [a, Date.now(), d.getTime(), new Date().getTime(), s === Date(), s === new Date(a).toString()]
    `) as unknown[];
    expect(out[0]).toBe(clockNow());
    expect(out.slice(1)).toEqual([out[0], out[0], out[0], true, true]);
  });
  it('clock: the time moves when the host enters the runtime (tickClock), to the real time', () => {
    tickClock();
    const run = guestRealm();
    const before = run('Date.now()') as number;
    realClockPasses(before);
    expect(run('Date.now()')).toBe(before);
    tickClock();
    const after = run('Date.now()') as number;
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThanOrEqual(Date.now());
  });
  it('clock: Date keeps working with arguments, as a function, and its statics', () => {
    const run = guestRealm();
    expect(run('new Date(5).getTime()')).toBe(5);
    expect(run('new Date(2020, 1, 2, 3, 4, 5).getFullYear()')).toBe(2020);
    expect(run('new Date("2020-01-02T03:04:05Z").toISOString()')).toBe('2020-01-02T03:04:05.000Z');
    expect(run('isNaN(new Date(undefined).getTime())')).toBe(true);
    expect(run('Date.UTC(2000, 0, 1)')).toBe(Date.UTC(2000, 0, 1));
    expect(run('Date.parse("2000-01-01T00:00:00Z")')).toBe(946684800000);
    expect(run('[typeof Date(), typeof Date(5)]')).toEqual(['string', 'string']);
    expect(run('[Date.length, Date.name, Date.now.name]')).toEqual([7, 'Date', 'now']);
  });
  it('clock: instanceof, the shared prototype and subclasses keep working', () => {
    const run = guestRealm();
    expect(run('new Date() instanceof Date && new Date(1) instanceof Date')).toBe(true);
    expect(run('Object.getPrototypeOf(new Date()) === Date.prototype && Date.prototype.constructor === Date')).toBe(true);
    expect(run(`class Later extends Date { later() { return this.getTime() + 1; } }
      const l = new Later(); [l instanceof Later, l instanceof Date, l.later() === Date.now() + 1, new Later(10).getTime()]`)).toEqual([true, true, true, 10]);
  });
  it('clock: no path leads back to the original Date or its now', () => {
    tickClock();
    const run = guestRealm();
    const frozen = run('Date.now()') as number;
    realClockPasses(frozen);
    const times = run(`[
      new (Object.getPrototypeOf(new Date()).constructor)().getTime(),
      Reflect.construct(Date, []).getTime(),
      Reflect.construct(Date, [], Object).getTime === undefined ? -1 : 0,
      new Date.prototype.constructor().getTime(),
      Date.prototype.constructor.now(),
      new (class extends Date {})().getTime(),
      new Date(Date.now()).getTime(),
    ]`) as number[];
    expect(times).toEqual([frozen, frozen, -1, frozen, frozen, frozen, frozen]);
    // Property descriptors carry nothing but the replacement.
    expect(run('Object.getOwnPropertyNames(Date).map((k) => typeof Object.getOwnPropertyDescriptor(Date, k).value)')).not.toContain(undefined);
  });
  it('clock: Intl.DateTimeFormat formats "now" as the frozen time, and keeps one bound format per formatter', () => {
    tickClock();
    const run = guestRealm();
    const frozen = run('Date.now()') as number;
    realClockPasses(frozen);
    const out = run(`
      const f = new Intl.DateTimeFormat('en', { timeZone: 'UTC', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3 });
      [f.format(), f.format(Date.now()), f.formatToParts().map((p) => p.value).join(''), f.format === f.format, f.format.length, f.format(0),
        Intl.DateTimeFormat.prototype.formatToParts.length]
    `) as unknown[];
    const expected = new Intl.DateTimeFormat('en', { timeZone: 'UTC', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3 }).format(frozen);
    expect(out).toEqual([expected, expected, expected, true, 1, '00:00.000', 1]);
    expect(() => run('Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, "format").get.call({})')).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});

describe('performance and navigator', () => {
  it('performance: now() is the frozen clock since timeOrigin, never going back', () => {
    tickClock();
    const p = createPerformance();
    const a = p.now();
    expect(a).toBe(performanceNow());
    expect(p.timeOrigin).toBe(timeOrigin);
    expect(p.timeOrigin + a).toBe(clockNow());
    realClockPasses(clockNow());
    expect(p.now()).toBe(a);
    tickClock();
    expect(p.now()).toBeGreaterThan(a);
    expect(p.toJSON()).toEqual({ timeOrigin });
  });
  it('performance: the constructor is illegal and the methods brand-check', () => {
    expect(() => new (Performance as unknown as new () => Performance)()).toThrow(TypeError);
    expect(() => Performance.prototype.now.call({})).toThrow(TypeError);
  });
  it('navigator: userAgent names Atoll; the interface cannot be constructed', () => {
    const n = createNavigator();
    expect(n.userAgent).toBe('Atoll');
    expect(n.hardwareConcurrency).toBe(1);
    expect(() => new (Navigator as unknown as new () => Navigator)()).toThrow(TypeError);
    expect(() => Object.getOwnPropertyDescriptor(Navigator.prototype, 'userAgent')!.get!.call({})).toThrow(TypeError);
  });
});

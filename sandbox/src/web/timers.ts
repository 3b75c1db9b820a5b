/** setTimeout/setInterval family on host timers: the host calls `fireTimer(id)` back. */

import {
  Map_,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeSet,
  Number_,
  NumberIsFinite,
  ReflectApply,
  TypeError_,
  MathMax,
} from '../primordials.ts';
import { host } from '../host.ts';

interface Timer {
  fn: Function;
  args: unknown[];
  delay: number;
  repeat: boolean;
}

const timers = new Map_<number, Timer>();
let nextId = 1;

function clampDelay(ms: unknown): number {
  const n = Number_(ms);
  return NumberIsFinite(n) ? MathMax(0, n) : 0;
}

function schedule(fn: unknown, ms: unknown, args: unknown[], repeat: boolean): number {
  if (typeof fn !== 'function') throw new TypeError_('The "callback" argument must be of type function');
  const id = nextId++;
  const delay = clampDelay(ms);
  MapPrototypeSet(timers, id, { fn, args, delay, repeat });
  host.setTimer(id, delay);
  return id;
}

function clear(id: unknown): void {
  const n = Number_(id);
  if (MapPrototypeDelete(timers, n)) host.clearTimer(n);
}

/** Globals: setTimeout, clearTimeout, setInterval, clearInterval. */
export const timerGlobals = {
  setTimeout(fn: unknown, ms?: unknown, ...args: unknown[]): number {
    return schedule(fn, ms, args, false);
  },
  clearTimeout(id?: unknown): void {
    clear(id);
  },
  setInterval(fn: unknown, ms?: unknown, ...args: unknown[]): number {
    return schedule(fn, ms, args, true);
  },
  clearInterval(id?: unknown): void {
    clear(id);
  },
};

/** Runs timer `id`'s callback (host side fired it). Exceptions propagate to the caller. */
export function fireTimer(id: number): void {
  const t = MapPrototypeGet(timers, id);
  if (t === undefined) return;
  if (t.repeat) host.setTimer(id, t.delay);
  else MapPrototypeDelete(timers, id);
  ReflectApply(t.fn, undefined, t.args);
}

/** Number of armed timers (the invoke logic may report it; host uses it to decide idleness). */
export function pendingTimers(): number {
  return timers.size;
}

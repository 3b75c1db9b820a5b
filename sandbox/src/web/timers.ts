/**
 * setTimeout/setInterval family on host timers (HTML §8.6): the host calls `fireTimer(id)`
 * back. Guest timers and the runtime's own (AbortSignal.timeout) share the id space, but a
 * guest's clearTimeout/clearInterval only clears a guest timer.
 */

import { Map_, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, MathMax, ReflectApply, TypeError_ } from '../primordials.ts';
import { host } from '../host.ts';
import { toNumber } from './webidl.ts';

interface Timer {
  fn: Function;
  args: unknown[];
  delay: number;
  repeat: boolean;
  runtime: boolean;
}

const timers = new Map_<number, Timer>();
let nextId = 1;

/** WebIDL `long` (ToInt32), as the timeout and handle arguments are declared. */
function toLong(v: unknown): number {
  return toNumber(v) | 0;
}

function schedule(fn: unknown, ms: unknown, args: unknown[], repeat: boolean, runtime = false): number {
  if (typeof fn !== 'function') throw new TypeError_('The "callback" argument must be of type function');
  const id = nextId++;
  const delay = MathMax(0, toLong(ms));
  MapPrototypeSet(timers, id, { fn, args, delay, repeat, runtime });
  host.setTimer(id, delay);
  return id;
}

function clear(id: unknown): void {
  const n = toLong(id);
  const t = MapPrototypeGet(timers, n);
  if (t === undefined || t.runtime) return;
  MapPrototypeDelete(timers, n);
  host.clearTimer(n);
}

/** Globals: setTimeout, clearTimeout, setInterval, clearInterval. */
export const timerGlobals = {
  setTimeout(fn: unknown, ms: unknown = 0, ...args: unknown[]): number {
    return schedule(fn, ms, args, false);
  },
  clearTimeout(id: unknown = 0): void {
    clear(id);
  },
  setInterval(fn: unknown, ms: unknown = 0, ...args: unknown[]): number {
    return schedule(fn, ms, args, true);
  },
  clearInterval(id: unknown = 0): void {
    clear(id);
  },
};

/** A one-shot timer of the runtime itself (after `ms` milliseconds, not clamped to a `long`). */
export function setRuntimeTimer(fn: () => void, ms: number): void {
  const id = nextId++;
  MapPrototypeSet(timers, id, { fn, args: [], delay: ms, repeat: false, runtime: true });
  host.setTimer(id, ms);
}

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

/** Turning anything a guest throws into a GuestResult without letting a hostile value throw again. */

import { DOMException } from '../web/dom-exception.ts';
import { ErrorStackGetter, StringPrototypeIndexOf, ReflectApply, ObjectGetPrototypeOf, ReflectGetOwnPropertyDescriptor, StringPrototypeSlice, String_, SymbolPrototypeToString } from '../primordials.ts';

export interface ErrorResult {
  kind: 'error';
  name: string;
  message: string;
  stack: string;
}

const MAX_CHARS = 64 * 1024;

// The runtime's own accessors that read only internal slots: safe to call on a thrown value
// (a DOMException's name and message live in getters, not own properties).
const SAFE_GETTERS = [
  ReflectGetOwnPropertyDescriptor(DOMException.prototype, 'name')!.get,
  ReflectGetOwnPropertyDescriptor(DOMException.prototype, 'message')!.get,
];

/** A property looked up along the prototype chain as data only: getters and proxies' traps that throw yield undefined. */
function peek(o: object, key: string): unknown {
  try {
    let p: object | null = o;
    for (let depth = 0; p !== null && depth < 64; depth++) {
      const d = ReflectGetOwnPropertyDescriptor(p, key);
      if (d !== undefined) {
        if ('value' in d) return d.value;
        // V8's builtin stack accessor is safe to call; any other getter is guest code.
        if (d.get === undefined) return undefined;
        return d.get === ErrorStackGetter || d.get === SAFE_GETTERS[0] || d.get === SAFE_GETTERS[1] ? ReflectApply(d.get, o, []) : undefined;
      }
      p = ObjectGetPrototypeOf(p);
    }
  } catch {
    // a revoked proxy or a throwing trap
  }
  return undefined;
}

function isDOMException(e: object): boolean {
  try {
    ReflectApply(SAFE_GETTERS[0]!, e, []);
    return true;
  } catch {
    return false;
  }
}

function str(v: unknown, fallback: string): string {
  if (typeof v !== 'string') return fallback;
  return v.length > MAX_CHARS ? StringPrototypeSlice(v, 0, MAX_CHARS) : v;
}

/** Describes a thrown value. Never throws; never runs guest getters. */
export function errorResult(e: unknown): ErrorResult {
  try {
    if ((typeof e === 'object' && e !== null) || typeof e === 'function') {
      const name = str(peek(e, 'name'), 'Error');
      const message = str(peek(e, 'message'), '');
      const header = message === '' ? name : `${name}: ${message}`;
      let stack = str(peek(e, 'stack'), header);
      // V8 wrote the stack's first line before a DOMException's getters could answer.
      if (isDOMException(e)) {
        const frames = StringPrototypeIndexOf(stack, '\n');
        stack = frames < 0 ? header : header + StringPrototypeSlice(stack, frames);
      }
      return { kind: 'error', name, message, stack };
    }
    let message: string;
    try {
      message = typeof e === 'symbol' ? SymbolPrototypeToString(e) : String_(e);
    } catch {
      message = 'unprintable value';
    }
    message = str(message, '');
    return { kind: 'error', name: 'Error', message: `Uncaught ${message}`, stack: `Uncaught ${message}` };
  } catch {
    return { kind: 'error', name: 'Error', message: 'The function threw a value that could not be read', stack: '' };
  }
}

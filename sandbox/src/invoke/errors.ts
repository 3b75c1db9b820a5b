/** Turning anything a guest throws into a GuestResult without letting a hostile value throw again. */

import { ErrorStackGetter, ReflectApply, ObjectGetPrototypeOf, ReflectGetOwnPropertyDescriptor, StringPrototypeSlice, String_, SymbolPrototypeToString } from '../primordials.ts';
import { domExceptionFields } from '../web/dom-exception.ts';

export interface ErrorResult {
  kind: 'error';
  name: string;
  message: string;
  stack: string;
}

const MAX_CHARS = 64 * 1024;

/** A property looked up along the prototype chain as data only: getters and proxies' traps that throw yield undefined. */
function peek(o: object, key: string): unknown {
  try {
    let p: object | null = o;
    for (let depth = 0; p !== null && depth < 64; depth++) {
      const d = ReflectGetOwnPropertyDescriptor(p, key);
      if (d !== undefined) {
        if ('value' in d) return d.value;
        // V8's builtin stack accessor is safe to call; any other getter is guest code.
        return d.get !== undefined && d.get === ErrorStackGetter ? ReflectApply(d.get, o, []) : undefined;
      }
      p = ObjectGetPrototypeOf(p);
    }
  } catch {
    // a revoked proxy or a throwing trap
  }
  return undefined;
}

function str(v: unknown, fallback: string): string {
  if (typeof v !== 'string') return fallback;
  return v.length > MAX_CHARS ? StringPrototypeSlice(v, 0, MAX_CHARS) : v;
}

/** Describes a thrown value. Never throws; never runs guest getters. */
export function errorResult(e: unknown): ErrorResult {
  try {
    if ((typeof e === 'object' && e !== null) || typeof e === 'function') {
      // A DOMException's name and message are prototype getters: its fields are read directly.
      const dom = domExceptionFields(e);
      const name = str(dom?.name ?? peek(e, 'name'), 'Error');
      const message = str(dom?.message ?? peek(e, 'message'), '');
      const stack = str(peek(e, 'stack'), message === '' ? name : `${name}: ${message}`);
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

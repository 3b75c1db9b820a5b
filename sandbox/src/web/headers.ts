/** Headers (Fetch §5.2): a header list with guards, sorted-and-combined iteration, getSetCookie. */

import {
  ArrayPrototypeSort,
  ReflectOwnKeys,
  ObjectGetOwnPropertyDescriptor,
  String_,
  SymbolIterator,
  TypeError_,
  listAppend,
  ReflectApply,
  internalList,
} from '../primordials.ts';
import { asciiLowercase, isHeaderValue, isToken, trimHttpWhitespace } from './infra.ts';
import { defineIterator } from './iteration.ts';
import { registerPlatformClass } from './platform-objects.ts';

export type Guard = 'none' | 'immutable' | 'request' | 'response';
type Entry = [name: string, value: string];

/** Runtime-only access to a Headers' list and guard. */
export let headersInternals: {
  sortedPairs(h: Headers): Entry[];
  /** Raw header list (lowercased names) in insertion order. */
  list(h: Headers): readonly Entry[];
  setGuard(h: Headers, guard: Guard): void;
  guard(h: Headers): Guard;
  isHeaders(v: unknown): v is Headers;
  /** A Headers with `guard` whose list is the host's pairs, validated and normalised as `append` would. */
  fromPairs(pairs: readonly (readonly [string, string])[], guard: Guard): Headers;
  /** Whether the list has `lowerName`; runs no guest code (a guest may patch Headers.prototype.has). */
  hasLower(h: Headers, lowerName: string): boolean;
  /** Appends a name and value known to be valid (`lowerName` lowercased), ignoring the guard. */
  appendTrusted(h: Headers, lowerName: string, value: string): void;
};

/** Passed to the constructor by `fromPairs`; never reachable from guest code. */
const EMPTY = {};

export class Headers {
  static {
    registerPlatformClass(this, (v) => #list in v);
  }
  /** Lowercased names with original values, in insertion order (the spec's header list). */
  #list: Entry[] = internalList();
  #guard: Guard = 'none';

  constructor(init: unknown = undefined) {
    if (init !== undefined && init !== EMPTY) fillHeaders(this, init);
  }

  append(name: unknown, value: unknown): void {
    needArgs(arguments.length, 2, 'append');
    // Indexing, not destructuring: array destructuring runs the (guest-patchable) array iterator.
    const e = validate(name, value);
    if (this.#guard === 'immutable') throw new TypeError_('Headers are immutable');
    listAppend(this.#list, [asciiLowercase(e[0]), e[1]] as Entry);
  }

  delete(name: unknown): void {
    needArgs(arguments.length, 1, 'delete');
    const n = validName(name);
    if (this.#guard === 'immutable') throw new TypeError_('Headers are immutable');
    const lower = asciiLowercase(n);
    const kept: Entry[] = internalList();
    for (let i = 0; i < this.#list.length; i++) if (this.#list[i]![0] !== lower) listAppend(kept, this.#list[i]!);
    this.#list = kept;
  }

  get(name: unknown): string | null {
    needArgs(arguments.length, 1, 'get');
    const lower = asciiLowercase(validName(name));
    let out: string | null = null;
    for (let i = 0; i < this.#list.length; i++) {
      const e = this.#list[i]!;
      if (e[0] === lower) out = out === null ? e[1] : `${out}, ${e[1]}`;
    }
    return out;
  }

  getSetCookie(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.#list.length; i++) if (this.#list[i]![0] === 'set-cookie') listAppend(out, this.#list[i]![1]);
    return out;
  }

  has(name: unknown): boolean {
    needArgs(arguments.length, 1, 'has');
    const lower = asciiLowercase(validName(name));
    for (let i = 0; i < this.#list.length; i++) if (this.#list[i]![0] === lower) return true;
    return false;
  }

  set(name: unknown, value: unknown): void {
    needArgs(arguments.length, 2, 'set');
    const e = validate(name, value);
    const v = e[1];
    if (this.#guard === 'immutable') throw new TypeError_('Headers are immutable');
    const lower = asciiLowercase(e[0]);
    const kept: Entry[] = internalList();
    let found = false;
    for (let i = 0; i < this.#list.length; i++) {
      const e = this.#list[i]!;
      if (e[0] !== lower) listAppend(kept, e);
      else if (!found) {
        found = true;
        listAppend(kept, [lower, v] as Entry);
      }
    }
    if (!found) listAppend(kept, [lower, v] as Entry);
    this.#list = kept;
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg: unknown = undefined): void {
    if (typeof callback !== 'function') throw new TypeError_('Headers.forEach: callback is not a function');
    // Re-sorted each step as the spec's value iterator would, so mutation during iteration behaves.
    for (let i = 0; ; i++) {
      const pairs = sortAndCombine(this.#list);
      if (i >= pairs.length) return;
      ReflectApply(callback, thisArg, [pairs[i]![1], pairs[i]![0], this]);
    }
  }

  static {
    // Runtime-only accessors, exported through module bindings so guests never see them.
    headersInternals = {
      sortedPairs: (h) => sortAndCombine(h.#list),
      list: (h) => h.#list,
      setGuard: (h, guard) => {
        h.#guard = guard;
      },
      guard: (h) => h.#guard,
      isHeaders: (v): v is Headers => typeof v === 'object' && v !== null && #list in v,
      fromPairs: (pairs, guard) => {
        const h = new Headers(EMPTY);
        const n = pairs.length;
        const list: Entry[] = internalList();
        for (let i = 0; i < n; i++) {
          const pair = pairs[i]!;
          const name = String_(pair[0]);
          const value = trimHttpWhitespace(String_(pair[1]));
          if (!isToken(name)) throw new TypeError_(`Invalid header name: "${name}"`);
          if (!isHeaderValue(value)) throw new TypeError_(`Invalid header value for "${name}"`);
          list[i] = [asciiLowercase(name), value];
        }
        h.#list = list;
        h.#guard = guard;
        return h;
      },
      hasLower: (h, lower) => {
        const list = h.#list;
        for (let i = 0; i < list.length; i++) if (list[i]![0] === lower) return true;
        return false;
      },
      appendTrusted: (h, lower, value) => {
        listAppend(h.#list, [lower, value] as Entry);
      },
    };
  }
}

function validName(name: unknown): string {
  const n = String_(name);
  if (!isToken(n)) throw new TypeError_(`Invalid header name: "${n}"`);
  return n;
}

function validate(name: unknown, value: unknown): Entry {
  // WebIDL converts both arguments (running any toString) before the method validates either.
  const n = String_(name);
  const v = trimHttpWhitespace(String_(value));
  if (!isToken(n)) throw new TypeError_(`Invalid header name: "${n}"`);
  if (!isHeaderValue(v)) throw new TypeError_(`Invalid header value for "${n}"`);
  return [n, v];
}

function needArgs(given: number, required: number, method: string): void {
  if (given < required) throw new TypeError_(`Failed to execute '${method}' on 'Headers': ${required} argument${required > 1 ? 's' : ''} required, but only ${given} present.`);
}

function sortAndCombine(list: Entry[]): Entry[] {
  const names: string[] = internalList();
  const seen: Record<string, true> = { __proto__: null } as never;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]![0];
    if (seen[n] !== true) {
      seen[n] = true;
      listAppend(names, n);
    }
  }
  ArrayPrototypeSort(names, (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Entry[] = internalList();
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (n === 'set-cookie') {
      for (let j = 0; j < list.length; j++) if (list[j]![0] === n) listAppend(out, [n, list[j]![1]] as Entry);
    } else {
      let v: string | null = null;
      for (let j = 0; j < list.length; j++) if (list[j]![0] === n) v = v === null ? list[j]![1] : `${v}, ${list[j]![1]}`;
      listAppend(out, [n, v!] as Entry);
    }
  }
  return out;
}

/** Fetch's "fill" a Headers from HeadersInit: a sequence of pairs, a record, or another Headers. */
export function fillHeaders(h: Headers, init: unknown): void {
  if (typeof init !== 'object' || init === null) {
    if (typeof init !== 'function') throw new TypeError_('Headers init must be an object');
  }
  const o = init as Record<PropertyKey, unknown>;
  const iter = o[SymbolIterator];
  if (iter !== undefined && iter !== null) {
    if (typeof iter !== 'function') throw new TypeError_('Headers init: @@iterator is not callable');
    const pairs: unknown[][] = [];
    // WebIDL sequence<sequence<ByteString>> conversion: consume fully before mutating.
    for (const pair of { [SymbolIterator]: () => ReflectApply(iter, o, []) } as Iterable<unknown>) {
      if (typeof pair !== 'object' || pair === null) throw new TypeError_('Headers init: each pair must be a sequence');
      const inner: unknown[] = [];
      for (const x of pair as Iterable<unknown>) listAppend(inner, x);
      if (inner.length !== 2) throw new TypeError_('Headers init: each pair must have exactly two items');
      listAppend(pairs, inner);
    }
    for (let i = 0; i < pairs.length; i++) h.append(pairs[i]![0], pairs[i]![1]);
    return;
  }
  // record<ByteString, ByteString>: own enumerable string keys, in [[OwnPropertyKeys]] order.
  const keys = ReflectOwnKeys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (typeof k === 'symbol') continue;
    const d = ObjectGetOwnPropertyDescriptor(o, k);
    if (d === undefined || !d.enumerable) continue;
    h.append(k, o[k]);
  }
}

defineIterator(Headers, 'Headers Iterator', (h) => headersInternals.sortedPairs(h as Headers));

/** WebIDL conversions (§3.2) the runtime's interfaces share, written against captured builtins. */

import {
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  StringPrototypeToWellFormed,
  String_,
  TypeError_,
} from '../primordials.ts';

/** DOMString: ToString, which throws a TypeError for a Symbol (String() would not). */
export function toDOMString(v: unknown): string {
  if (typeof v === 'symbol') throw new TypeError_('Cannot convert a Symbol value to a string');
  return String_(v);
}

/** USVString: a DOMString with lone surrogates replaced by U+FFFD. */
export function toUSVString(v: unknown): string {
  return StringPrototypeToWellFormed(toDOMString(v));
}

/** WebIDL's ToNumber: throws a TypeError for a Symbol or a BigInt (Number() would convert a BigInt). */
export function toNumber(v: unknown): number {
  return +(v as number);
}

/** `[EnforceRange] unsigned long long`: an integer in [0, 2^53 - 1], else a TypeError. */
export function toEnforcedUnsignedLongLong(v: unknown, what: string): number {
  const x = toNumber(v);
  if (NumberIsNaN(x) || !NumberIsFinite(x)) throw new TypeError_(`${what} is not a finite number`);
  const n = MathTrunc(x);
  if (n < 0 || n > 9007199254740991) throw new TypeError_(`${what} is outside the accepted range`);
  return n + 0;
}

/** Throws the TypeError a binding throws when an operation gets fewer arguments than it requires. */
export function requireArgs(n: number, required: number, what: string): void {
  if (n < required) {
    throw new TypeError_(`Failed to execute '${what}': ${required} argument${required > 1 ? 's' : ''} required, but only ${n} present.`);
  }
}

/** A dictionary argument: undefined and null are empty, any other non-object is a TypeError. */
export function toDictionary(v: unknown, what: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError_(`${what}: the options argument is not an object`);
  return v as Record<string, unknown>;
}

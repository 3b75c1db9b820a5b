/** Awaiting guest values with captured promise machinery, so a patched `then` never sees runtime callbacks. */

import { PromisePrototypeThen, Promise_ } from '../primordials.ts';

/**
 * Resolves `value` (a guest value, maybe a thenable) and calls exactly one of the callbacks.
 * A guest's `then` may run, but only with the resolving functions of a fresh promise.
 */
export function settle(value: unknown, onValue: (v: unknown) => void, onError: (e: unknown) => void): void {
  let p: Promise<unknown>;
  try {
    p = new Promise_((resolve) => resolve(value));
    PromisePrototypeThen(p, onValue, onError);
  } catch (e) {
    onError(e);
  }
}

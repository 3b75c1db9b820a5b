/**
 * The runtime's platform objects (WebIDL): instances of its Web API classes. structuredClone
 * refuses them (HTML §2.7) unless their interface is serialisable, and then copies them its
 * own way. A class registers how to recognise a genuine instance, best with a private-field
 * brand check (`#x in v`), which neither the prototype chain nor Symbol.toStringTag can fake:
 *
 *   static {
 *     registerPlatformClass(this, (v) => #state in v);
 *   }
 *
 * Every interface the runtime installs as a global (globals.ts) that has not registered gets
 * a check by prototype chain, so no class is cloned as a plain object for want of a line here.
 */

import { ObjectGetPrototypeOf, WeakSetPrototypeAdd, WeakSetPrototypeHas, WeakSet_, internalList, listAppend } from '../primordials.ts';

/** How structuredClone copies an instance of a serialisable interface. */
export type PlatformClone = (v: object) => object;

interface PlatformClass {
  isInstance(v: object): boolean;
  clone: PlatformClone | undefined;
}

const classes = internalList<PlatformClass>();
const registered = new WeakSet_<Function>();
// Prototypes of the classes recognised by prototype chain (none of them serialisable).
const fallbackPrototypes = new WeakSet_<object>();

/** Registers class `cls`: `isInstance` tells its genuine instances; `clone` makes the interface serialisable. */
export function registerPlatformClass(cls: Function, isInstance: (v: object) => boolean, clone?: PlatformClone): void {
  WeakSetPrototypeAdd(registered, cls);
  registerPlatformObjects(isInstance, clone);
}

/** Registers a brand check that covers several classes (or classes a lazy module has yet to make). */
export function registerPlatformObjects(isInstance: (v: object) => boolean, clone?: PlatformClone): void {
  listAppend(classes, { isInstance, clone });
}

/** Recognises instances of `cls` by prototype chain unless it registered a check of its own (see globals.ts). */
export function ensurePlatformClass(cls: Function): void {
  if (!WeakSetPrototypeHas(registered, cls)) WeakSetPrototypeAdd(fallbackPrototypes, cls.prototype as object);
}

/**
 * Whether `v` is a platform object: undefined if not, else how to clone it (null when its
 * interface is not serialisable). `v` must not be a Proxy (its getPrototypeOf trap would run).
 */
export function platformObjectClone(v: object): PlatformClone | null | undefined {
  // Latest first: a subclass registers after its base, and its own clone must win.
  for (let i = classes.length - 1; i >= 0; i--) {
    const c = classes[i]!;
    if (c.isInstance(v)) return c.clone ?? null;
  }
  for (let p = ObjectGetPrototypeOf(v); p !== null; p = ObjectGetPrototypeOf(p)) {
    if (WeakSetPrototypeHas(fallbackPrototypes, p)) return null;
  }
  return undefined;
}

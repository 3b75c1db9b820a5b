/** Installs the Web API globals the way WebIDL does: writable, configurable, non-enumerable. */

import {
  ObjectDefineProperty,
  ObjectSetPrototypeOf,
  PromisePrototypeThen,
  ObjectGetOwnPropertyNames,
  ReflectGetOwnPropertyDescriptor,
  SymbolToStringTag,
  dataDescriptor,
  setFunctionName,
  WeakSet_,
} from './primordials.ts';
import { lazyModule, shareWithLazyModules } from './lazy.ts';
import { installProxyTracking } from './proxy-tracking.ts';
import { atob, btoa } from './web/base64.ts';
import { installClock } from './web/clock.ts';
import { createConsole } from './web/console.ts';
import { fetch } from './web/fetch.ts';
import { Crypto, setSubtleLoader } from './web/crypto.ts';
import { DOMException } from './web/dom-exception.ts';
import { TextDecoder, TextEncoder } from './web/encoding.ts';
import { eventsInterfaces, isEventsPlatformObject } from './web/events-api.ts';
import { formInterfaces } from './web/form-api.ts';
import { Headers } from './web/headers.ts';
import { kit } from './web/kit.ts';
import { Navigator, createNavigator } from './web/navigator.ts';
import { Performance, createPerformance } from './web/performance.ts';
import { ensurePlatformClass, registerPlatformObjects } from './web/platform-objects.ts';
import { Request } from './web/request.ts';
import { Response } from './web/response.ts';
import { streams } from './web/streams.ts';
import { structuredClone } from './web/structured-clone.ts';
import { timerGlobals } from './web/timers.ts';
import { URL, URLSearchParams } from './web/url-classes.ts';

const INTERFACES: Record<string, Function> = {
  DOMException,
  Headers,
  Navigator,
  Performance,
  Request,
  Response,
  TextDecoder,
  TextEncoder,
  Crypto,
  URL,
  URLSearchParams,
};

/** The interfaces of the lazy module `streams` (see web/streams.ts). */
const STREAM_INTERFACES = [
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamDefaultController',
  'ReadableByteStreamController', 'ReadableStreamBYOBRequest', 'WritableStream', 'WritableStreamDefaultWriter',
  'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
];

/** Adds the globals to `g` (the isolate's global object). */
export function installGlobals(g: object): void {
  installProxyTracking(g);
  installClock(g as { Date: DateConstructor });
  const names = ObjectGetOwnPropertyNames(INTERFACES);
  for (let i = 0; i < names.length; i++) installInterface(g, names[i]!, INTERFACES[names[i]!]!);
  defineLazyInterfaces(g, STREAM_INTERFACES, () => streams() as unknown as Record<string, Function>);
  const fns: Record<string, Function> = {
    atob,
    btoa,
    structuredClone,
    fetch,
    queueMicrotask: (cb: unknown) => {
      if (typeof cb !== 'function') throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
      queueMicrotaskImpl(cb as () => void);
    },
    ...timerGlobals,
  };
  const fnNames = ObjectGetOwnPropertyNames(fns);
  for (let i = 0; i < fnNames.length; i++) {
    const name = fnNames[i]!;
    ObjectDefineProperty(g, name, dataDescriptor(setFunctionName(fns[name]!, name), false, true, true));
  }
  ObjectDefineProperty(g, 'console', dataDescriptor(createConsole(), false, true, true));
  ObjectDefineProperty(g, 'crypto', dataDescriptor(new Crypto(), false, true, true));
  const subtle = defineLazyInterfaces(g, ['CryptoKey', 'SubtleCrypto'], () => lazyModule('subtle') as typeof import('./web/subtle.ts'));
  setSubtleLoader(() => subtle().subtle());
  ObjectDefineProperty(g, 'performance', dataDescriptor(createPerformance(), false, true, true));
  ObjectDefineProperty(g, 'navigator', dataDescriptor(createNavigator(), false, true, true));
  ObjectDefineProperty(g, 'self', dataDescriptor(g, false, true, true));
  shareWithLazyModules('web/kit', kit);
  defineLazyInterfaces(g, ['AbortController', 'AbortSignal', 'CustomEvent', 'Event', 'EventTarget'], eventsInterfaces);
  registerPlatformObjects(isEventsPlatformObject);
  defineLazyInterfaces(g, ['Blob', 'File', 'FormData'], formInterfaces);
  defineLazyInterfaces(g, ['URLPattern'], () => ({ URLPattern: (lazyModule('urlpattern') as { URLPattern: Function }).URLPattern }));
}

/** Installs class `cls` as global interface `name` the way WebIDL does. */
export function installInterface(g: object, name: string, cls: Function): void {
  prepareInterface(name, cls);
  ObjectDefineProperty(g, name, dataDescriptor(cls, false, true, true));
}

/**
 * Gives class `cls` what WebIDL gives interface `name`: its toStringTag, enumerable members,
 * its name; and makes its instances platform objects for structuredClone.
 */
function prepareInterface(name: string, cls: Function): void {
  ensurePlatformClass(cls);
  ObjectDefineProperty(cls.prototype, SymbolToStringTag, dataDescriptor(name, false, false, true));
  // Methods defined by the class syntax are already writable, non-enumerable; WebIDL makes them enumerable.
  makeMembersEnumerable(cls.prototype);
  makeMembersEnumerable(cls);
  setFunctionName(cls, name);
}

/**
 * Globals whose code is a lazy module (see lazy.ts): each name starts as an accessor that,
 * on first access, calls `load` (which evaluates the module) and replaces every one of
 * `names` with its WebIDL data property. Assigning to one first just replaces it, as
 * assigning to a writable global would. `load` returns the module's exports, the
 * interfaces by name among them. Returns a function that does the same (once) and returns
 * the exports, for the module's other ways in (`crypto.subtle`).
 */
export function defineLazyInterfaces<T extends object>(g: object, names: string[], load: () => T): () => T {
  let exports: T | undefined;
  const installAll = (): T => {
    if (exports !== undefined) return exports;
    exports = load();
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const cls = (exports as Record<string, Function>)[name]!;
      prepareInterface(name, cls);
      const d = ReflectGetOwnPropertyDescriptor(g, name);
      // Only names still holding their lazy accessor: a guest may have replaced or deleted others.
      if (d !== undefined && d.get !== undefined && accessors.has(d.get)) ObjectDefineProperty(g, name, dataDescriptor(cls, false, true, true));
    }
    return exports;
  };
  const accessors = new WeakSet_<Function>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const get = function () {
      installAll();
      return (g as Record<string, unknown>)[name];
    };
    const set = function (v: unknown) {
      ObjectDefineProperty(g, name, dataDescriptor(v, false, true, true));
    };
    accessors.add(get);
    ObjectDefineProperty(g, name, { get, set, enumerable: false, configurable: true });
  }
  return installAll;
}

function makeMembersEnumerable(proto: object): void {
  const keys = ObjectGetOwnPropertyNames(proto);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    // The interface object's own length, name and prototype stay as they are.
    if (k === 'constructor' || k === 'length' || k === 'name' || k === 'prototype') continue;
    const d = ReflectGetOwnPropertyDescriptor(proto, k)!;
    d.enumerable = true;
    // Lazy interfaces are installed after guest code ran: a `get` it put on Object.prototype must not join the descriptor.
    ObjectSetPrototypeOf(d, null);
    ObjectDefineProperty(proto, k, d);
  }
}

// V8 provides no queueMicrotask without a host; a resolved promise's reaction is a microtask.
const resolved = Promise.resolve();

function queueMicrotaskImpl(cb: () => void): void {
  PromisePrototypeThen(resolved, () => cb());
}

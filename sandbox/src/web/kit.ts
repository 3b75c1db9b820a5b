/**
 * What the lazy modules built from the runtime's own sources (web/events/, web/form/) take
 * from the boot script, and the only module they may import from outside their folder
 * (sandbox/build.ts enforces that): builtins captured at boot, before any guest code ran,
 * and the runtime's helpers and state. It holds nothing that would hurt if a guest ever
 * got hold of it: no host bridge, only functions and classes.
 *
 * Those files import these names (typed, and as they are in unit tests); in an isolate the
 * lazy modules get them as the object kit() builds when the first of them loads, not as a
 * module namespace, whose getters every isolate would carry from boot on.
 * test/unit/sandbox/blob-formdata.test.ts checks that the two lists agree.
 */
import { host } from '../host.ts';
import { errorResult } from '../invoke/errors.ts';
import {
  ArrayBufferIsView,
  ArrayPrototypeIndexOf,
  ArrayPrototypeSplice,
  MathFloor,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  NumberPrototypeToString,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectPrototypeHasOwn,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  Set_,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  WeakRefPrototypeDeref,
  WeakRef_,
  dataDescriptor,
  internalList,
  listAppend,
  setFunctionName,
} from '../primordials.ts';
import { bytesOfBufferSource, concatBytes, isArrayBuffer, toArrayBuffer } from './buffer-source.ts';
import { clockNow, performanceNow } from './clock.ts';
import { DOMException, domException } from './dom-exception.ts';
import { registerEventsModule } from './events-api.ts';
import { blobStream, registerFormModule } from './form-api.ts';
import { asciiLowercase, isToken, trimHttpWhitespace } from './infra.ts';
import { registerPlatformClass } from './platform-objects.ts';
import { defineIterator } from './iteration.ts';
import { setRuntimeTimer } from './timers.ts';
import { formParse } from './url-classes.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';
import { requireArgs, toDictionary, toDOMString, toEnforcedUnsignedLongLong, toNumber, toUSVString } from './webidl.ts';

/** `n` random bytes from the host (multipart boundaries). */
export function randomBytes(n: number): Uint8Array {
  return new Uint8Array_(host.randomBytes(n));
}

/** HTML's "report an exception" (a listener threw): the caller carries on; the error goes to the function's log. */
export function reportException(e: unknown): void {
  try {
    host.log('error', `Uncaught ${errorResult(e).stack}`);
  } catch {
    // logging is best effort
  }
}

export {
  ArrayBufferIsView,
  ArrayPrototypeIndexOf,
  ArrayPrototypeSplice,
  MathFloor,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  NumberPrototypeToString,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectPrototypeHasOwn,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  Set_,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  WeakRefPrototypeDeref,
  WeakRef_,
  dataDescriptor,
  internalList,
  listAppend,
  setFunctionName,
  bytesOfBufferSource,
  concatBytes,
  isArrayBuffer,
  toArrayBuffer,
  clockNow,
  performanceNow,
  DOMException,
  domException,
  registerEventsModule,
  blobStream,
  registerFormModule,
  registerPlatformClass,
  asciiLowercase,
  isToken,
  trimHttpWhitespace,
  defineIterator,
  setRuntimeTimer,
  formParse,
  utf8Decode,
  utf8Encode,
  requireArgs,
  toDictionary,
  toDOMString,
  toEnforcedUnsignedLongLong,
  toNumber,
  toUSVString,
};

let made: Record<string, unknown> | null = null;

/**
 * The exports above as one frozen object without a prototype, for lazy modules'
 * `require('atoll:web/kit')`; made once, on the first lazy load. Spelled out a second time
 * on purpose: `import * as` this module would make the bundle build its namespace object at
 * boot, in every isolate, whether a lazy module ever loads or not (~20 KB of heap each).
 */
export function kit(): Record<string, unknown> {
  return (made ??= ObjectFreeze({
    __proto__: null,
    ArrayBufferIsView,
    ArrayPrototypeIndexOf,
    ArrayPrototypeSplice,
    MathFloor,
    MathMax,
    MathMin,
    MathTrunc,
    NumberIsFinite,
    NumberIsNaN,
    NumberPrototypeToString,
    ObjectCreate,
    ObjectDefineProperty,
    ObjectPrototypeHasOwn,
    PromiseReject,
    PromiseResolve,
    ReflectApply,
    SetPrototypeAdd,
    SetPrototypeDelete,
    SetPrototypeForEach,
    SetPrototypeGetSize,
    Set_,
    StringPrototypeCharCodeAt,
    StringPrototypeIndexOf,
    StringPrototypeSlice,
    SymbolIterator,
    TypeError_,
    TypedArrayPrototypeGetByteLength,
    TypedArrayPrototypeIndexOf,
    TypedArrayPrototypeSubarray,
    Uint8Array_,
    WeakRefPrototypeDeref,
    WeakRef_,
    dataDescriptor,
    internalList,
    listAppend,
    setFunctionName,
    bytesOfBufferSource,
    concatBytes,
    isArrayBuffer,
    toArrayBuffer,
    clockNow,
    performanceNow,
    DOMException,
    domException,
    registerEventsModule,
    blobStream,
    registerFormModule,
    registerPlatformClass,
    asciiLowercase,
    isToken,
    trimHttpWhitespace,
    defineIterator,
    setRuntimeTimer,
    formParse,
    utf8Decode,
    utf8Encode,
    requireArgs,
    toDictionary,
    toDOMString,
    toEnforcedUnsignedLongLong,
    toNumber,
    toUSVString,
    randomBytes,
    reportException,
  } as Record<string, unknown>));
}

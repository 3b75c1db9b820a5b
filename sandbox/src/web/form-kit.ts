/**
 * What the lazy module `form` (form/) takes from the boot script, and the only module it
 * may import from outside its folder (sandbox/build.ts enforces that): builtins captured
 * at boot, before any guest code ran, and the runtime's helpers and state. A module of its
 * own so that the boot script carries the names of just these exports. It holds nothing
 * that would hurt if a guest ever got hold of it: no host bridge, only functions.
 */
import { host } from '../host.ts';
import { Uint8Array_ } from '../primordials.ts';

/** `n` random bytes from the host (multipart boundaries). */
export function randomBytes(n: number): Uint8Array {
  return new Uint8Array_(host.randomBytes(n));
}

export {
  ArrayBufferIsView,
  MathFloor,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  NumberPrototypeToString,
  ObjectCreate,
  ObjectPrototypeHasOwn,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  internalList,
  listAppend,
} from '../primordials.ts';
export { bytesOfBufferSource, isArrayBuffer, toArrayBuffer } from './buffer-source.ts';
export { clockNow } from './clock.ts';
export { blobStream, registerFormModule } from './form-api.ts';
export { asciiLowercase, isToken, trimHttpWhitespace } from './infra.ts';
export { defineIterator } from './iteration.ts';
export { formParse } from './url-classes.ts';
export { utf8Decode, utf8Encode } from './utf8.ts';
export { requireArgs, toDictionary, toDOMString, toNumber, toUSVString } from './webidl.ts';

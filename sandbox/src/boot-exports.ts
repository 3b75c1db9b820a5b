/**
 * What lazy modules take from the boot script (`require('atoll:boot')`, see lazy.ts and
 * sandbox/build.ts): captured builtins and runtime services. A lazy module never bundles
 * its own copy of primordials.ts: evaluated after guest code has run, it would capture
 * whatever the guest patched. Only what some lazy module uses is listed, to keep boot small.
 */
export { callHostWith } from './host-calls.ts';
export {
  ArrayBufferIsView,
  ArrayPrototypeIndexOf,
  ObjectCreate,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectKeys,
  ObjectPrototypeHasOwn,
  Promise_,
  ReflectApply,
  StringPrototypeCharCodeAt,
  String_,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetSymbolToStringTag,
  Uint16Array_,
  Uint8Array_,
  dataDescriptor,
  listAppend,
} from './primordials.ts';
export { bytesOfBufferSource, isArrayBuffer } from './web/buffer-source.ts';
export { registerPlatformClass } from './web/platform-objects.ts';

/**
 * Builtins captured before any guest code runs. Guest code shares the context with the
 * runtime and may patch prototypes, globals and well-known symbols; everything the
 * runtime relies on after boot goes through these copies (the idea of Node's
 * lib/internal/per_context/primordials.js, trimmed to what Atoll uses).
 */

const { apply: ReflectApplyRaw, bind: FunctionBind, call: FunctionCall } = {
  apply: Reflect.apply,
  bind: Function.prototype.bind,
  call: Function.prototype.call,
};

/** Turns `proto.method` into `fn(thisArg, ...args)` immune to later patching. */
export const uncurryThis: <T extends (...args: any[]) => any>(
  fn: T,
) => (self: unknown, ...args: Parameters<T>) => ReturnType<T> = ReflectApplyRaw(FunctionBind, FunctionBind, [
  FunctionCall,
]) as never;

function getter(proto: object, name: PropertyKey): (self: unknown) => any {
  return uncurryThis(Reflect.getOwnPropertyDescriptor(proto, name)!.get!);
}

export const ReflectApply = Reflect.apply;
export const ReflectConstruct = Reflect.construct;
export const ReflectGetPrototypeOf = Reflect.getPrototypeOf;
export const ReflectOwnKeys = Reflect.ownKeys;
export const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
export const ReflectDefineProperty = Reflect.defineProperty;

export const ObjectFreeze = Object.freeze;
export const ObjectCreate = Object.create;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectDefineProperties = Object.defineProperties;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectKeys = Object.keys;
export const ObjectIs = Object.is;
export const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
export const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ObjectPrototypeHasOwnProperty = uncurryThis(Object.prototype.hasOwnProperty);
export const ObjectPrototypeToString = uncurryThis(Object.prototype.toString);
export const ObjectPrototype = Object.prototype;

export const ArrayIsArray = Array.isArray;
export const Array_ = Array;
export const ArrayPrototype = Array.prototype;
export const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
export const ArrayPrototypeSort = uncurryThis(Array.prototype.sort);
export const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf);
export const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice);

export const StringFromCharCode = String.fromCharCode;
export const StringFromCodePoint = String.fromCodePoint;
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
export const StringPrototypeCodePointAt = uncurryThis(String.prototype.codePointAt);
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const StringPrototypeToUpperCase = uncurryThis(String.prototype.toUpperCase);
export const StringPrototypeToWellFormed = uncurryThis(
  (String.prototype as unknown as { toWellFormed(): string }).toWellFormed,
);
export const StringPrototypeRepeat = uncurryThis(String.prototype.repeat);
export const StringPrototypeSplit = uncurryThis(String.prototype.split as (sep: string) => string[]);
export const StringPrototypePadStart = uncurryThis(String.prototype.padStart);
export const String_ = String;

export const NumberPrototypeToString = uncurryThis(Number.prototype.toString);
export const NumberPrototypeValueOf = uncurryThis(Number.prototype.valueOf);
export const BooleanPrototypeValueOf = uncurryThis(Boolean.prototype.valueOf);
export const StringPrototypeValueOf = uncurryThis(String.prototype.valueOf);
export const BigIntPrototypeValueOf = uncurryThis(BigInt.prototype.valueOf);
export const Object_ = Object;
export const NumberIsInteger = Number.isInteger;
export const NumberIsNaN = Number.isNaN;
export const NumberIsFinite = Number.isFinite;
export const MathFloor = Math.floor;
export const MathMin = Math.min;
export const MathMax = Math.max;
export const MathTrunc = Math.trunc;
export const Number_ = Number;

export const JSONParse = JSON.parse;
export const JSONStringify = JSON.stringify;

export const Error_ = Error;
export const TypeError_ = TypeError;
export const RangeError_ = RangeError;
export const SyntaxError_ = SyntaxError;
export const ErrorCaptureStackTrace = (Error as unknown as { captureStackTrace?: (o: object) => void })
  .captureStackTrace;

export const Promise_ = Promise;
export const PromisePrototypeThen = uncurryThis(Promise.prototype.then);
export const PromiseResolve = (v: unknown): Promise<unknown> => new Promise_((r) => r(v));
export const PromiseReject = (e: unknown): Promise<never> => new Promise_((_, r) => r(e));

export const ArrayBuffer_ = ArrayBuffer;
export const ArrayBufferIsView = ArrayBuffer.isView;
export const ArrayBufferPrototypeGetByteLength = getter(ArrayBuffer.prototype, 'byteLength');
export const ArrayBufferPrototypeSlice = uncurryThis(ArrayBuffer.prototype.slice);
// ES2024 members the ES2022 lib does not type.
type ArrayBuffer2024 = ArrayBuffer & { transfer(newLength?: number): ArrayBuffer; readonly detached: boolean; readonly resizable: boolean; readonly maxByteLength: number };
export const ArrayBufferPrototypeTransfer = uncurryThis((ArrayBuffer.prototype as ArrayBuffer2024).transfer);
export const ArrayBufferPrototypeGetDetached: (self: unknown) => boolean = getter(ArrayBuffer.prototype, 'detached');
export const ArrayBufferPrototypeGetResizable: (self: unknown) => boolean = getter(ArrayBuffer.prototype, 'resizable');
export const ArrayBufferPrototypeGetMaxByteLength: (self: unknown) => number = getter(ArrayBuffer.prototype, 'maxByteLength');
export const SharedArrayBuffer_ = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : undefined;
export const Uint8Array_ = Uint8Array;
export const Uint16Array_ = Uint16Array;
export const DataView_ = DataView;
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype) as object;
export const TypedArray = ObjectGetPrototypeOf(Uint8Array) as Function;
export const TypedArrayPrototypeGetBuffer = getter(TypedArrayPrototype, 'buffer');
export const TypedArrayPrototypeGetByteLength = getter(TypedArrayPrototype, 'byteLength');
export const TypedArrayPrototypeGetByteOffset = getter(TypedArrayPrototype, 'byteOffset');
export const TypedArrayPrototypeGetLength = getter(TypedArrayPrototype, 'length');
export const TypedArrayPrototypeGetSymbolToStringTag = getter(TypedArrayPrototype, Symbol.toStringTag);
export const TypedArrayPrototypeSet = uncurryThis((TypedArrayPrototype as Uint8Array).set);
export const TypedArrayPrototypeSubarray = uncurryThis((TypedArrayPrototype as Uint8Array).subarray);
export const TypedArrayPrototypeIndexOf = uncurryThis((TypedArrayPrototype as Uint8Array).indexOf);
export const DataViewPrototypeGetBuffer = getter(DataView.prototype, 'buffer');
export const DataViewPrototypeGetByteLength = getter(DataView.prototype, 'byteLength');
export const DataViewPrototypeGetByteOffset = getter(DataView.prototype, 'byteOffset');

export const Map_ = Map;
export const MapPrototypeGet = uncurryThis(Map.prototype.get);
export const MapPrototypeSet = uncurryThis(Map.prototype.set);
export const MapPrototypeHas = uncurryThis(Map.prototype.has);
export const MapPrototypeDelete = uncurryThis(Map.prototype.delete);
export const MapPrototypeForEach = uncurryThis(Map.prototype.forEach);
export const MapPrototypeGetSize = getter(Map.prototype, 'size');
export const Set_ = Set;
export const SetPrototypeAdd = uncurryThis(Set.prototype.add);
export const SetPrototypeHas = uncurryThis(Set.prototype.has);
export const SetPrototypeForEach = uncurryThis(Set.prototype.forEach);
export const SetPrototypeGetSize = getter(Set.prototype, 'size');
export const SetPrototypeDelete = uncurryThis(Set.prototype.delete);
export const WeakMap_ = WeakMap;
export const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get);
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set);
export const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has);
export const WeakMapPrototypeDelete = uncurryThis(WeakMap.prototype.delete);
export const WeakSet_ = WeakSet;
export const WeakSetPrototypeAdd = uncurryThis(WeakSet.prototype.add);
export const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has);
export const WeakRef_ = WeakRef;
export const WeakRefPrototypeDeref = uncurryThis(WeakRef.prototype.deref);

export const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
export const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
export const Date_ = Date;
export const DatePrototypeToString = uncurryThis(Date.prototype.toString);
export const DateNow = Date.now;
export const RegExp_ = RegExp;
export const RegExpPrototypeGetSource = getter(RegExp.prototype, 'source');
export const RegExpPrototypeGetFlags = getter(RegExp.prototype, 'flags');
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const SymbolIterator: typeof Symbol.iterator = Symbol.iterator;
export const SymbolToStringTag: typeof Symbol.toStringTag = Symbol.toStringTag;
export const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
export const SymbolFor = Symbol.for;
export const Symbol_ = Symbol;
export const FunctionPrototype = Function.prototype;
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);
export const FunctionPrototypeBind = uncurryThis(Function.prototype.bind);
export const Proxy_ = Proxy;
export const ProxyRevocable = Proxy.revocable;
export const globalThis_ = globalThis;
/** The global `eval`; called through this binding it is an indirect eval (global scope). */
export const GlobalEval: (source: string) => unknown = globalThis.eval;

const appendDescriptor = { __proto__: null, value: undefined, writable: true, enumerable: true, configurable: true } as PropertyDescriptor;

/**
 * The class of `internalList`'s arrays. Its prototype's own prototype is null, so nothing a
 * guest puts on `Array.prototype` or `Object.prototype` is ever reached through a list.
 * Made with `new` because setting the prototype of each fresh array is a runtime call and
 * a map transition in V8, about 7x slower, and the runtime makes several lists per request.
 */
class InternalList<T> extends Array<T> {}
const InternalListPrototype = InternalList.prototype;
ObjectSetPrototypeOf(InternalListPrototype, null);
// Array methods applied to a list make plain arrays, as for an array without a prototype,
// instead of asking the Array[Symbol.species] a guest can redefine.
ObjectDefineProperty(InternalList, Symbol.species, { __proto__: null, value: undefined } as PropertyDescriptor);

/**
 * Appends without `push`: `push` performs [[Set]], which runs a setter a guest defined
 * on `Array.prototype[n]`. A list from `internalList` does not inherit from
 * `Array.prototype`, so a plain store is safe (and about 20x cheaper than defining the
 * property).
 */
export function listAppend<T>(list: T[], value: T): void {
  if (ObjectGetPrototypeOf(list) === InternalListPrototype) {
    list[list.length] = value;
    return;
  }
  appendDescriptor.value = value;
  ObjectDefineProperty(list, list.length, appendDescriptor);
  appendDescriptor.value = undefined;
}

/** An array that inherits nothing, for lists guest code never sees (or that only cross to the host). */
export function internalList<T>(): T[] {
  return new InternalList<T>();
}

/** A plain array built safely from values (see listAppend). */
export function safeList<T>(...values: T[]): T[] {
  return values;
}

/** A property descriptor without a prototype, so a guest's `Object.prototype.get` can't turn it into an accessor. */
export function dataDescriptor(value: unknown, enumerable = false, writable = false, configurable = false) {
  return { __proto__: null, value, enumerable, writable, configurable } as PropertyDescriptor;
}

/**
 * Gives `fn` its source name back as its own `name` (what V8's stack traces show too): the
 * bundle's identifiers are minified (see sandbox/build.ts). For functions a guest can see
 * or that appear in a guest's stack traces.
 */
export function setFunctionName<T extends Function>(fn: T, name: string): T {
  ObjectDefineProperty(fn, 'name', dataDescriptor(name, false, false, true));
  return fn;
}

const decodeURIComponent_ = decodeURIComponent;
/** decodeURIComponent that returns its input unchanged on malformed escapes. */
export function safeDecodeURIComponent(s: string): string {
  try {
    return decodeURIComponent_(s);
  } catch {
    return s;
  }
}
export const ObjectPrototypeHasOwn = Object.hasOwn;

/** V8's own `stack` accessor on error objects (Node 24 / V8 13 define it per instance); calling it runs no guest code. */
export const ErrorStackGetter: Function | undefined = (Reflect.getOwnPropertyDescriptor(new Error(), 'stack') ?? {}).get;

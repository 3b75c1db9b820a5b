/** structuredClone (HTML §2.7): serialise-and-deserialise in one pass, preserving cycles and shared references. */

import {
  ArrayBufferPrototypeSlice,
  ArrayIsArray,
  DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset,
  DataView_,
  DatePrototypeGetTime,
  Date_,
  Map_,
  MapPrototypeForEach,
  MapPrototypeGet,
  MapPrototypeSet,
  ObjectDefineProperty,
  ObjectPrototypeToString,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  RegExpPrototypeGetFlags,
  RegExpPrototypeGetSource,
  RegExp_,
  SetPrototypeAdd,
  SetPrototypeForEach,
  Set_,
  String_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeGetSymbolToStringTag,
  dataDescriptor,
  listAppend,
  ArrayBufferPrototypeGetByteLength,
} from '../primordials.ts';
import { isArrayBuffer } from './buffer-source.ts';
import { DOMException, domException, domExceptionFields } from './dom-exception.ts';

const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];
const ERROR_CTORS: Record<string, ErrorConstructor> = {
  __proto__: null as never,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};
const TYPED: Record<string, new (b: ArrayBuffer, o: number, l: number) => unknown> = {
  __proto__: null as never,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
const UNCLONEABLE_TAGS = ['[object Promise]', '[object WeakMap]', '[object WeakSet]', '[object WeakRef]', '[object FinalizationRegistry]', '[object SharedArrayBuffer]', '[object Generator]', '[object AsyncGenerator]'];

/** Deep-copies `value` as structuredClone does; throws DataCloneError for uncloneable values. */
export function structuredClone(value: unknown, options: { transfer?: unknown[] } | undefined = undefined): unknown {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  const transfer = options?.transfer;
  if (transfer !== undefined && (!ArrayIsArray(transfer) || transfer.length > 0)) {
    throw domException('DataCloneError', 'structuredClone: the transfer option is not supported');
  }
  return clone(value, new Map_());
}

function uncloneable(what: string): DOMException {
  return domException('DataCloneError', `${what} could not be cloned.`);
}

function clone(v: unknown, memory: Map<object, unknown>): unknown {
  if (typeof v === 'symbol') throw uncloneable(String_(v.description === undefined ? 'Symbol()' : `Symbol(${v.description})`));
  if (typeof v === 'function') throw uncloneable('function');
  if (typeof v !== 'object' || v === null) return v;
  const seen = MapPrototypeGet(memory, v);
  if (seen !== undefined) return seen;
  const tag = ObjectPrototypeToString(v);

  switch (tag) {
    case '[object Boolean]':
    case '[object Number]':
    case '[object String]':
    case '[object BigInt]': {
      const out = Object((v as { valueOf(): unknown }).valueOf.call(v));
      MapPrototypeSet(memory, v, out);
      return out;
    }
    case '[object Date]': {
      const out = new Date_(DatePrototypeGetTime(v as Date));
      MapPrototypeSet(memory, v, out);
      return out;
    }
    case '[object RegExp]': {
      const out = new RegExp_(RegExpPrototypeGetSource(v), RegExpPrototypeGetFlags(v));
      MapPrototypeSet(memory, v, out);
      return out;
    }
  }
  if (isArrayBuffer(v)) {
    const out = ArrayBufferPrototypeSlice(v, 0, ArrayBufferPrototypeGetByteLength(v));
    MapPrototypeSet(memory, v, out);
    return out;
  }
  const ta = TypedArrayPrototypeGetSymbolToStringTag(v);
  if (ta !== undefined) {
    const buf = clone(TypedArrayPrototypeGetBuffer(v), memory) as ArrayBuffer;
    const out = new TYPED[ta]!(buf, TypedArrayPrototypeGetByteOffset(v), TypedArrayPrototypeGetLength(v));
    MapPrototypeSet(memory, v, out);
    return out;
  }
  if (tag === '[object DataView]') {
    const buf = clone(DataViewPrototypeGetBuffer(v as DataView), memory) as ArrayBuffer;
    const out = new DataView_(buf, DataViewPrototypeGetByteOffset(v as DataView), DataViewPrototypeGetByteLength(v as DataView));
    MapPrototypeSet(memory, v, out);
    return out;
  }
  if (tag === '[object Map]') {
    const out = new Map_();
    MapPrototypeSet(memory, v, out);
    const entries: unknown[][] = [];
    MapPrototypeForEach(v as Map<unknown, unknown>, (val, key) => listAppend(entries, [key, val]));
    for (let i = 0; i < entries.length; i++) MapPrototypeSet(out, clone(entries[i]![0], memory), clone(entries[i]![1], memory));
    return out;
  }
  if (tag === '[object Set]') {
    const out = new Set_();
    MapPrototypeSet(memory, v, out);
    const items: unknown[] = [];
    SetPrototypeForEach(v as Set<unknown>, (val) => listAppend(items, val));
    for (let i = 0; i < items.length; i++) SetPrototypeAdd(out, clone(items[i], memory));
    return out;
  }
  // DOMException is [Serializable]: its name and message make a new one.
  const dom = domExceptionFields(v);
  if (dom !== null) {
    const out = new DOMException(dom.message, dom.name);
    MapPrototypeSet(memory, v, out);
    return out;
  }
  if (tag === '[object Error]') return cloneError(v, memory);
  if (ArrayIsArray(v)) {
    const out = new Array(v.length);
    MapPrototypeSet(memory, v, out);
    copyOwn(v, out, memory);
    return out;
  }
  // Other objects with internal slots are not serialisable; ordinary objects (class instances
  // included) clone as plain objects, losing their prototype, as the spec says.
  if (UNCLONEABLE_TAGS.includes(tag) || isPlatformObject(v)) throw uncloneable(describe(v));
  const out = {};
  MapPrototypeSet(memory, v, out);
  copyOwn(v, out, memory);
  return out;
}

/** Copies own enumerable string-keyed properties, reading each with [[Get]] as the spec does. */
function copyOwn(from: object, to: object, memory: Map<object, unknown>): void {
  const keys = ReflectOwnKeys(from);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (typeof k === 'symbol') continue;
    const d = ReflectGetOwnPropertyDescriptor(from, k);
    if (d === undefined || !d.enumerable) continue;
    const val = (from as Record<string, unknown>)[k];
    ObjectDefineProperty(to, k, dataDescriptor(clone(val, memory), true, true, true));
  }
}

function cloneError(v: object, memory: Map<object, unknown>): Error {
  const rawName = (v as Error).name;
  const name = typeof rawName === 'string' && ERROR_NAMES.includes(rawName) ? rawName : 'Error';
  const d = ReflectGetOwnPropertyDescriptor(v, 'message');
  const out = new ERROR_CTORS[name]!();
  MapPrototypeSet(memory, v, out);
  if (d !== undefined) ObjectDefineProperty(out, 'message', dataDescriptor(String_((v as Error).message), false, true, true));
  const stack = (v as Error).stack;
  if (typeof stack === 'string') ObjectDefineProperty(out, 'stack', dataDescriptor(stack, false, true, true));
  const cause = ReflectGetOwnPropertyDescriptor(v, 'cause');
  if (cause !== undefined) ObjectDefineProperty(out, 'cause', dataDescriptor(clone((v as Error).cause, memory), false, true, true));
  return out;
}

// Web API objects of this runtime carry private state that a copy would lose: not serialisable.
let platformCheck: (v: object) => boolean = () => false;
/** Registers the test for runtime platform objects (Headers, Request, ...), which are not cloneable. */
export function setPlatformObjectCheck(check: (v: object) => boolean): void {
  platformCheck = check;
}
function isPlatformObject(v: object): boolean {
  return platformCheck(v);
}

function describe(v: object): string {
  const tag = ObjectPrototypeToString(v);
  return tag === '[object Object]' ? '#<Object>' : tag;
}
void DOMException;

/**
 * structuredClone (HTML §2.7): serialise-and-deserialise in one pass, preserving cycles and
 * shared references; `transfer` moves ArrayBuffers.
 *
 * One pass means the clone of a transferred buffer exists while the rest is still being
 * read (a view of it may come later and needs its offset, which detaching would zero), so
 * a transferred buffer is copied like any other and detached once the clone is complete:
 * what a guest can observe is the spec's, the memory peak is twice the buffer's size.
 */

import {
  ArrayBufferPrototypeGetByteLength,
  ArrayBufferPrototypeGetDetached,
  ArrayBufferPrototypeGetMaxByteLength,
  ArrayBufferPrototypeGetResizable,
  ArrayBufferPrototypeSlice,
  ArrayBufferPrototypeTransfer,
  ArrayBuffer_,
  ArrayIsArray,
  Array_,
  BigIntPrototypeValueOf,
  BooleanPrototypeValueOf,
  DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset,
  DataView_,
  DatePrototypeGetTime,
  Date_,
  Map_,
  MapPrototypeForEach,
  MapPrototypeGet,
  MapPrototypeHas,
  MapPrototypeSet,
  NumberPrototypeValueOf,
  ObjectDefineProperty,
  ObjectPrototypeToString,
  Object_,
  ReflectApply,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  RegExpPrototypeGetFlags,
  RegExpPrototypeGetSource,
  RegExp_,
  SetPrototypeAdd,
  SetPrototypeForEach,
  Set_,
  StringPrototypeValueOf,
  String_,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSet,
  Uint8Array_,
  dataDescriptor,
  internalList,
  listAppend,
} from '../primordials.ts';
import { isProxy } from '../proxy-tracking.ts';
import { isArrayBuffer } from './buffer-source.ts';
import { DOMException, domException, domExceptionFields } from './dom-exception.ts';
import { platformObjectClone, registerPlatformClass } from './platform-objects.ts';

const ERROR_CTORS: Record<string, ErrorConstructor> = {
  __proto__: null as never,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};
const TYPED: Record<string, new (b: ArrayBuffer, o: number, l: number) => unknown> = {
  __proto__: null as never,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};
const UNCLONEABLE_TAGS: Record<string, true> = {
  __proto__: null as never,
  '[object Promise]': true, '[object WeakMap]': true, '[object WeakSet]': true, '[object WeakRef]': true,
  '[object FinalizationRegistry]': true, '[object SharedArrayBuffer]': true, '[object Generator]': true, '[object AsyncGenerator]': true,
};

type Memory = Map<object, unknown>;

// DOMException is [Serializable] (WebIDL): a new one with the same name and message.
registerPlatformClass(
  DOMException,
  (v) => domExceptionFields(v) !== null,
  (v) => {
    const fields = domExceptionFields(v)!;
    return new DOMException(fields.message, fields.name);
  },
);

/** Deep-copies `value` as structuredClone does; throws DataCloneError for uncloneable values. */
export function structuredClone(value: unknown, options: unknown = undefined): unknown {
  if (arguments.length === 0) throw new TypeError_("Failed to execute 'structuredClone': 1 argument required, but only 0 present.");
  const transfer = transferOption(options);
  const memory: Memory = new Map_();
  for (let i = 0; i < transfer.length; i++) {
    const t = transfer[i]!;
    if (!isArrayBuffer(t)) throw badTransfer(i, 'is not transferable');
    for (let j = 0; j < i; j++) if (transfer[j] === t) throw badTransfer(i, 'is a duplicate');
  }
  const out = clone(value, memory);
  for (let i = 0; i < transfer.length; i++) {
    const t = transfer[i]!;
    if (ArrayBufferPrototypeGetDetached(t)) throw badTransfer(i, 'is detached');
    // Detaches `t`: its bytes are in the clone already.
    ArrayBufferPrototypeTransfer(t, 0);
  }
  return out;
}

/** WebIDL: the StructuredSerializeOptions dictionary's `transfer`, a sequence<object>. */
function transferOption(options: unknown): object[] {
  const list = internalList<object>();
  if (options === undefined || options === null) return list;
  if (!isObject(options)) throw new TypeError_('structuredClone: options is not an object');
  const transfer = (options as { transfer?: unknown }).transfer;
  if (transfer === undefined) return list;
  const notSequence = () => new TypeError_('structuredClone: transfer is not a sequence of objects');
  if (!isObject(transfer)) throw notSequence();
  const method = (transfer as { [SymbolIterator]?: unknown })[SymbolIterator];
  if (typeof method !== 'function') throw notSequence();
  const iterator = ReflectApply(method, transfer, []) as Iterator<unknown>;
  if (!isObject(iterator)) throw notSequence();
  const next = iterator.next;
  for (;;) {
    const step = ReflectApply(next, iterator, []) as IteratorResult<unknown>;
    if (!isObject(step)) throw notSequence();
    if (step.done) return list;
    const item = step.value;
    if (!isObject(item)) throw notSequence();
    listAppend(list, item);
  }
}

function badTransfer(i: number, what: string): DOMException {
  return domException('DataCloneError', `structuredClone: transfer[${i}] ${what}`);
}

function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

function uncloneable(what: string): DOMException {
  return domException('DataCloneError', `${what} could not be cloned.`);
}

function clone(v: unknown, memory: Memory): unknown {
  if (typeof v === 'symbol') throw uncloneable(String_(v.description === undefined ? 'Symbol()' : `Symbol(${v.description})`));
  if (typeof v === 'function') throw uncloneable('function');
  if (typeof v !== 'object' || v === null) return v;
  if (MapPrototypeHas(memory, v)) return MapPrototypeGet(memory, v);
  // Before anything reads the value: a Proxy's traps are the guest's code.
  if (isProxy(v)) throw uncloneable('#<Proxy>');
  const out = cloneObject(v, ObjectPrototypeToString(v), memory);
  MapPrototypeSet(memory, v, out);
  return out;
}

/** The clone of `v`; containers register themselves in `memory` before their contents are cloned (cycles). */
function cloneObject(v: object, tag: string, memory: Memory): unknown {
  switch (tag) {
    case '[object Boolean]':
      return Object_(BooleanPrototypeValueOf(v));
    case '[object Number]':
      return Object_(NumberPrototypeValueOf(v));
    case '[object String]':
      return Object_(StringPrototypeValueOf(v));
    case '[object BigInt]':
      return Object_(BigIntPrototypeValueOf(v));
    case '[object Date]':
      return new Date_(DatePrototypeGetTime(v));
    case '[object RegExp]':
      return new RegExp_(RegExpPrototypeGetSource(v), RegExpPrototypeGetFlags(v));
  }
  if (isArrayBuffer(v)) return cloneArrayBuffer(v);
  const typed = TypedArrayPrototypeGetSymbolToStringTag(v);
  if (typed !== undefined) {
    const buf = clone(TypedArrayPrototypeGetBuffer(v), memory) as ArrayBuffer;
    return new TYPED[typed]!(buf, TypedArrayPrototypeGetByteOffset(v), TypedArrayPrototypeGetLength(v));
  }
  if (tag === '[object DataView]') return cloneDataView(v as DataView, memory);
  if (tag === '[object Map]') {
    const out = new Map_();
    MapPrototypeSet(memory, v, out);
    const entries: unknown[][] = internalList();
    MapPrototypeForEach(v as Map<unknown, unknown>, (val, key) => listAppend(entries, [key, val]));
    for (let i = 0; i < entries.length; i++) MapPrototypeSet(out, clone(entries[i]![0], memory), clone(entries[i]![1], memory));
    return out;
  }
  if (tag === '[object Set]') {
    const out = new Set_();
    MapPrototypeSet(memory, v, out);
    const items: unknown[] = internalList();
    SetPrototypeForEach(v as Set<unknown>, (val) => listAppend(items, val));
    for (let i = 0; i < items.length; i++) SetPrototypeAdd(out, clone(items[i], memory));
    return out;
  }
  // The runtime's Web API objects (a DOMException is an Error too, so before errors).
  const platform = platformObjectClone(v);
  if (platform === null) throw uncloneable(tag);
  if (platform !== undefined) return platform(v);
  if (tag === '[object Error]') return cloneError(v, memory);
  if (ArrayIsArray(v)) {
    const out = new Array_((v as unknown[]).length);
    MapPrototypeSet(memory, v, out);
    copyOwn(v, out, memory);
    return out;
  }
  // Other objects with internal slots are not serialisable; ordinary objects (class instances
  // included) clone as plain objects, losing their prototype, as the spec says.
  if (UNCLONEABLE_TAGS[tag] === true) throw uncloneable(tag);
  const out = {};
  MapPrototypeSet(memory, v, out);
  copyOwn(v, out, memory);
  return out;
}

/** A copy of the buffer's bytes, resizable with the same maximum if it is. */
function cloneArrayBuffer(v: ArrayBuffer): ArrayBuffer {
  if (ArrayBufferPrototypeGetDetached(v)) throw uncloneable('A detached ArrayBuffer');
  const length = ArrayBufferPrototypeGetByteLength(v);
  if (!ArrayBufferPrototypeGetResizable(v)) return ArrayBufferPrototypeSlice(v, 0, length);
  const Resizable = ArrayBuffer_ as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer;
  const out = new Resizable(length, { maxByteLength: ArrayBufferPrototypeGetMaxByteLength(v) });
  TypedArrayPrototypeSet(new Uint8Array_(out), new Uint8Array_(v, 0, length));
  return out;
}

function cloneDataView(v: DataView, memory: Memory): DataView {
  const buf = clone(DataViewPrototypeGetBuffer(v), memory) as ArrayBuffer;
  let offset: number;
  let length: number;
  try {
    offset = DataViewPrototypeGetByteOffset(v);
    length = DataViewPrototypeGetByteLength(v);
  } catch {
    // The only way these throw on a DataView: a resizable buffer shrank under it.
    throw uncloneable('An out-of-bounds DataView');
  }
  return new DataView_(buf, offset, length);
}

/** Copies own enumerable string-keyed properties, reading each with [[Get]] as the spec does. */
function copyOwn(from: object, to: object, memory: Memory): void {
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

function cloneError(v: object, memory: Memory): Error {
  const rawName = (v as Error).name;
  const Ctor = (typeof rawName === 'string' ? ERROR_CTORS[rawName] : undefined) ?? Error;
  const d = ReflectGetOwnPropertyDescriptor(v, 'message');
  const out = new Ctor();
  MapPrototypeSet(memory, v, out);
  if (d !== undefined) ObjectDefineProperty(out, 'message', dataDescriptor(String_((v as Error).message), false, true, true));
  const stack = (v as Error).stack;
  if (typeof stack === 'string') ObjectDefineProperty(out, 'stack', dataDescriptor(stack, false, true, true));
  const cause = ReflectGetOwnPropertyDescriptor(v, 'cause');
  if (cause !== undefined) ObjectDefineProperty(out, 'cause', dataDescriptor(clone((v as Error).cause, memory), false, true, true));
  return out;
}

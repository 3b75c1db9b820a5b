/** Reading bytes out of BufferSource values through captured accessors (a guest can redefine `byteLength`). */

import {
  ArrayBufferIsView,
  ArrayBufferPrototypeGetByteLength,
  DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset,
  ObjectPrototypeToString,
  TypeError_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSet,
  Uint8Array_,
} from '../primordials.ts';

/** True for a genuine ArrayBuffer (not a look-alike, not a SharedArrayBuffer). */
export function isArrayBuffer(v: unknown): v is ArrayBuffer {
  if (typeof v !== 'object' || v === null) return false;
  try {
    ArrayBufferPrototypeGetByteLength(v);
    return true;
  } catch {
    return false;
  }
}

/** True for a genuine typed array. */
export function isTypedArray(v: unknown): v is Uint8Array {
  return TypedArrayPrototypeGetSymbolToStringTag(v) !== undefined;
}

/**
 * A Uint8Array view of a BufferSource's bytes; `copy` makes it independent of the source
 * (bodies copy, as the spec's "get a copy of the bytes held by the buffer source").
 */
export function bytesOfBufferSource(v: unknown, copy: boolean): Uint8Array {
  let view: Uint8Array;
  if (isArrayBuffer(v)) {
    view = new Uint8Array_(v);
  } else if (ArrayBufferIsView(v)) {
    if (isTypedArray(v)) {
      view = new Uint8Array_(TypedArrayPrototypeGetBuffer(v), TypedArrayPrototypeGetByteOffset(v), TypedArrayPrototypeGetByteLength(v));
    } else {
      view = new Uint8Array_(DataViewPrototypeGetBuffer(v), DataViewPrototypeGetByteOffset(v), DataViewPrototypeGetByteLength(v));
    }
  } else {
    throw new TypeError_(`Expected an ArrayBuffer or ArrayBufferView, got ${ObjectPrototypeToString(v)}`);
  }
  if (!copy) return view;
  const out = new Uint8Array_(TypedArrayPrototypeGetByteLength(view));
  TypedArrayPrototypeSet(out, view);
  return out;
}

/** A fresh ArrayBuffer holding a copy of `bytes`. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array_(TypedArrayPrototypeGetByteLength(bytes));
  TypedArrayPrototypeSet(out, bytes);
  return TypedArrayPrototypeGetBuffer(out);
}

/** One Uint8Array holding `chunks` one after another. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += TypedArrayPrototypeGetByteLength(chunks[i]!);
  const out = new Uint8Array_(total);
  for (let i = 0, at = 0; i < chunks.length; i++) {
    TypedArrayPrototypeSet(out, chunks[i]!, at);
    at += TypedArrayPrototypeGetByteLength(chunks[i]!);
  }
  return out;
}

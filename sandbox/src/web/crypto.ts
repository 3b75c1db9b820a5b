/** crypto.getRandomValues and crypto.randomUUID over host randomness, fetched in 4 KiB batches; crypto.subtle, a lazy module (subtle.ts). */

import {
  ArrayBufferIsView,
  NumberPrototypeToString,
  StringPrototypePadStart,
  TypeError_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
} from '../primordials.ts';
import { host } from '../host.ts';
import { domException } from './dom-exception.ts';
import type { SubtleCrypto } from './subtle.ts';

const BATCH = 4096;
const MAX_BYTES = 65536;
let pool = new Uint8Array_(0);
let poolPos = 0;

/** Fills `out` from the pool, refilling from the host as needed. */
function fill(out: Uint8Array): void {
  const n = TypedArrayPrototypeGetByteLength(out);
  if (n > BATCH) {
    TypedArrayPrototypeSet(out, new Uint8Array_(host.randomBytes(n)));
    return;
  }
  if (poolPos + n > TypedArrayPrototypeGetByteLength(pool)) {
    pool = new Uint8Array_(host.randomBytes(BATCH));
    poolPos = 0;
  }
  TypedArrayPrototypeSet(out, TypedArrayPrototypeSubarray(pool, poolPos, poolPos + n));
  // Used bytes are zeroed so a later heap snapshot of the pool can't replay them.
  pool.fill(0, poolPos, poolPos + n);
  poolPos += n;
}

const INTEGER_ARRAYS = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

/** WebCrypto getRandomValues: integer typed arrays only, at most 65536 bytes. */
function getRandomValues<T>(array: T): T {
  const tag = TypedArrayPrototypeGetSymbolToStringTag(array);
  if (tag === undefined) {
    // A DataView is an ArrayBufferView, just not an integer array: WebCrypto's TypeMismatchError.
    if (ArrayBufferIsView(array)) throw domException('TypeMismatchError', "The provided ArrayBufferView is of type 'DataView', which is not an integer array type.");
    throw new TypeError_("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'.");
  }
  let ok = false;
  for (let i = 0; i < INTEGER_ARRAYS.length; i++) if (INTEGER_ARRAYS[i] === tag) ok = true;
  if (!ok) throw domException('TypeMismatchError', `The provided ArrayBufferView is of type '${tag}', which is not an integer array type.`);
  const len = TypedArrayPrototypeGetByteLength(array);
  if (len > MAX_BYTES) {
    throw domException('QuotaExceededError', `The ArrayBufferView's byte length (${len}) exceeds the number of bytes of entropy available via this API (65536).`);
  }
  fill(new Uint8Array_(TypedArrayPrototypeGetBuffer(array), TypedArrayPrototypeGetByteOffset(array), len));
  return array;
}

/** RFC 9562 version 4 UUID. */
function randomUUID(): string {
  const b = new Uint8Array_(16);
  fill(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += StringPrototypePadStart(NumberPrototypeToString(b[i]!, 16), 2, '0');
  }
  return s;
}

let loadSubtle: (() => SubtleCrypto) | undefined;

/** Sets how `crypto.subtle` gets its object (the lazy module `subtle`, see globals.ts). */
export function setSubtleLoader(load: () => SubtleCrypto): void {
  loadSubtle = load;
}

/** The Crypto interface. */
export class Crypto {
  get subtle(): SubtleCrypto {
    return loadSubtle!();
  }
  getRandomValues<T>(array: T): T {
    return getRandomValues(array);
  }
  randomUUID(): string {
    return randomUUID();
  }
}

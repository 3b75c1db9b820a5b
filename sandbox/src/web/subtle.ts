/**
 * SubtleCrypto (WebCrypto §14), run by the host: each method converts its arguments as
 * WebIDL does only as far as needed to copy them out of the guest's objects (BufferSource
 * → bytes, CryptoKey → its KeyRecord, sequences → arrays), then hands them to the host op
 * `crypto.subtle` (src/sandbox-host/host-ops/crypto.ts), which normalises the algorithms,
 * checks everything and runs Node's webcrypto. Keys come back as KeyRecords.
 *
 * With crypto-key.ts, the lazy module `subtle` (sandbox/build.ts): evaluated on the first
 * access of `crypto.subtle`, `SubtleCrypto` or `CryptoKey`.
 */

import {
  callHostWith,
  ArrayBufferIsView,
  ArrayPrototypeIndexOf,
  ObjectCreate,
  ObjectPrototypeHasOwn,
  Promise_,
  ReflectApply,
  String_,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetSymbolToStringTag,
  Uint8Array_,
  bytesOfBufferSource,
  isArrayBuffer,
  listAppend,
} from '../boot-exports.ts';
import { type KeyRecord, keyRecordOf, makeKey } from './crypto-key.ts';

export { CryptoKey } from './crypto-key.ts';

const OP = 'crypto.subtle';
const FORMATS = ['raw', 'spki', 'pkcs8', 'jwk'];
const USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];

/** The members of every algorithm dictionary WebCrypto defines, and how each is copied out. */
const MEMBERS: [string, (x: unknown) => unknown][] = [
  ['name', String_], ['additionalData', bytesOrNull], ['counter', bytesOrNull], ['hash', alg], ['info', bytesOrNull],
  ['iterations', toNumber], ['iv', bytesOrNull], ['label', bytesOrNull], ['length', toNumber], ['modulusLength', toNumber],
  ['namedCurve', String_], ['public', keyOrNull], ['publicExponent', uint8OrNull], ['salt', bytesOrNull],
  ['saltLength', toNumber], ['tagLength', toNumber],
];
const JWK_STRINGS = ['alg', 'crv', 'd', 'dp', 'dq', 'e', 'k', 'kty', 'n', 'p', 'q', 'qi', 'use', 'x', 'y'];

/** Only the runtime makes the one instance (`crypto.subtle`). */
const TOKEN = {};
let instance: SubtleCrypto | undefined;

export class SubtleCrypto {
  constructor(token: unknown) {
    if (token !== TOKEN) throw new TypeError_('Illegal constructor');
  }

  encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<unknown> {
    return run(this, 'encrypt', arguments.length, 3, () => ['encrypt', alg(algorithm), record(key), bytes(data)], same);
  }
  decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<unknown> {
    return run(this, 'decrypt', arguments.length, 3, () => ['decrypt', alg(algorithm), record(key), bytes(data)], same);
  }
  sign(algorithm: unknown, key: unknown, data: unknown): Promise<unknown> {
    return run(this, 'sign', arguments.length, 3, () => ['sign', alg(algorithm), record(key), bytes(data)], same);
  }
  verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<unknown> {
    return run(this, 'verify', arguments.length, 4, () => ['verify', alg(algorithm), record(key), bytes(signature), bytes(data)], same);
  }
  digest(algorithm: unknown, data: unknown): Promise<unknown> {
    return run(this, 'digest', arguments.length, 2, () => ['digest', alg(algorithm), bytes(data)], same);
  }
  generateKey(algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<unknown> {
    return run(this, 'generateKey', arguments.length, 3, () => ['generateKey', alg(algorithm), !!extractable, usages(keyUsages)], keyOrPair);
  }
  deriveKey(algorithm: unknown, baseKey: unknown, derivedKeyType: unknown, extractable: unknown, keyUsages: unknown): Promise<unknown> {
    return run(this, 'deriveKey', arguments.length, 5, () => [
      'deriveKey', alg(algorithm), record(baseKey), alg(derivedKeyType), !!extractable, usages(keyUsages),
    ], key);
  }
  deriveBits(algorithm: unknown, baseKey: unknown, length: unknown = null): Promise<unknown> {
    return run(this, 'deriveBits', arguments.length, 2, () => ['deriveBits', alg(algorithm), record(baseKey), length === null ? null : toNumber(length)], same);
  }
  importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<unknown> {
    return run(this, 'importKey', arguments.length, 5, () => {
      const f = keyFormat(format);
      return ['importKey', f, keyDataOf(f, keyData), alg(algorithm), !!extractable, usages(keyUsages)];
    }, key);
  }
  exportKey(format: unknown, key: unknown): Promise<unknown> {
    return run(this, 'exportKey', arguments.length, 2, () => ['exportKey', keyFormat(format), record(key)], same);
  }
  wrapKey(format: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<unknown> {
    return run(this, 'wrapKey', arguments.length, 4, () => ['wrapKey', keyFormat(format), record(key), record(wrappingKey), alg(wrapAlgorithm)], same);
  }
  unwrapKey(
    format: unknown, wrappedKey: unknown, unwrappingKey: unknown, unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown, extractable: unknown, keyUsages: unknown,
  ): Promise<unknown> {
    return run(this, 'unwrapKey', arguments.length, 7, () => [
      'unwrapKey', keyFormat(format), bytes(wrappedKey), record(unwrappingKey), alg(unwrapAlgorithm),
      alg(unwrappedKeyAlgorithm), !!extractable, usages(keyUsages),
    ], key);
  }
}

/** The `crypto.subtle` object ([SameObject]). */
export function subtle(): SubtleCrypto {
  return (instance ??= new SubtleCrypto(TOKEN));
}

/**
 * A method's promise: WebIDL turns every exception, argument conversion included, into a
 * rejection. `convert` builds the op's arguments; `result` turns the host's answer into
 * what the guest gets (the answer itself never reaches guest code: see callHostWith).
 */
function run(
  self: unknown, method: string, argc: number, required: number,
  convert: () => unknown[], result: (v: unknown) => unknown,
): Promise<unknown> {
  return new Promise_((resolve, reject) => {
    if (self !== instance || instance === undefined) throw new TypeError_('Illegal invocation');
    if (argc < required) {
      throw new TypeError_(`Failed to execute '${method}' on 'SubtleCrypto': ${required} arguments required, but only ${argc} present.`);
    }
    callHostWith(OP, convert(), (v) => {
      try {
        resolve(result(v));
      } catch (e) {
        reject(e);
      }
    }, reject);
  });
}

const same = (v: unknown): unknown => v;

function key(v: unknown): unknown {
  return makeKey(v as KeyRecord);
}

function keyOrPair(v: unknown): unknown {
  const r = v as { publicKey: KeyRecord; privateKey: KeyRecord };
  if (ObjectPrototypeHasOwn(r, 'type')) return makeKey(r as unknown as KeyRecord);
  return { publicKey: makeKey(r.publicKey), privateKey: makeKey(r.privateKey) };
}

/** A copy of a BufferSource's bytes in a buffer of their own (a view would carry its whole buffer across). */
function bytes(v: unknown): ArrayBuffer {
  return TypedArrayPrototypeGetBuffer(bytesOfBufferSource(v, true));
}


function record(v: unknown): KeyRecord {
  const r = keyRecordOf(v);
  if (r === undefined) throw new TypeError_("parameter is not of type 'CryptoKey'.");
  return r;
}

function keyFormat(v: unknown): string {
  const f = String_(v);
  if (ArrayPrototypeIndexOf(FORMATS, f) < 0) throw new TypeError_(`The provided value '${f}' is not a valid enum value of type KeyFormat.`);
  return f;
}

/**
 * AlgorithmIdentifier: a string, or a copy of the members any algorithm dictionary may
 * have (each read once). Which of them apply is the host's business; a BufferSource,
 * Uint8Array or CryptoKey member holding something else goes as null, which the host
 * rejects only where the member applies.
 */
function alg(v: unknown): unknown {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return String_(v);
  const out = ObjectCreate(null) as Record<string, unknown>;
  for (let i = 0; i < MEMBERS.length; i++) {
    const m = MEMBERS[i]!;
    const x = (v as Record<string, unknown>)[m[0]];
    if (x !== undefined) out[m[0]] = m[1](x);
  }
  return out;
}

/** WebIDL's ToNumber (unlike Number(), a BigInt is a TypeError). */
function toNumber(x: unknown): number {
  return +(x as number);
}

function bytesOrNull(x: unknown): ArrayBuffer | null {
  return isArrayBuffer(x) || ArrayBufferIsView(x) ? bytes(x) : null;
}

function uint8OrNull(x: unknown): Uint8Array | null {
  return TypedArrayPrototypeGetSymbolToStringTag(x) === 'Uint8Array' ? new Uint8Array_(x as Uint8Array) : null;
}

function keyOrNull(x: unknown): KeyRecord | null {
  return keyRecordOf(x) ?? null;
}

/** sequence<KeyUsage>, without duplicates (the key's usages drop them anyway). */
function usages(v: unknown): string[] {
  const list = sequence(v, 'sequence<KeyUsage>');
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const u = list[i]!;
    if (ArrayPrototypeIndexOf(USAGES, u) < 0) throw new TypeError_(`The provided value '${u}' is not a valid enum value of type KeyUsage.`);
    if (ArrayPrototypeIndexOf(out, u) < 0) listAppend(out, u);
  }
  return out;
}

/** WebIDL sequence<DOMString>: iterates `v` with its own iterator. */
function sequence(v: unknown, type: string): string[] {
  const method = (typeof v === 'object' || typeof v === 'function') && v !== null ? (v as Record<symbol, unknown>)[SymbolIterator] : undefined;
  if (typeof method !== 'function') throw new TypeError_(`The provided value is not of type '${type}'.`);
  const iterator = ReflectApply(method, v, []) as Iterator<unknown>;
  const next = iterator.next;
  const out: string[] = [];
  for (;;) {
    const step = ReflectApply(next, iterator, []) as IteratorResult<unknown>;
    if (step.done) return out;
    listAppend(out, String_(step.value));
  }
}

/** importKey's keyData: bytes for raw, spki and pkcs8; a copied JsonWebKey dictionary for jwk. */
function keyDataOf(format: string, v: unknown): unknown {
  if (isArrayBuffer(v) || ArrayBufferIsView(v)) {
    if (format === 'jwk') throw new TypeError_('Key data must be a JsonWebKey for the jwk format.');
    return bytes(v);
  }
  if (format !== 'jwk') throw new TypeError_('Key data must be a BufferSource for non-jwk formats.');
  if (v !== undefined && v !== null && typeof v !== 'object' && typeof v !== 'function') throw new TypeError_('Key data is not a JsonWebKey.');
  const jwk = (v ?? {}) as Record<string, unknown>;
  const out = ObjectCreate(null) as Record<string, unknown>;
  for (let i = 0; i < JWK_STRINGS.length; i++) {
    const m = JWK_STRINGS[i]!;
    const x = jwk[m];
    if (x !== undefined) out[m] = String_(x);
  }
  const ext = jwk.ext;
  if (ext !== undefined) out.ext = !!ext;
  const ops = jwk.key_ops;
  if (ops !== undefined) out.key_ops = sequence(ops, 'sequence<DOMString>');
  return out;
}

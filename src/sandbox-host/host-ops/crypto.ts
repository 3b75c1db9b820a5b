/**
 * The host op `crypto.subtle`: SubtleCrypto for the runtime inside isolates
 * (sandbox/src/web/subtle.ts), run by Node's webcrypto. Arguments are
 * `[method, ...the method's arguments]`, copied out of the guest's objects by the
 * runtime; keys arrive as KeyRecords carrying their material, are imported afresh for the
 * operation and forgotten: the host keeps no key between calls.
 *
 * The arguments are the guest's: every one is checked here or by Node's own WebIDL
 * conversions, only the algorithms below reach Node (its experimental ones, Argon2 among
 * them, never do), and the work one call may ask for is capped (src/limits). An
 * invocation's calls run one after another, so one invocation keeps at most one thread of
 * libuv's pool busy however many calls it starts, and what they carry is bounded too.
 */
import { webcrypto } from 'node:crypto';
import {
  CRYPTO_CALL_OVERHEAD_BYTES,
  MAX_CRYPTO_CALL_BYTES,
  MAX_CRYPTO_OUTPUT_BITS,
  MAX_CRYPTO_PENDING_BYTES,
  MAX_PBKDF2_HMACS,
  MAX_PBKDF2_ITERATIONS,
  MAX_RSA_GENERATE_MODULUS_BITS,
  MAX_RSA_MODULUS_BITS,
} from '../../limits/index.ts';
import type { KeyRecord } from '../../../sandbox/src/web/crypto-key.ts';
import { OpError, type HostOpHandler, type OpContext } from './types.ts';

type Algorithm = string | Record<string, unknown>;
type Method = (args: unknown[]) => Promise<unknown>;
type Key = webcrypto.CryptoKey;

/** Node's SubtleCrypto typed for what reaches it here: checked names, values its own WebIDL conversions check. */
interface NodeSubtle {
  digest(a: Algorithm, data: unknown): Promise<ArrayBuffer>;
  encrypt(a: Algorithm, key: Key, data: unknown): Promise<ArrayBuffer>;
  decrypt(a: Algorithm, key: Key, data: unknown): Promise<ArrayBuffer>;
  sign(a: Algorithm, key: Key, data: unknown): Promise<ArrayBuffer>;
  verify(a: Algorithm, key: Key, signature: unknown, data: unknown): Promise<boolean>;
  generateKey(a: Algorithm, extractable: boolean, usages: string[]): Promise<Key | { publicKey: Key; privateKey: Key }>;
  deriveBits(a: Algorithm, key: Key, length: number | null): Promise<ArrayBuffer>;
  deriveKey(a: Algorithm, key: Key, derived: Algorithm, extractable: boolean, usages: string[]): Promise<Key>;
  importKey(format: string, data: unknown, a: Algorithm, extractable: boolean, usages: string[]): Promise<Key>;
  exportKey(format: string, key: Key): Promise<ArrayBuffer | Record<string, unknown>>;
  wrapKey(format: string, key: Key, wrappingKey: Key, a: Algorithm): Promise<ArrayBuffer>;
  unwrapKey(format: string, wrapped: unknown, unwrappingKey: Key, a: Algorithm, keyAlgorithm: Algorithm, extractable: boolean, usages: string[]): Promise<Key>;
}

const subtle = webcrypto.subtle as unknown as NodeSubtle;

const HASH_BITS: Record<string, number> = { 'SHA-1': 160, 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 };
/** Every algorithm a guest may name, upper-cased (names match case-insensitively). */
const ALGORITHMS = new Set([
  ...Object.keys(HASH_BITS),
  'HMAC', 'AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'RSASSA-PKCS1-V1_5', 'RSA-PSS', 'RSA-OAEP',
  'ECDSA', 'ECDH', 'ED25519', 'X25519', 'PBKDF2', 'HKDF',
]);
const FORMATS = new Set(['raw', 'spki', 'pkcs8', 'jwk']);
const KEY_TYPES = new Set(['secret', 'public', 'private']);
/** Error names a guest may see; anything else becomes an OperationError. */
const GUEST_ERRORS = new Set(['NotSupportedError', 'InvalidAccessError', 'DataError', 'OperationError', 'SyntaxError', 'QuotaExceededError', 'TypeError']);
/** OpenSSL's error strings and file paths say more about the host than a guest needs. */
const HOST_DETAIL = /error:|routines|[/\\][a-z]/i;
/** An HMAC key holds any bytes: unwrapKey unwraps into one to read the plaintext (see unwrapKey). */
const BYTES_HOLDER = { name: 'HMAC', hash: 'SHA-256' };
const STATE_KEY = 'crypto.subtle';

interface Queue {
  tail: Promise<unknown>;
  bytes: number;
}

/** The handler of `crypto.subtle`. */
export const subtleOp: HostOpHandler = (ctx, args) => {
  if (!Array.isArray(args) || typeof args[0] !== 'string' || !methods.has(args[0])) throw new OpError('TypeError', 'Unknown SubtleCrypto method.');
  const method = methods.get(args[0])!;
  const charge = payloadBytes(args, 0) + CRYPTO_CALL_OVERHEAD_BYTES;
  if (charge > MAX_CRYPTO_CALL_BYTES) throw new OpError('QuotaExceededError', `A crypto.subtle call may carry at most ${MAX_CRYPTO_CALL_BYTES} bytes.`);
  const queue = queueOf(ctx);
  if (queue.bytes + charge > MAX_CRYPTO_PENDING_BYTES) {
    throw new OpError('QuotaExceededError', `The crypto.subtle calls in flight may carry at most ${MAX_CRYPTO_PENDING_BYTES} bytes.`);
  }
  queue.bytes += charge;
  const run = queue.tail.then(() => {
    ctx.signal.throwIfAborted();
    return method(args.slice(1));
  });
  const release = () => void (queue.bytes -= charge);
  queue.tail = run.then(release, release);
  return run.catch(forGuest);
};

function queueOf(ctx: OpContext): Queue {
  let queue = ctx.state.get(STATE_KEY) as Queue | undefined;
  if (queue === undefined) {
    queue = { tail: Promise.resolve(), bytes: 0 };
    ctx.state.set(STATE_KEY, queue);
  }
  return queue;
}

const methods = new Map<string, Method>([
  ['digest', async ([alg, data]) => subtle.digest(algorithm(alg), data)],
  ['encrypt', async ([alg, key, data]) => subtle.encrypt(algorithm(alg), await keyOf(key), data)],
  ['decrypt', async ([alg, key, data]) => subtle.decrypt(algorithm(alg), await keyOf(key), data)],
  ['sign', async ([alg, key, data]) => subtle.sign(algorithm(alg), await keyOf(key), data)],
  ['verify', async ([alg, key, signature, data]) => subtle.verify(algorithm(alg), await keyOf(key), signature, data)],
  ['generateKey', generateKey],
  ['deriveBits', deriveBits],
  ['deriveKey', deriveKey],
  ['importKey', async ([format, data, alg, extractable, usages]) => importKey(keyFormat(format), data, algorithm(alg), flag(extractable), keyUsages(usages))],
  ['exportKey', async ([format, key]) => exportKey(keyFormat(format), key)],
  ['wrapKey', wrapKey],
  ['unwrapKey', unwrapKey],
]);

async function generateKey([alg, extractable, usages]: unknown[]): Promise<KeyRecord | { publicKey: KeyRecord; privateKey: KeyRecord }> {
  const a = algorithm(alg);
  const x = flag(extractable);
  if (typeof a !== 'string') {
    const name = upper(a.name);
    if (name.startsWith('RSA') && Number(a.modulusLength) > MAX_RSA_GENERATE_MODULUS_BITS) {
      throw new OpError('NotSupportedError', `RSA keys of more than ${MAX_RSA_GENERATE_MODULUS_BITS} bits cannot be generated.`);
    }
    if (name === 'HMAC') capOutput(a.length);
  }
  // Generated extractable so that its material can travel; the record keeps the guest's flag.
  const key = await subtle.generateKey(a, true, keyUsages(usages));
  if ('privateKey' in key) return { publicKey: await exported(key.publicKey, true), privateKey: await exported(key.privateKey, x) };
  return exported(key, x);
}

async function deriveBits([alg, baseKey, length]: unknown[]): Promise<ArrayBuffer> {
  const a = await withPublicKey(algorithm(alg));
  const bits = length === null || length === undefined ? null : unsignedLong(length);
  if (bits !== null) capOutput(bits);
  capPbkdf2(a, bits ?? 0);
  return subtle.deriveBits(a, await keyOf(baseKey), bits);
}

async function deriveKey([alg, baseKey, derivedKeyType, extractable, usages]: unknown[]): Promise<KeyRecord> {
  const a = await withPublicKey(algorithm(alg));
  const d = algorithm(derivedKeyType);
  // An HMAC key without a length is as long as its hash's block: at most 1024 bits.
  const bits = typeof d === 'string' || d.length === undefined ? 1024 : Number(d.length);
  capOutput(bits);
  capPbkdf2(a, bits);
  const key = await subtle.deriveKey(a, await keyOf(baseKey), d, true, keyUsages(usages));
  return exported(key, flag(extractable));
}

async function importKey(format: string, data: unknown, alg: Algorithm, extractable: boolean, usages: string[]): Promise<KeyRecord> {
  const key = await subtle.importKey(format, data, alg, extractable, usages);
  capModulus(key);
  // The material stays as the guest gave it: importing it again gives the same key.
  return record(key, key.extractable, format as KeyRecord['format'], data as KeyRecord['data']);
}

async function exportKey(format: string, key: unknown): Promise<unknown> {
  return own(await subtle.exportKey(format, await keyOf(key)));
}

async function wrapKey([format, key, wrappingKey, alg]: unknown[]): Promise<ArrayBuffer> {
  const f = keyFormat(format);
  const a = algorithm(alg);
  return subtle.wrapKey(f, await keyOf(key), await keyOf(wrappingKey), a);
}

/**
 * The spec's unwrapKey is decrypt-then-import. Node decrypts (AES-KW included) only as
 * part of its own unwrapKey, so the plaintext is unwrapped into an extractable HMAC key
 * (an unwrapping key without the `unwrapKey` usage fails there, as it should) and read
 * back; then it is imported like any key, keeping it as its material.
 */
async function unwrapKey([format, wrapped, unwrappingKey, unwrapAlg, keyAlg, extractable, usages]: unknown[]): Promise<KeyRecord> {
  const f = keyFormat(format);
  const a = algorithm(unwrapAlg);
  const ka = algorithm(keyAlg);
  const holder = await subtle.unwrapKey('raw', wrapped, await keyOf(unwrappingKey), a, BYTES_HOLDER, true, ['sign']);
  const bytes = (await subtle.exportKey('raw', holder)) as ArrayBuffer;
  return importKey(f, f === 'jwk' ? parseJwk(bytes) : bytes, ka, flag(extractable), keyUsages(usages));
}

/** The CryptoKey a record describes; a record that is not a well-formed one is a TypeError, as a non-key would be. */
async function keyOf(v: unknown): Promise<Key> {
  const r = v as KeyRecord;
  const ok =
    isPlainObject(v) && KEY_TYPES.has(r.type) && typeof r.extractable === 'boolean' && FORMATS.has(r.format) &&
    (r.format === 'jwk' ? isPlainObject(r.data) : isBytes(r.data));
  const notAKey = new OpError('TypeError', "parameter is not of type 'CryptoKey'.");
  if (!ok) throw notAKey;
  // The runtime's records always import again; one that does not is forged or corrupt.
  const key = await subtle.importKey(r.format, r.data, algorithm(r.algorithm), r.extractable, keyUsages(r.usages)).catch(() => {
    throw notAKey;
  });
  if (key.type !== r.type) throw notAKey;
  capModulus(key);
  return key;
}

/** A generated or derived key's record, its material exported as the format for its type. */
async function exported(key: Key, extractable: boolean): Promise<KeyRecord> {
  const format = key.type === 'secret' ? 'raw' : key.type === 'public' ? 'spki' : 'pkcs8';
  return record(key, extractable, format, await subtle.exportKey(format, key));
}

function record(key: Key, extractable: boolean, format: KeyRecord['format'], data: KeyRecord['data']): KeyRecord {
  const a = key.algorithm as unknown as Record<string, unknown>;
  const algorithm: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    // publicExponent is a view: copied, a view would carry its whole buffer into the isolate.
    algorithm[k] = k === 'hash' ? { name: (v as { name: string }).name } : k === 'publicExponent' ? new Uint8Array(v as Uint8Array) : v;
  }
  return { type: key.type, extractable, algorithm, usages: [...key.usages], format, data: own(data) as KeyRecord['data'] };
}

/** The guest's algorithm, with its name (and its hash's) among those allowed; the rest is Node's to check. */
function algorithm(v: unknown): Algorithm {
  if (typeof v === 'string') return allowed(v);
  if (!isPlainObject(v)) throw new OpError('TypeError', 'An algorithm is an object or a string.');
  if (typeof v.name !== 'string') throw new OpError('TypeError', "An algorithm's name is required.");
  allowed(v.name);
  const hash = v.hash;
  const hashName = isPlainObject(hash) ? hash.name : hash;
  if (typeof hashName === 'string' && !(upper(hashName) in HASH_BITS)) throw new OpError('NotSupportedError', `Unrecognized hash: ${hashName.slice(0, 64)}`);
  return v;
}

function allowed(name: string): string {
  if (!ALGORITHMS.has(upper(name))) throw new OpError('NotSupportedError', `Unrecognized algorithm name: ${name.slice(0, 64)}`);
  return name;
}

/** ECDH's and X25519's `public` member arrives as a KeyRecord. */
async function withPublicKey(a: Algorithm): Promise<Algorithm> {
  if (typeof a === 'string' || a.public === undefined || a.public === null) return a;
  return { ...a, public: await keyOf(a.public) };
}

function capOutput(length: unknown): void {
  if (Number(length) > MAX_CRYPTO_OUTPUT_BITS) throw new OpError('NotSupportedError', `Lengths above ${MAX_CRYPTO_OUTPUT_BITS} bits are not supported.`);
}

function capPbkdf2(a: Algorithm, bits: number): void {
  if (typeof a === 'string' || upper(a.name) !== 'PBKDF2') return;
  const iterations = Number(a.iterations);
  const hash = isPlainObject(a.hash) ? a.hash.name : a.hash;
  const blocks = Math.max(1, Math.ceil(bits / (HASH_BITS[upper(hash)] ?? 160)));
  if (iterations > MAX_PBKDF2_ITERATIONS || iterations * blocks > MAX_PBKDF2_HMACS) {
    throw new OpError('NotSupportedError', `PBKDF2 is limited to ${MAX_PBKDF2_ITERATIONS} iterations and ${MAX_PBKDF2_HMACS} iterations times output blocks.`);
  }
}

function capModulus(key: Key): void {
  const bits = (key.algorithm as { modulusLength?: number }).modulusLength;
  if (bits !== undefined && bits > MAX_RSA_MODULUS_BITS) throw new OpError('NotSupportedError', `RSA keys of more than ${MAX_RSA_MODULUS_BITS} bits are not supported.`);
}

function keyFormat(v: unknown): string {
  if (typeof v !== 'string' || !FORMATS.has(v)) throw new OpError('TypeError', 'Unknown key format.');
  return v;
}

function keyUsages(v: unknown): string[] {
  // The runtime sends them deduplicated: at most the eight usages there are.
  if (!Array.isArray(v) || v.length > 8 || !v.every((u) => typeof u === 'string')) throw new OpError('TypeError', 'Key usages are a list of strings.');
  return v;
}

function flag(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new OpError('TypeError', 'extractable is a boolean.');
  return v;
}

/** WebIDL's `unsigned long`: modulo 2^32, as deriveBits' length converts. */
function unsignedLong(v: unknown): number {
  const n = Math.trunc(Number(v));
  return Number.isFinite(n) ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32 : 0;
}

function parseJwk(bytes: ArrayBuffer): Record<string, unknown> {
  let jwk: unknown;
  try {
    jwk = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new OpError('DataError', 'The unwrapped key is not a JSON Web Key.');
  }
  if (!isPlainObject(jwk)) throw new OpError('DataError', 'The unwrapped key is not a JSON Web Key.');
  return jwk;
}

/**
 * Bytes the arguments carry, refusing anything but the shapes the runtime sends: plain
 * objects, arrays, strings, numbers, booleans, null, ArrayBuffers and views.
 */
function payloadBytes(v: unknown, depth: number): number {
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object' || v === null) return 8;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.buffer.byteLength;
  if (depth > 5 || !(Array.isArray(v) || isPlainObject(v))) throw new OpError('TypeError', 'Unexpected argument to crypto.subtle.');
  let n = 0;
  for (const k of Object.keys(v)) n += k.length + payloadBytes((v as Record<string, unknown>)[k], depth + 1);
  return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isBytes(v: unknown): boolean {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function upper(v: unknown): string {
  return typeof v === 'string' ? v.toUpperCase() : '';
}

/** Results cross into the isolate whole: a view is copied so it never carries the rest of its buffer. */
function own(v: unknown): unknown {
  return ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice().buffer : v;
}

/** Any failure as the guest may see it: a WebCrypto error name and a message without host details. */
function forGuest(e: unknown): never {
  if (e instanceof OpError) throw e;
  const { name, message } = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; message?: unknown };
  if (typeof name !== 'string' || !GUEST_ERRORS.has(name)) throw new OpError('OperationError', 'The operation failed for an operation-specific reason');
  const safe = typeof message === 'string' && message.length <= 300 && !HOST_DETAIL.test(message);
  throw new OpError(name, safe ? message : 'The operation failed');
}

/**
 * CryptoKey (WebCrypto §13). The guest sees `type`, `extractable`, `algorithm` and
 * `usages`; the key material stays in a private KeyRecord that only ever crosses to the
 * host (src/sandbox-host/host-ops/crypto.ts), which imports it afresh for each operation.
 * Nothing is kept on the host between operations: a key lives and dies with its isolate.
 */

import {
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectKeys,
  TypeError_,
  Uint8Array_,
  dataDescriptor,
  listAppend,
  registerPlatformClass,
} from '../boot-exports.ts';

/** A key as the runtime keeps it and as it crosses the bridge, both ways. */
export interface KeyRecord {
  type: 'secret' | 'public' | 'private';
  extractable: boolean;
  /** The KeyAlgorithm as the host normalised it: name, and length, hash, namedCurve, modulusLength, publicExponent as they apply. */
  algorithm: Record<string, unknown>;
  usages: string[];
  /** The format `data` imports from: how the key was imported, or raw/spki/pkcs8 for a generated or derived key. */
  format: 'raw' | 'spki' | 'pkcs8' | 'jwk';
  data: ArrayBuffer | Record<string, unknown>;
}

/** Only makeKey holds it: `new CryptoKey()` from a guest is an illegal constructor, as in browsers. */
const TOKEN = {};

/** Runtime-only access to a CryptoKey's record. */
export let keyRecordOf: (v: unknown) => KeyRecord | undefined;

export class CryptoKey {
  #record: KeyRecord;
  // Cached, as the spec's [[algorithm]] and [[usages]] slots: the same frozen objects on every read.
  #algorithm: object;
  #usages: readonly string[];

  constructor(token: unknown, record: KeyRecord) {
    if (token !== TOKEN) throw new TypeError_('Illegal constructor');
    this.#record = record;
    this.#algorithm = algorithmView(record.algorithm);
    const usages: string[] = [];
    for (let i = 0; i < record.usages.length; i++) listAppend(usages, record.usages[i]!);
    this.#usages = ObjectFreeze(usages);
  }

  get type(): string {
    return this.#record.type;
  }
  get extractable(): boolean {
    return this.#record.extractable;
  }
  get algorithm(): object {
    return this.#algorithm;
  }
  get usages(): readonly string[] {
    return this.#usages;
  }

  static {
    keyRecordOf = (v) => (typeof v === 'object' && v !== null && #record in v ? v.#record : undefined);
    // CryptoKey is [Serializable] (WebCrypto): structuredClone makes a key over the same (immutable) record.
    registerPlatformClass(this, (v) => #record in v, (v) => new CryptoKey(TOKEN, (v as CryptoKey).#record));
  }
}

/** A CryptoKey over a record the host returned. */
export function makeKey(record: KeyRecord): CryptoKey {
  return new CryptoKey(TOKEN, record);
}

/**
 * The guest's copy of the key algorithm, frozen (browsers freeze it too). Its
 * publicExponent is a copy: a typed array can't be frozen, and the record's must not change.
 */
function algorithmView(a: Record<string, unknown>): object {
  const view = {};
  const keys = ObjectKeys(a);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    let v = a[k];
    if (k === 'hash') v = ObjectFreeze(nameOnly((v as { name: string }).name));
    else if (k === 'publicExponent') v = new Uint8Array_(v as Uint8Array);
    ObjectDefineProperty(view, k, dataDescriptor(v, true, true, true));
  }
  return ObjectFreeze(view);
}

function nameOnly(name: string): { name: string } {
  const o = {};
  ObjectDefineProperty(o, 'name', dataDescriptor(name, true, true, true));
  return o as { name: string };
}

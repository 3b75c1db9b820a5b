/**
 * The host op `crypto.subtle` called directly, as the sandbox host calls it, with the
 * arguments a hostile guest could send: wrong types, huge lengths, unknown algorithms,
 * forged keys.
 */
import { describe, expect, it } from 'vitest';
import { hostOps, type OpContext } from '../../src/sandbox-host/host-ops/index.ts';
import type { KeyRecord } from '../../sandbox/src/web/crypto-key.ts';
import {
  MAX_CRYPTO_CALL_BYTES,
  MAX_CRYPTO_OUTPUT_BITS,
  MAX_PBKDF2_ITERATIONS,
  MAX_RSA_GENERATE_MODULUS_BITS,
  MAX_RSA_MODULUS_BITS,
} from '../../src/limits/index.ts';
import { opContext } from '../helpers/op-context.ts';


const op = hostOps.get('crypto.subtle')!;
/** Runs the op; a synchronous throw becomes a rejection, as the sandbox host reports both alike. */
const call = (ctx: OpContext, ...args: unknown[]): Promise<any> => Promise.resolve().then(() => op(ctx, args));
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'no error', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex')).buffer;
const hex = (b: ArrayBuffer) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s).buffer;

async function hmacKey(ctx: OpContext, extractable: boolean, usages = ['sign']): Promise<KeyRecord> {
  return call(ctx, 'importKey', 'raw', bytes('0b'.repeat(20)), { name: 'HMAC', hash: 'SHA-256' }, extractable, usages);
}

describe('host op crypto.subtle: operations', () => {
  it('crypto.subtle: digest answers with an ArrayBuffer of the hash', async () => {
    const r = await call(opContext(), 'digest', 'SHA-256', utf8('abc'));
    expect(r).toBeInstanceOf(ArrayBuffer);
    expect(hex(r)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('crypto.subtle: importKey answers with a record carrying the material as given and the normalised algorithm', async () => {
    const r = await hmacKey(opContext(), false);
    expect(r).toMatchObject({ type: 'secret', extractable: false, usages: ['sign'], format: 'raw' });
    expect(r.algorithm).toEqual({ name: 'HMAC', length: 160, hash: { name: 'SHA-256' } });
    expect(hex(r.data as ArrayBuffer)).toBe('0b'.repeat(20));
  });

  it('crypto.subtle: a record is imported afresh for each operation (RFC 4231 case 1)', async () => {
    const ctx = opContext();
    const sig = await call(ctx, 'sign', 'HMAC', await hmacKey(ctx, false), utf8('Hi There'));
    expect(hex(sig)).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('crypto.subtle: generateKey answers with records; the public key is extractable, the private key keeps the flag', async () => {
    const pair = await call(opContext(), 'generateKey', { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    expect(pair.publicKey).toMatchObject({ type: 'public', extractable: true, usages: ['verify'], format: 'spki' });
    expect(pair.privateKey).toMatchObject({ type: 'private', extractable: false, usages: ['sign'], format: 'pkcs8' });
  });

  it('crypto.subtle: an RSA key record carries its publicExponent in a buffer of its own', async () => {
    const jwk = { kty: 'RSA', n: Buffer.alloc(256, 0xc5).toString('base64url'), e: 'AQAB' };
    const r = await call(opContext(), 'importKey', 'jwk', jwk, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
    const e = r.algorithm.publicExponent as Uint8Array;
    expect([...e]).toEqual([1, 0, 1]);
    expect(e.buffer.byteLength).toBe(3);
  });

  it('crypto.subtle: the calls of one invocation run one after another, in order', async () => {
    const ctx = opContext();
    const base = await call(ctx, 'importKey', 'raw', utf8('pw'), 'PBKDF2', false, ['deriveBits']);
    const order: string[] = [];
    const slow = call(ctx, 'deriveBits', { name: 'PBKDF2', hash: 'SHA-256', salt: utf8('s'), iterations: 50_000 }, base, 256).then(() => order.push('pbkdf2'));
    const fast = call(ctx, 'digest', 'SHA-1', utf8('')).then(() => order.push('digest'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['pbkdf2', 'digest']);
  });

  it('crypto.subtle: calls still queued when the invocation ends never run', async () => {
    const ctx = opContext();
    ctx.abort();
    expect((await errorOf(call(ctx, 'digest', 'SHA-256', utf8('abc')))).name).toBe('OperationError');
  });
});

describe('host op crypto.subtle: hostile arguments', () => {
  it('crypto.subtle: an unknown method is a TypeError', async () => {
    for (const m of ['nope', '__proto__', 'constructor', 42]) expect((await errorOf(call(opContext(), m))).name).toBe('TypeError');
  });

  it("crypto.subtle: algorithms outside WebCrypto's registered ones are NotSupportedError, Node's experimental ones included", async () => {
    const ctx = opContext();
    for (const name of ['MD5', 'SHA3-256', 'cSHAKE128', 'Argon2id', 'ML-DSA-44', 'ChaCha20-Poly1305', 'Ed448', '']) {
      expect((await errorOf(call(ctx, 'digest', { name }, utf8('x')))).name, name).toBe('NotSupportedError');
    }
    expect((await errorOf(call(ctx, 'generateKey', { name: 'ChaCha20-Poly1305' }, true, ['encrypt']))).name).toBe('NotSupportedError');
    expect((await errorOf(call(ctx, 'generateKey', { name: 'HMAC', hash: 'SHA3-256' }, true, ['sign']))).name).toBe('NotSupportedError');
    expect((await errorOf(call(ctx, 'generateKey', { name: 'HMAC', hash: { name: 'KMAC128' } }, true, ['sign']))).name).toBe('NotSupportedError');
  });

  it('crypto.subtle: arguments of the wrong type are TypeError', async () => {
    const ctx = opContext();
    const key = await hmacKey(ctx, true);
    const cases: unknown[][] = [
      ['digest', 42, utf8('x')],
      ['digest', { name: 7 }, utf8('x')],
      ['digest', 'SHA-256', 'not bytes'],
      ['digest', 'SHA-256', new Map([[1, 2]])],
      ['sign', 'HMAC', { ...key, type: 'weird' }, utf8('x')],
      ['sign', 'HMAC', { ...key, extractable: 'yes' }, utf8('x')],
      ['sign', 'HMAC', { ...key, data: 'not bytes' }, utf8('x')],
      ['sign', 'HMAC', { ...key, usages: Array(9).fill('sign') }, utf8('x')],
      ['sign', 'HMAC', null, utf8('x')],
      ['importKey', 'pem', utf8('x'), 'AES-GCM', true, ['encrypt']],
      ['importKey', 'raw', utf8('0123456789abcdef'), 'AES-GCM', 'true', ['encrypt']],
      ['importKey', 'raw', utf8('0123456789abcdef'), 'AES-GCM', true, 'encrypt'],
      ['digest', 'SHA-256', { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }],
    ];
    for (const args of cases) expect((await errorOf(call(ctx, ...args))).name, JSON.stringify(args)).toBe('TypeError');
  });

  it('crypto.subtle: a record whose material is of another type than it claims is not a CryptoKey', async () => {
    const ctx = opContext();
    const pair = await call(ctx, 'generateKey', { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const forged = { ...pair.publicKey, type: 'private', usages: ['sign'] };
    expect((await errorOf(call(ctx, 'sign', { name: 'ECDSA', hash: 'SHA-256' }, forged, utf8('x')))).name).toBe('TypeError');
  });

  it(`crypto.subtle: generateKey refuses RSA moduli above ${MAX_RSA_GENERATE_MODULUS_BITS} bits and huge HMAC keys (NotSupportedError)`, async () => {
    const ctx = opContext();
    const rsa = { name: 'RSA-PSS', modulusLength: 16384, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    expect((await errorOf(call(ctx, 'generateKey', rsa, true, ['sign']))).name).toBe('NotSupportedError');
    const hmac = { name: 'HMAC', hash: 'SHA-256', length: 2 ** 31 };
    expect((await errorOf(call(ctx, 'generateKey', hmac, true, ['sign']))).name).toBe('NotSupportedError');
  });

  it(`crypto.subtle: an imported RSA key above ${MAX_RSA_MODULUS_BITS} bits is NotSupportedError`, async () => {
    const jwk = { kty: 'RSA', n: Buffer.alloc(MAX_RSA_MODULUS_BITS / 8 + 8, 0xc5).toString('base64url'), e: 'AQAB' };
    const e = await errorOf(call(opContext(), 'importKey', 'jwk', jwk, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']));
    expect(e.name).toBe('NotSupportedError');
  });

  it(`crypto.subtle: PBKDF2 is capped at ${MAX_PBKDF2_ITERATIONS} iterations and at iterations times output blocks`, async () => {
    const ctx = opContext();
    const base = await call(ctx, 'importKey', 'raw', utf8('pw'), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
    const pbkdf2 = (iterations: number) => ({ name: 'PBKDF2', hash: 'SHA-256', salt: utf8('s'), iterations });
    expect((await errorOf(call(ctx, 'deriveBits', pbkdf2(MAX_PBKDF2_ITERATIONS + 1), base, 256))).name).toBe('NotSupportedError');
    expect((await errorOf(call(ctx, 'deriveBits', pbkdf2(MAX_PBKDF2_ITERATIONS), base, 256 * 8))).name).toBe('NotSupportedError');
    const hmac = { name: 'HMAC', hash: 'SHA-256', length: 256 * 8 };
    expect((await errorOf(call(ctx, 'deriveKey', pbkdf2(MAX_PBKDF2_ITERATIONS), base, hmac, false, ['sign']))).name).toBe('NotSupportedError');
  });

  it(`crypto.subtle: deriveBits lengths above ${MAX_CRYPTO_OUTPUT_BITS} bits are NotSupportedError`, async () => {
    const ctx = opContext();
    const base = await call(ctx, 'importKey', 'raw', utf8('pw'), 'PBKDF2', false, ['deriveBits']);
    const e = await errorOf(call(ctx, 'deriveBits', { name: 'PBKDF2', hash: 'SHA-256', salt: utf8('s'), iterations: 1 }, base, 2 ** 32 - 8));
    expect(e.name).toBe('NotSupportedError');
  });

  it(`crypto.subtle: a call carrying more than ${MAX_CRYPTO_CALL_BYTES} bytes is QuotaExceededError`, async () => {
    expect((await errorOf(call(opContext(), 'digest', 'SHA-256', new ArrayBuffer(MAX_CRYPTO_CALL_BYTES)))).name).toBe('QuotaExceededError');
  });

  it('crypto.subtle: what the calls in flight carry is bounded per invocation, and freed as they finish', async () => {
    const ctx = opContext();
    const big = () => call(ctx, 'digest', 'SHA-256', new ArrayBuffer(30 * 1024 * 1024));
    const first = [big(), big()];
    expect((await errorOf(big())).name).toBe('QuotaExceededError');
    await Promise.all(first);
    expect(await big()).toBeInstanceOf(ArrayBuffer);
  });
});

describe('host op crypto.subtle: errors as the spec names them', () => {
  it('crypto.subtle: exporting a non-extractable key is InvalidAccessError', async () => {
    const ctx = opContext();
    expect((await errorOf(call(ctx, 'exportKey', 'raw', await hmacKey(ctx, false)))).name).toBe('InvalidAccessError');
  });

  it('crypto.subtle: a key used for a usage it lacks, or with another algorithm, is InvalidAccessError', async () => {
    const ctx = opContext();
    const key = await hmacKey(ctx, false, ['verify']);
    expect((await errorOf(call(ctx, 'sign', 'HMAC', key, utf8('x')))).name).toBe('InvalidAccessError');
    expect((await errorOf(call(ctx, 'encrypt', { name: 'AES-GCM', iv: new ArrayBuffer(12) }, key, utf8('x')))).name).toBe('InvalidAccessError');
  });

  it("crypto.subtle: malformed key data is DataError; a failed decryption is OperationError without OpenSSL's details", async () => {
    const ctx = opContext();
    const bad = await errorOf(call(ctx, 'importKey', 'spki', utf8('not der'), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']));
    expect(bad.name).toBe('DataError');
    const key = await call(ctx, 'importKey', 'raw', new ArrayBuffer(16), 'AES-CBC', false, ['decrypt']);
    const failed = await errorOf(call(ctx, 'decrypt', { name: 'AES-CBC', iv: new ArrayBuffer(16) }, key, new ArrayBuffer(32)));
    expect(failed.name).toBe('OperationError');
    expect(failed.message).not.toMatch(/error:|routines/);
  });

  it('crypto.subtle: a PBKDF2 key imported as extractable is SyntaxError; empty usages for a secret key too', async () => {
    const ctx = opContext();
    expect((await errorOf(call(ctx, 'importKey', 'raw', utf8('pw'), 'PBKDF2', true, ['deriveBits']))).name).toBe('SyntaxError');
    expect((await errorOf(call(ctx, 'generateKey', { name: 'AES-GCM', length: 128 }, true, []))).name).toBe('SyntaxError');
  });
});

/**
 * crypto.subtle in the real runtime bundle, in a real isolate, with its host operations run
 * by the handlers of src/sandbox-host/host-ops as a sandbox host runs them. Known answers
 * come from the RFCs and NIST publications named in each test.
 */
import { describe, expect, it } from 'vitest';
import type { GuestResult } from '../../sandbox/src/bridge.ts';
import { hostOps } from '../../src/sandbox-host/host-ops/index.ts';
import { opContext } from '../helpers/op-context.ts';
import { guestIsolates, nodeTimers } from '../helpers/guest.ts';

const isolates = guestIsolates();


/**
 * Boots an isolate with the runtime and loads `code`. Timers fire on Node's timers; host
 * operations run the handler from `hostOps` and settle later, `{name, message}` on failure.
 */
function start(code: string): { invoke(): Promise<GuestResult> } {
  const guest = isolates.boot();
  const pending = new Map<number, (r: GuestResult) => void>();
  const ctx = opContext();
  let nextCall = 1;
  guest.setHooks({
    log: () => {},
    ...nodeTimers(guest),
    done: (id, result) => {
      pending.get(id)?.(result);
      pending.delete(id);
    },
    call: (op, args) => {
      const handler = hostOps.get(op);
      if (handler === undefined) throw new TypeError(`Unknown host operation ${op}`);
      const id = nextCall++;
      Promise.resolve()
        .then(() => handler(ctx, args))
        .then(
          (value) => !guest.isDisposed && guest.settle(id, true, value),
          (e: Error) => !guest.isDisposed && guest.settle(id, false, { name: e.name, message: e.message }),
        );
      return id;
    },
    chunk: () => {},
    end: () => {},
    finished: () => {},
  });
  const loaded = guest.load(code, 'fn.js', {}, { name: 'fn', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20 });
  expect(loaded.kind, JSON.stringify(loaded)).toBe('loaded');
  let nextId = 1;
  return {
    invoke() {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        guest.invoke(id, { kind: 'event', requestId: `req-${id}`, payload: '{}', timeEpochMs: Date.now(), deadlineMs: Date.now() + 30_000 }, undefined);
      });
    },
  };
}

/** Helpers the guest code below uses. */
const PRELUDE = `
const subtle = crypto.subtle;
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
const utf8 = (s) => new TextEncoder().encode(s);
const errorName = async (p) => { try { await p; return 'no error'; } catch (e) { return e.name; } };
`;

/** Runs `body` (the body of an async function) in a fresh isolate; returns what it returned. */
async function guest(body: string): Promise<any> {
  const fn = start(`${PRELUDE}\nexports.handler = async () => { ${body} };`);
  const r = await fn.invoke();
  if (r.kind !== 'result') throw new Error(`guest failed: ${JSON.stringify(r)}`);
  return JSON.parse(r.payload);
}

describe('crypto.subtle: known answers', () => {
  it('digest: SHA-1, SHA-256, SHA-384 and SHA-512 of "abc" and of the empty string (FIPS 180-4 examples)', async () => {
    const out = await guest(`
      const r = {};
      for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) r[h] = [hex(await subtle.digest(h, utf8('abc'))), hex(await subtle.digest({ name: h }, new ArrayBuffer(0)))];
      return r;`);
    expect(out).toEqual({
      'SHA-1': ['a9993e364706816aba3e25717850c26c9cd0d89d', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
      'SHA-256': ['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      'SHA-384': [
        'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
        '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
      ],
      'SHA-512': [
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
      ],
    });
  });

  it('digest: the data is copied when the call is made; later changes to it do not count', async () => {
    const out = await guest(`
      const data = utf8('abc');
      const p = subtle.digest('SHA-256', data);
      data.fill(0);
      return hex(await p);`);
    expect(out).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('HMAC-SHA-256: RFC 4231 test cases 1 and 2, sign and verify', async () => {
    const out = await guest(`
      const alg = { name: 'HMAC', hash: 'SHA-256' };
      const k1 = await subtle.importKey('raw', new Uint8Array(20).fill(0x0b), alg, false, ['sign', 'verify']);
      const k2 = await subtle.importKey('raw', utf8('Jefe'), alg, false, ['sign', 'verify']);
      const s1 = await subtle.sign('HMAC', k1, utf8('Hi There'));
      const s2 = await subtle.sign('HMAC', k2, utf8('what do ya want for nothing?'));
      return {
        s1: hex(s1), s2: hex(s2),
        ok: await subtle.verify('HMAC', k2, s2, utf8('what do ya want for nothing?')),
        tampered: await subtle.verify('HMAC', k2, s2, utf8('what do ya want for nothing!')),
      };`);
    expect(out).toEqual({
      s1: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      s2: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      ok: true,
      tampered: false,
    });
  });

  it('PBKDF2-HMAC-SHA-256: RFC 7914 §11 vectors ("passwd"/"salt", 1 iteration; "Password"/"NaCl", 80000 iterations)', async () => {
    const out = await guest(`
      const run = async (p, s, c) => {
        const key = await subtle.importKey('raw', utf8(p), 'PBKDF2', false, ['deriveBits']);
        return hex(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: utf8(s), iterations: c }, key, 512));
      };
      return [await run('passwd', 'salt', 1), await run('Password', 'NaCl', 80000)];`);
    expect(out).toEqual([
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
      '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d',
    ]);
  });

  it('HKDF-SHA-256: RFC 5869 test case 1', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', new Uint8Array(22).fill(0x0b), 'HKDF', false, ['deriveBits']);
      return hex(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: unhex('000102030405060708090a0b0c'), info: unhex('f0f1f2f3f4f5f6f7f8f9') }, key, 42 * 8));`);
    expect(out).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('AES-GCM: McGrew-Viega test case 4 (AES-128 with additional data), encrypt and decrypt', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', unhex('feffe9928665731c6d6a8f9467308308'), 'AES-GCM', false, ['encrypt', 'decrypt']);
      const alg = { name: 'AES-GCM', iv: unhex('cafebabefacedbaddecaf888'), additionalData: unhex('feedfacedeadbeeffeedfacedeadbeefabaddad2') };
      const plain = unhex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39');
      const sealed = await subtle.encrypt(alg, key, plain);
      const tampered = new Uint8Array(sealed).slice(); tampered[0] ^= 1;
      return { sealed: hex(sealed), opened: hex(await subtle.decrypt(alg, key, sealed)), tampered: await errorName(subtle.decrypt(alg, key, tampered)) };`);
    expect(out).toEqual({
      sealed:
        '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091' +
        '5bc94fbc3221a5db94fae95ae7121a47',
      opened: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
      tampered: 'OperationError',
    });
  });

  it('AES-CBC: NIST SP 800-38A F.2.1 (CBC-AES128), then the PKCS#7 padding block WebCrypto adds', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', unhex('2b7e151628aed2a6abf7158809cf4f3c'), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']);
      const alg = { name: 'AES-CBC', iv: unhex('000102030405060708090a0b0c0d0e0f') };
      const plain = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
      const sealed = await subtle.encrypt(alg, key, unhex(plain));
      return { length: sealed.byteLength, blocks: hex(sealed.slice(0, 64)), opened: hex(await subtle.decrypt(alg, key, sealed)) === plain };`);
    expect(out).toEqual({
      length: 80,
      blocks: '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7',
      opened: true,
    });
  });

  it('Ed25519: RFC 8032 §7.1 test 1, sign and verify', async () => {
    const out = await guest(`
      const priv = await subtle.importKey('pkcs8', unhex('302e020100300506032b657004220420' + '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'), 'Ed25519', false, ['sign']);
      const pub = await subtle.importKey('raw', unhex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'), 'Ed25519', true, ['verify']);
      const sig = await subtle.sign('Ed25519', priv, new Uint8Array(0));
      return { sig: hex(sig), ok: await subtle.verify({ name: 'Ed25519' }, pub, sig, new Uint8Array(0)), other: await subtle.verify('Ed25519', pub, sig, utf8('x')) };`);
    expect(out).toEqual({
      sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ok: true,
      other: false,
    });
  });

  it('ECDSA P-256: verifies the RFC 6979 A.2.5 signature of "sample" with SHA-256', async () => {
    const out = await guest(`
      const pub = await subtle.importKey('raw', unhex('04' + '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' + '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299'), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
      const sig = unhex('efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' + 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8');
      const alg = { name: 'ECDSA', hash: { name: 'SHA-256' } };
      return [await subtle.verify(alg, pub, sig, utf8('sample')), await subtle.verify(alg, pub, sig, utf8('test'))];`);
    expect(out).toEqual([true, false]);
  });

  it('AES-KW: wrapKey gives the RFC 3394 §4.1 ciphertext; unwrapKey gives the key back', async () => {
    const out = await guest(`
      const kek = await subtle.importKey('raw', unhex('000102030405060708090a0b0c0d0e0f'), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
      const key = await subtle.importKey('raw', unhex('00112233445566778899aabbccddeeff'), 'AES-GCM', true, ['encrypt']);
      const wrapped = await subtle.wrapKey('raw', key, kek, 'AES-KW');
      const back = await subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-GCM', true, ['decrypt']);
      return { wrapped: hex(wrapped), back: hex(await subtle.exportKey('raw', back)), usages: back.usages, algorithm: back.algorithm };`);
    expect(out).toEqual({
      wrapped: '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5',
      back: '00112233445566778899aabbccddeeff',
      usages: ['decrypt'],
      algorithm: { name: 'AES-GCM', length: 128 },
    });
  });
});

describe('crypto.subtle: round trips with generated keys', () => {
  it('ECDSA P-256: a generated pair signs and verifies; a changed message does not verify', async () => {
    const out = await guest(`
      const { publicKey, privateKey } = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
      const alg = { name: 'ECDSA', hash: 'SHA-256' };
      const sig = await subtle.sign(alg, privateKey, utf8('msg'));
      return { length: sig.byteLength, ok: await subtle.verify(alg, publicKey, sig, utf8('msg')), other: await subtle.verify(alg, publicKey, sig, utf8('msh')) };`);
    expect(out).toEqual({ length: 64, ok: true, other: false });
  });

  it('RSA-PSS and RSASSA-PKCS1-v1_5: generated keys sign; their exported public keys verify', async () => {
    const out = await guest(`
      const out = {};
      for (const [name, params] of [['RSA-PSS', { name: 'RSA-PSS', saltLength: 32 }], ['RSASSA-PKCS1-v1_5', 'RSASSA-PKCS1-v1_5']]) {
        const pair = await subtle.generateKey({ name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']);
        const spki = await subtle.exportKey('spki', pair.publicKey);
        const pub = await subtle.importKey('spki', spki, { name, hash: 'SHA-256' }, false, ['verify']);
        const sig = await subtle.sign(params, pair.privateKey, utf8('msg'));
        out[name] = [sig.byteLength, await subtle.verify(params, pub, sig, utf8('msg')), await subtle.verify(params, pub, sig, utf8('other')), pair.publicKey.algorithm.modulusLength];
      }
      return out;`);
    expect(out).toEqual({ 'RSA-PSS': [256, true, false, 2048], 'RSASSA-PKCS1-v1_5': [256, true, false, 2048] });
  });

  it('ECDH: both sides derive the same bits, and deriveKey gives an AES key that works', async () => {
    const out = await guest(`
      const alg = { name: 'ECDH', namedCurve: 'P-256' };
      const a = await subtle.generateKey(alg, false, ['deriveBits', 'deriveKey']);
      const b = await subtle.generateKey(alg, false, ['deriveBits']);
      const ab = await subtle.deriveBits({ name: 'ECDH', public: b.publicKey }, a.privateKey, 256);
      const ba = await subtle.deriveBits({ name: 'ECDH', public: a.publicKey }, b.privateKey, 256);
      const aes = await subtle.deriveKey({ name: 'ECDH', public: b.publicKey }, a.privateKey, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      const iv = new Uint8Array(12);
      const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, aes, utf8('hello'));
      return { same: hex(ab) === hex(ba), length: ab.byteLength, opened: new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed)), type: aes.type, extractable: aes.extractable };`);
    expect(out).toEqual({ same: true, length: 32, opened: 'hello', type: 'secret', extractable: false });
  });

  it('PBKDF2 and HKDF: deriveKey makes AES and HMAC keys of the requested shape', async () => {
    const out = await guest(`
      const pw = await subtle.importKey('raw', utf8('pw'), 'PBKDF2', false, ['deriveKey']);
      const aes = await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: utf8('salt'), iterations: 1000 }, pw, { name: 'AES-CBC', length: 128 }, true, ['encrypt']);
      const ikm = await subtle.importKey('raw', utf8('ikm'), 'HKDF', false, ['deriveKey']);
      const mac = await subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) }, ikm, { name: 'HMAC', hash: 'SHA-384' }, false, ['sign']);
      return { aes: [aes.algorithm, (await subtle.exportKey('raw', aes)).byteLength], mac: [mac.algorithm, (await subtle.sign('HMAC', mac, utf8('x'))).byteLength] };`);
    expect(out).toEqual({ aes: [{ name: 'AES-CBC', length: 128 }, 16], mac: [{ name: 'HMAC', hash: { name: 'SHA-384' }, length: 1024 }, 48] });
  });

  it('JWK: HMAC, ECDSA and RSA keys export to JWK and import back to the same key', async () => {
    const out = await guest(`
      const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
      const hjwk = await subtle.exportKey('jwk', hmac);
      const hback = await subtle.importKey('jwk', hjwk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const ec = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
      const ejwk = await subtle.exportKey('jwk', ec.privateKey);
      const eback = await subtle.importKey('jwk', ejwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
      const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, eback, utf8('m'));
      const rsa = await subtle.generateKey({ name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
      const rjwk = await subtle.exportKey('jwk', rsa.publicKey);
      const rback = await subtle.importKey('jwk', rjwk, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
      return {
        hmac: [hjwk.kty, hjwk.alg, hex(await subtle.sign('HMAC', hmac, utf8('m'))) === hex(await subtle.sign('HMAC', hback, utf8('m')))],
        ec: [ejwk.kty, ejwk.crv, typeof ejwk.d, await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ec.publicKey, sig, utf8('m')), JSON.stringify(await subtle.exportKey('jwk', eback)) === JSON.stringify(ejwk)],
        rsa: [rjwk.kty, rjwk.alg, rjwk.e, (await subtle.exportKey('jwk', rback)).n === rjwk.n],
      };`);
    expect(out).toEqual({ hmac: ['oct', 'HS256', true], ec: ['EC', 'P-256', 'string', true, true], rsa: ['RSA', 'PS256', 'AQAB', true] });
  });
});

describe('crypto.subtle: CryptoKey and SubtleCrypto', () => {
  it('CryptoKey: type, extractable, algorithm and usages as the spec says; algorithm and usages are cached and frozen', async () => {
    const out = await guest(`
      const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt', 'encrypt']);
      const rsa = await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']);
      const alg = rsa.privateKey.algorithm;
      return {
        key: [key.type, key.extractable, key.algorithm, key.usages],
        cached: key.algorithm === key.algorithm && key.usages === key.usages,
        frozen: [Object.isFrozen(key.algorithm), Object.isFrozen(key.usages), Object.isFrozen(alg.hash)],
        rsa: [rsa.privateKey.type, rsa.privateKey.extractable, rsa.publicKey.type, rsa.publicKey.extractable, alg.name, alg.modulusLength, alg.hash, [...alg.publicExponent], alg.publicExponent instanceof Uint8Array],
        tags: [Object.prototype.toString.call(key), String(subtle), key instanceof CryptoKey, subtle instanceof SubtleCrypto],
      };`);
    expect(out).toEqual({
      key: ['secret', true, { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt']],
      cached: true,
      frozen: [true, true, true],
      rsa: ['private', false, 'public', true, 'RSASSA-PKCS1-v1_5', 1024, { name: 'SHA-256' }, [1, 0, 1], true],
      tags: ['[object CryptoKey]', '[object SubtleCrypto]', true, true],
    });
  });

  it('CryptoKey and SubtleCrypto: not constructible; crypto.subtle is one object; methods need a SubtleCrypto', async () => {
    const out = await guest(`
      const tryNew = (C) => { try { new C(); return 'constructed'; } catch (e) { return e.name; } };
      return {
        news: [tryNew(CryptoKey), tryNew(SubtleCrypto)],
        same: crypto.subtle === crypto.subtle,
        unbound: await errorName(SubtleCrypto.prototype.digest.call({}, 'SHA-256', new Uint8Array(1))),
        enumerable: Object.keys(SubtleCrypto.prototype).includes('digest'),
        lengths: [subtle.digest.length, subtle.importKey.length, subtle.unwrapKey.length],
      };`);
    expect(out).toEqual({ news: ['TypeError', 'TypeError'], same: true, unbound: 'TypeError', enumerable: true, lengths: [2, 5, 7] });
  });

  it('CryptoKey: the key material is nowhere on the object', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', new Uint8Array(16).fill(7), 'AES-GCM', false, ['encrypt']);
      return { own: Reflect.ownKeys(key).length, json: JSON.stringify(key), clone: Object.keys(structuredClone(key)).length };`);
    expect(out).toEqual({ own: 0, json: '{}', clone: 0 });
  });

  it('CryptoKey: structuredClone gives a CryptoKey with the same attributes that signs as the original does', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', utf8('Jefe'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const { k: copy, again } = structuredClone({ k: key, again: key });
      return {
        isKey: copy instanceof CryptoKey, distinct: copy !== key, shared: again === copy,
        attributes: [copy.type, copy.extractable, copy.algorithm.name, copy.algorithm.hash.name, copy.usages],
        same: hex(await subtle.sign('HMAC', copy, utf8('x'))) === hex(await subtle.sign('HMAC', key, utf8('x'))),
      };`);
    expect(out).toEqual({ isKey: true, distinct: true, shared: true, attributes: ['secret', false, 'HMAC', 'SHA-256', ['sign']], same: true });
  });

  it('crypto.subtle: a guest that patches Promise.prototype.constructor never sees the host answer carrying key material', async () => {
    const out = await guest(`
      // Every promise whose constructor is looked up gets a reaction that records its value.
      const seen = new Set();
      const values = [];
      const then = Promise.prototype.then;
      Object.defineProperty(Promise.prototype, 'constructor', { configurable: true, get() {
        if (!seen.has(this)) { seen.add(this); then.call(this, (v) => values.push(v), (e) => values.push(e)); }
        return Promise;
      } });
      const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      await subtle.sign('HMAC', key, utf8('x'));
      await null;
      delete Promise.prototype.constructor;
      const leaked = values.filter((v) => v && typeof v === 'object' && ('data' in v || 'format' in v));
      return { looked: seen.size > 0, leaked: leaked.length, exported: await errorName(subtle.exportKey('raw', key)) };`);
    expect(out).toEqual({ looked: true, leaked: 0, exported: 'InvalidAccessError' });
  });
});

describe('crypto.subtle: errors as the spec names them', () => {
  it('exportKey of a non-extractable key is InvalidAccessError', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const pair = await subtle.generateKey('Ed25519', false, ['sign', 'verify']);
      return [await errorName(subtle.exportKey('raw', key)), await errorName(subtle.exportKey('pkcs8', pair.privateKey)), (await subtle.exportKey('raw', pair.publicKey)).byteLength];`);
    expect(out).toEqual(['InvalidAccessError', 'InvalidAccessError', 32]);
  });

  it('a key used for a usage it lacks, or with another algorithm, is InvalidAccessError', async () => {
    const out = await guest(`
      const key = await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
      const mac = await subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      const iv = new Uint8Array(12);
      return [
        await errorName(subtle.decrypt({ name: 'AES-GCM', iv }, key, new Uint8Array(32))),
        await errorName(subtle.sign('HMAC', mac, utf8('x'))),
        await errorName(subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, key, utf8('x'))),
        await errorName(subtle.wrapKey('raw', key, key, 'AES-KW')),
      ];`);
    expect(out).toEqual(['InvalidAccessError', 'InvalidAccessError', 'InvalidAccessError', 'InvalidAccessError']);
  });

  it('unknown algorithms are NotSupportedError; bad key data DataError; misused parameters SyntaxError', async () => {
    const out = await guest(`
      return {
        unknown: [await errorName(subtle.digest('MD5', utf8('x'))), await errorName(subtle.generateKey({ name: 'ChaCha20-Poly1305' }, true, ['encrypt']))],
        data: await errorName(subtle.importKey('spki', utf8('not der'), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])),
        syntax: [
          await errorName(subtle.importKey('raw', utf8('pw'), 'PBKDF2', true, ['deriveBits'])),
          await errorName(subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, [])),
        ],
        capped: await errorName(subtle.generateKey({ name: 'RSA-PSS', modulusLength: 8192, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign'])),
      };`);
    expect(out).toEqual({
      unknown: ['NotSupportedError', 'NotSupportedError'],
      data: 'DataError',
      syntax: ['SyntaxError', 'SyntaxError'],
      capped: 'NotSupportedError',
    });
  });

  it('WebIDL type errors reject (never throw) with TypeError: missing arguments, non-BufferSource data, non-keys, bad enums', async () => {
    const out = await guest(`
      let threw = false;
      let missing;
      try { missing = errorName(subtle.digest('SHA-256')); } catch { threw = true; }
      const key = await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
      return {
        threw,
        rejections: [
          await missing,
          await errorName(subtle.digest('SHA-256', 'abc')),
          await errorName(subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, { type: 'secret' }, utf8('x'))),
          await errorName(subtle.importKey('pem', new Uint8Array(1), 'AES-GCM', false, ['encrypt'])),
          await errorName(subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'fly'])),
          await errorName(subtle.importKey('jwk', new Uint8Array(16), 'AES-GCM', false, ['encrypt'])),
          await errorName(subtle.encrypt({ name: 'AES-GCM', iv: 'not bytes' }, key, utf8('x'))),
        ],
        name: (await subtle.digest('SHA-256', utf8('x')).catch((e) => e)) instanceof ArrayBuffer,
      };`);
    expect(out).toEqual({ threw: false, rejections: Array(7).fill('TypeError'), name: true });
  });

  it('errors are DOMExceptions with the legacy code of their name', async () => {
    const out = await guest(`
      const e = await subtle.digest('MD5', utf8('x')).catch((e) => e);
      return [e instanceof DOMException, e.name, e.code];`);
    expect(out).toEqual([true, 'NotSupportedError', 9]);
  });
});

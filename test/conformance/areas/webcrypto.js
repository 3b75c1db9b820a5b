/**
 * Web Cryptography: known-answer vectors from the RFCs and NIST (SHA digests of FIPS 180
 * examples, HMAC RFC 4231 cases 1-4, PBKDF2 RFC 6070 and RFC 7914, HKDF RFC 5869 cases
 * 1-3, AES-GCM from the GCM specification's test cases, AES-CBC from NIST SP 800-38A
 * F.2.1, Ed25519 RFC 8032 tests 1-3, ECDSA P-256 RFC 6979 A.2.5), JWK round trips, key
 * generation, ECDH agreement, the errors the spec names, and getRandomValues/randomUUID.
 */
import { area, hex, latin1, unhex } from '../harness.js';

const subtle = () => crypto.subtle;

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const range = (from, to) => {
  const out = new Uint8Array(to - from + 1);
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
};
const fill = (byte, n) => new Uint8Array(n).fill(byte);

const DIGESTS = [
  ['SHA-1', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['SHA-1', '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['SHA-1', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['SHA-256', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['SHA-256', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['SHA-256', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['SHA-384', 'abc', 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
  ['SHA-384', '', '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b'],
  ['SHA-512', 'abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  ['SHA-512', '', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
];

/** RFC 4231 test cases 1-4: [case, key, data, {hash: mac}]. */
const HMAC = [
  [1, fill(0x0b, 20), latin1('Hi There'), {
    'SHA-256': 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    'SHA-384': 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
    'SHA-512': '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
  }],
  [2, latin1('Jefe'), latin1('what do ya want for nothing?'), {
    'SHA-256': '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    'SHA-384': 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
    'SHA-512': '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  }],
  [3, fill(0xaa, 20), fill(0xdd, 50), {
    'SHA-256': '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    'SHA-384': '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
    'SHA-512': 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
  }],
  [4, range(0x01, 0x19), fill(0xcd, 50), {
    'SHA-256': '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    'SHA-384': '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
    'SHA-512': 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
  }],
];

/** [source, hash, password, salt, iterations, bits, derived]. */
const PBKDF2 = [
  ['RFC 6070 case 1', 'SHA-1', 'password', 'salt', 1, 160, '0c60c80f961f0e71f3a9b524af6012062fe037a6'],
  ['RFC 6070 case 2', 'SHA-1', 'password', 'salt', 2, 160, 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957'],
  ['RFC 6070 case 3', 'SHA-1', 'password', 'salt', 4096, 160, '4b007901b765489abead49d926f721d065a429c1'],
  ['RFC 7914 §11', 'SHA-256', 'passwd', 'salt', 1, 512, '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783'],
];

/** RFC 5869 cases 1-3 (SHA-256): [case, ikm, salt, info, bytes, okm]. */
const HKDF = [
  [1, fill(0x0b, 22), unhex('000102030405060708090a0b0c'), unhex('f0f1f2f3f4f5f6f7f8f9'), 42, '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'],
  [2, range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82, 'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87'],
  [3, fill(0x0b, 22), new Uint8Array(0), new Uint8Array(0), 42, '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'],
];

const GCM_KEY = 'feffe9928665731c6d6a8f9467308308';
const GCM_IV = 'cafebabefacedbaddecaf888';
const GCM_P = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const GCM_C = '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985';

/** The GCM specification's test cases 1-4 (AES-128): [case, key, iv, plaintext, aad, ciphertext || tag]. */
const AES_GCM = [
  [1, '00000000000000000000000000000000', '000000000000000000000000', '', '', '58e2fccefa7e3061367f1d57a4e7455a'],
  [2, '00000000000000000000000000000000', '000000000000000000000000', '00000000000000000000000000000000', '', '0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf'],
  [3, GCM_KEY, GCM_IV, GCM_P, '', `${GCM_C}4d5c2af327cd64a62cf35abd2ba6fab4`],
  [4, GCM_KEY, GCM_IV, GCM_P.slice(0, 120), 'feedfacedeadbeeffeedfacedeadbeefabaddad2', `${GCM_C.slice(0, 120)}5bc94fbc3221a5db94fae95ae7121a47`],
];

const CBC_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const CBC_IV = '000102030405060708090a0b0c0d0e0f';
const CBC_P = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
const CBC_C = '7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7';

/** RFC 8032 §7.1 tests 1-3: [test, secret, public, message, signature]. */
const ED25519 = [
  [1, '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '', 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
  [2, '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72', '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
  [3, 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82', '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
];

/** RFC 6979 A.2.5: the P-256 key and deterministic SHA-256 signatures (r || s). */
const P256 = {
  d: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  x: '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6',
  y: '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  signatures: [
    ['sample', 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8'],
    ['test', 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083'],
  ],
};

const p256PublicJwk = () => ({ kty: 'EC', crv: 'P-256', x: b64url(unhex(P256.x)), y: b64url(unhex(P256.y)) });

export default area('webcrypto', (test) => {
  for (const [hash, input, expected] of DIGESTS) {
    test(`digest: ${hash} of ${JSON.stringify(input)}`, async (t) => {
      t.equal(hex(await subtle().digest(hash, latin1(input))), expected);
    });
  }

  test('digest: algorithm names are case-insensitive and may be dictionaries', async (t) => {
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    t.equal(hex(await subtle().digest('sha-256', latin1('abc'))), expected, 'lower case');
    t.equal(hex(await subtle().digest({ name: 'Sha-256' }, latin1('abc'))), expected, 'dictionary');
    t.equal(hex(await subtle().digest('SHA-256', latin1('abc').buffer)), expected, 'ArrayBuffer input');
    t.equal(hex(await subtle().digest('SHA-256', new DataView(latin1('xabcx').buffer, 1, 3))), expected, 'DataView input');
  });

  test('digest: unknown algorithms and bad data', async (t) => {
    await t.rejects(() => subtle().digest('MD5', new Uint8Array(1)), 'NotSupportedError', 'MD5');
    await t.rejects(() => subtle().digest('SHA-257', new Uint8Array(1)), 'NotSupportedError', 'unknown name');
    await t.rejects(() => subtle().digest('SHA-256', 'a string'), 'TypeError', 'a string is not a BufferSource');
  });

  for (const [n, key, data, macs] of HMAC) {
    for (const [hash, mac] of Object.entries(macs)) {
      test(`HMAC: RFC 4231 test case ${n} with ${hash}`, async (t) => {
        const k = await subtle().importKey('raw', key, { name: 'HMAC', hash }, false, ['sign', 'verify']);
        t.equal(hex(await subtle().sign('HMAC', k, data)), mac, 'sign');
        t.equal(await subtle().verify('HMAC', k, unhex(mac), data), true, 'verify');
        const bad = unhex(mac);
        bad[0] ^= 1;
        t.equal(await subtle().verify('HMAC', k, bad, data), false, 'verify a flipped bit');
      });
    }
  }

  test('HMAC: a key imported for sign only cannot verify', async (t) => {
    const k = await subtle().importKey('raw', fill(1, 16), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await t.rejects(() => subtle().verify('HMAC', k, new Uint8Array(32), new Uint8Array(1)), 'InvalidAccessError');
  });

  test('HMAC: generateKey gives a key of the hash block size by default', async (t) => {
    const k = await subtle().generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    t.equal(k.type, 'secret', 'type');
    t.equal(k.algorithm.name, 'HMAC', 'algorithm name');
    t.equal(k.algorithm.hash.name, 'SHA-256', 'hash');
    t.equal(k.algorithm.length, 512, 'length in bits');
    t.equal((await subtle().exportKey('raw', k)).byteLength, 64, 'raw length');
  });

  for (const [source, hash, password, salt, iterations, bits, expected] of PBKDF2) {
    test(`PBKDF2: ${source} (${hash}, ${iterations} iterations)`, async (t) => {
      const k = await subtle().importKey('raw', latin1(password), 'PBKDF2', false, ['deriveBits']);
      const out = await subtle().deriveBits({ name: 'PBKDF2', hash, salt: latin1(salt), iterations }, k, bits);
      t.equal(hex(out), expected);
    });
  }

  test('PBKDF2: zero iterations and extractable keys are errors', async (t) => {
    const k = await subtle().importKey('raw', latin1('p'), 'PBKDF2', false, ['deriveBits']);
    await t.rejects(() => subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(8), iterations: 0 }, k, 256), 'OperationError', 'zero iterations');
    await t.rejects(() => subtle().importKey('raw', latin1('p'), 'PBKDF2', true, ['deriveBits']), 'DOMException:SyntaxError', 'extractable');
  });

  test('PBKDF2: deriveKey gives a usable AES-GCM key', async (t) => {
    const base = await subtle().importKey('raw', latin1('password'), 'PBKDF2', false, ['deriveKey']);
    const key = await subtle().deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: latin1('salt'), iterations: 10 }, base, { name: 'AES-GCM', length: 128 }, true, ['encrypt', 'decrypt']);
    t.equal(key.algorithm.name, 'AES-GCM', 'algorithm');
    t.equal(key.algorithm.length, 128, 'length');
    const bits = await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: latin1('salt'), iterations: 10 }, base, 128).catch(() => null);
    t.equal(bits, null, 'a deriveKey-only key cannot deriveBits');
    const raw = await subtle().exportKey('raw', key);
    const base2 = await subtle().importKey('raw', latin1('password'), 'PBKDF2', false, ['deriveBits']);
    const same = await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: latin1('salt'), iterations: 10 }, base2, 128);
    t.equal(hex(raw), hex(same), 'the key is the derived bits');
  });

  for (const [n, ikm, salt, info, bytes, okm] of HKDF) {
    test(`HKDF: RFC 5869 test case ${n}`, async (t) => {
      const k = await subtle().importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
      t.equal(hex(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, k, bytes * 8)), okm);
    });
  }

  test('HKDF: a length that is not a multiple of 8 is an OperationError', async (t) => {
    const k = await subtle().importKey('raw', fill(1, 16), 'HKDF', false, ['deriveBits']);
    await t.rejects(() => subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) }, k, 7), 'OperationError');
  });

  for (const [n, key, iv, plaintext, aad, expected] of AES_GCM) {
    test(`AES-GCM: GCM specification test case ${n}`, async (t) => {
      const k = await subtle().importKey('raw', unhex(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
      const params = { name: 'AES-GCM', iv: unhex(iv), ...(aad ? { additionalData: unhex(aad) } : {}) };
      t.equal(hex(await subtle().encrypt(params, k, unhex(plaintext))), expected, 'encrypt');
      t.equal(hex(await subtle().decrypt(params, k, unhex(expected))), plaintext, 'decrypt');
      const tampered = unhex(expected);
      tampered[tampered.length - 1] ^= 1;
      await t.rejects(() => subtle().decrypt(params, k, tampered), 'OperationError', 'a tampered tag');
    });
  }

  test('AES-GCM: tag length, additional data and key length checks', async (t) => {
    const k = await subtle().importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
    const short = await subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 96 }, k, new Uint8Array(0));
    t.equal(short.byteLength, 12, '96-bit tag');
    t.equal(hex(short), '58e2fccefa7e3061367f1d57', 'the truncated tag of test case 1');
    await t.rejects(() => subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 100 }, k, new Uint8Array(0)), 'OperationError', 'invalid tag length');
    const c = await subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), additionalData: latin1('a') }, k, latin1('x'));
    await t.rejects(() => subtle().decrypt({ name: 'AES-GCM', iv: new Uint8Array(12), additionalData: latin1('b') }, k, c), 'OperationError', 'other additional data');
    await t.rejects(() => subtle().importKey('raw', new Uint8Array(17), 'AES-GCM', false, ['encrypt']), 'DataError', '17-byte key');
  });

  test('AES-CBC: NIST SP 800-38A F.2.1, with PKCS#7 padding after the four blocks', async (t) => {
    const k = await subtle().importKey('raw', unhex(CBC_KEY), 'AES-CBC', false, ['encrypt', 'decrypt']);
    const c = new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv: unhex(CBC_IV) }, k, unhex(CBC_P)));
    t.equal(c.byteLength, 80, 'one padding block added');
    t.equal(hex(c.subarray(0, 64)), CBC_C, 'the four NIST blocks');
    t.equal(hex(await subtle().decrypt({ name: 'AES-CBC', iv: unhex(CBC_IV) }, k, c)), CBC_P, 'decrypt');
    await t.rejects(() => subtle().decrypt({ name: 'AES-CBC', iv: unhex(CBC_IV) }, k, unhex(CBC_C)), 'OperationError', 'no valid padding');
    await t.rejects(() => subtle().encrypt({ name: 'AES-CBC', iv: new Uint8Array(8) }, k, unhex(CBC_P)), 'OperationError', '8-byte IV');
  });

  for (const [n, secret, pub, message, signature] of ED25519) {
    test(`Ed25519: RFC 8032 test ${n}`, async (t) => {
      const jwk = { kty: 'OKP', crv: 'Ed25519', d: b64url(unhex(secret)), x: b64url(unhex(pub)) };
      const priv = await subtle().importKey('jwk', jwk, 'Ed25519', false, ['sign']);
      t.equal(hex(await subtle().sign('Ed25519', priv, unhex(message))), signature, 'sign');
      const pk = await subtle().importKey('raw', unhex(pub), 'Ed25519', true, ['verify']);
      t.equal(await subtle().verify('Ed25519', pk, unhex(signature), unhex(message)), true, 'verify');
      t.equal(await subtle().verify('Ed25519', pk, unhex(signature), latin1('other')), false, 'verify another message');
      t.equal(hex(await subtle().exportKey('raw', pk)), pub, 'export raw');
    });
  }

  test('Ed25519: generateKey, sign, verify', async (t) => {
    const { publicKey, privateKey } = await subtle().generateKey('Ed25519', true, ['sign', 'verify']);
    t.equal(publicKey.type, 'public', 'public type');
    t.equal(privateKey.type, 'private', 'private type');
    t.deepEqual(publicKey.usages, ['verify'], 'public usages');
    t.deepEqual(privateKey.usages, ['sign'], 'private usages');
    const sig = await subtle().sign('Ed25519', privateKey, latin1('m'));
    t.equal(sig.byteLength, 64, 'signature length');
    t.equal(await subtle().verify('Ed25519', publicKey, sig, latin1('m')), true, 'verify');
  });

  for (const [message, signature] of P256.signatures) {
    test(`ECDSA P-256: RFC 6979 A.2.5 signature of ${JSON.stringify(message)} verifies`, async (t) => {
      const pk = await subtle().importKey('jwk', p256PublicJwk(), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
      const alg = { name: 'ECDSA', hash: 'SHA-256' };
      t.equal(await subtle().verify(alg, pk, unhex(signature), latin1(message)), true, 'verify');
      t.equal(await subtle().verify(alg, pk, unhex(signature), latin1(`${message}!`)), false, 'another message');
      const bad = unhex(signature);
      bad[63] ^= 1;
      t.equal(await subtle().verify(alg, pk, bad, latin1(message)), false, 'a flipped bit');
      t.equal(await subtle().verify(alg, pk, unhex(signature).subarray(0, 63), latin1(message)), false, 'a short signature');
    });
  }

  test('ECDSA P-256: the RFC 6979 private key signs what its public key verifies', async (t) => {
    const jwk = { ...p256PublicJwk(), d: b64url(unhex(P256.d)) };
    const priv = await subtle().importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const sig = await subtle().sign({ name: 'ECDSA', hash: 'SHA-256' }, priv, latin1('sample'));
    t.equal(sig.byteLength, 64, 'r || s, 32 bytes each');
    const pk = await subtle().importKey('jwk', p256PublicJwk(), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    t.equal(await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, pk, sig, latin1('sample')), true, 'verify');
  });

  test('ECDSA P-256: raw and spki exports of the RFC 6979 public key', async (t) => {
    const pk = await subtle().importKey('jwk', p256PublicJwk(), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    t.equal(hex(await subtle().exportKey('raw', pk)), `04${P256.x}${P256.y}`, 'raw is the uncompressed point');
    const spki = new Uint8Array(await subtle().exportKey('spki', pk));
    t.equal(spki.byteLength, 91, 'spki length');
    t.equal(hex(spki.subarray(spki.length - 65)), `04${P256.x}${P256.y}`, 'spki ends with the point');
    const again = await subtle().importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
    const jwk = await subtle().exportKey('jwk', again);
    t.deepEqual([jwk.kty, jwk.crv, jwk.x, jwk.y], ['EC', 'P-256', b64url(unhex(P256.x)), b64url(unhex(P256.y))], 'jwk after spki');
  });

  test('ECDSA: a point not on the curve is a DataError', async (t) => {
    const jwk = { ...p256PublicJwk(), y: b64url(unhex(P256.x)) };
    await t.rejects(() => subtle().importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']), 'DataError');
  });

  test('ECDH P-256: both sides derive the same secret', async (t) => {
    const alg = { name: 'ECDH', namedCurve: 'P-256' };
    const a = await subtle().generateKey(alg, false, ['deriveBits']);
    const b = await subtle().generateKey(alg, false, ['deriveBits']);
    const ab = await subtle().deriveBits({ name: 'ECDH', public: b.publicKey }, a.privateKey, 256);
    const ba = await subtle().deriveBits({ name: 'ECDH', public: a.publicKey }, b.privateKey, 256);
    t.equal(ab.byteLength, 32, 'length');
    t.equal(hex(ab), hex(ba), 'equal');
  });

  test('JWK: an HMAC key round-trips with its algorithm and operations', async (t) => {
    const key = await subtle().importKey('raw', fill(0x0b, 20), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
    const jwk = await subtle().exportKey('jwk', key);
    t.equal(jwk.kty, 'oct', 'kty');
    t.equal(jwk.k, b64url(fill(0x0b, 20)), 'k is base64url without padding');
    t.equal(jwk.alg, 'HS256', 'alg');
    t.equal(jwk.ext, true, 'ext');
    t.deepEqual(jwk.key_ops, ['sign', 'verify'], 'key_ops');
    const back = await subtle().importKey('jwk', jwk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    t.equal(hex(await subtle().sign('HMAC', back, latin1('Hi There'))), HMAC[0][3]['SHA-256'], 'signs like the original');
  });

  test('JWK: an AES-GCM key round-trips', async (t) => {
    const key = await subtle().importKey('raw', unhex(GCM_KEY), 'AES-GCM', true, ['encrypt', 'decrypt']);
    const jwk = await subtle().exportKey('jwk', key);
    t.equal(jwk.alg, 'A128GCM', 'alg');
    const back = await subtle().importKey('jwk', jwk, 'AES-GCM', true, ['decrypt']);
    t.equal(hex(await subtle().exportKey('raw', back)), GCM_KEY, 'same key');
  });

  test('JWK: inconsistent keys are DataErrors', async (t) => {
    const base = { kty: 'oct', k: b64url(fill(1, 32)) };
    await t.rejects(() => subtle().importKey('jwk', { ...base, alg: 'HS512' }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']), 'DataError', 'alg mismatch');
    await t.rejects(() => subtle().importKey('jwk', { ...base, kty: 'EC' }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']), 'DataError', 'kty mismatch');
    await t.rejects(() => subtle().importKey('jwk', { ...base, ext: false }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']), 'DataError', 'ext false but extractable requested');
  });

  test('CryptoKey: attributes, and a non-extractable key cannot be exported', async (t) => {
    const key = await subtle().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    t.ok(key instanceof CryptoKey, 'a CryptoKey');
    t.equal(key.type, 'secret', 'type');
    t.equal(key.extractable, false, 'extractable');
    t.deepEqual(key.algorithm, { name: 'AES-GCM', length: 256 }, 'algorithm');
    t.deepEqual(key.usages, ['encrypt'], 'usages');
    await t.rejects(() => subtle().exportKey('raw', key), 'InvalidAccessError', 'export');
    t.equal(Object.prototype.toString.call(key), '[object CryptoKey]', 'toStringTag');
  });

  test('SubtleCrypto: usages are checked', async (t) => {
    await t.rejects(() => subtle().generateKey({ name: 'AES-GCM', length: 128 }, true, ['sign']), 'DOMException:SyntaxError', 'a usage the algorithm does not have');
    await t.rejects(() => subtle().generateKey({ name: 'AES-GCM', length: 128 }, true, []), 'DOMException:SyntaxError', 'no usage for a secret key');
    const k = await subtle().generateKey({ name: 'AES-GCM', length: 128 }, false, ['decrypt']);
    await t.rejects(() => subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, k, new Uint8Array(1)), 'InvalidAccessError', 'encrypt without the usage');
    const h = await subtle().generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await t.rejects(() => subtle().encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, h, new Uint8Array(1)), 'InvalidAccessError', 'a key of another algorithm');
  });

  test('crypto.getRandomValues: fills integer arrays, limits and types', (t) => {
    const a = new Uint8Array(32);
    t.ok(crypto.getRandomValues(a) === a, 'returns its argument');
    t.ok(a.some((b) => b !== 0), 'not all zero');
    t.equal(crypto.getRandomValues(new Uint8Array(65536)).length, 65536, '65536 bytes is allowed');
    t.throws(() => crypto.getRandomValues(new Uint8Array(65537)), 'QuotaExceededError', 'over 65536 bytes');
    t.throws(() => crypto.getRandomValues(new Float32Array(4)), 'TypeMismatchError', 'a float array');
    t.throws(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4))), 'TypeMismatchError', 'a DataView');
    t.ok(crypto.getRandomValues(new BigUint64Array(2)) instanceof BigUint64Array, 'BigUint64Array');
  });

  test('crypto.randomUUID: a version 4 UUID', (t) => {
    const id = crypto.randomUUID();
    t.ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), 'format');
    t.ok(crypto.randomUUID() !== id, 'a new one each call');
  });

  test('SubtleCrypto: WebIDL shape', (t) => {
    t.ok(crypto.subtle instanceof SubtleCrypto, 'crypto.subtle is a SubtleCrypto');
    t.ok(crypto.subtle === crypto.subtle, 'the same object');
    t.throws(() => new SubtleCrypto(), 'TypeError', 'not constructible');
    t.throws(() => new CryptoKey(), 'TypeError', 'CryptoKey is not constructible');
  });
});

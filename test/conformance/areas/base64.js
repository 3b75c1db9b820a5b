/**
 * atob and btoa (HTML §8.3): forgiving-base64 decode (ASCII whitespace removed, optional
 * padding, failure as an InvalidCharacterError DOMException) and base64 encode of
 * Latin-1 strings.
 */
import { area } from '../harness.js';

/** [input, expected output, or null for InvalidCharacterError]. */
const ATOB = [
  ['', ''],
  ['YQ==', 'a'],
  ['YQ', 'a'],
  ['YWI=', 'ab'],
  ['YWI', 'ab'],
  ['YWJj', 'abc'],
  ['YWJjZA==', 'abcd'],
  ['YR', 'a'],
  ['YWK=', 'ab'],
  ['AAAA', '\u0000\u0000\u0000'],
  ['++++', '\u00fb\u00ef\u00be'],
  ['////', '\u00ff\u00ff\u00ff'],
  [' Y Q = = ', 'a'],
  ['\tYQ\n==\f\r', 'a'],
  ['Y\nW\nJ\nj', 'abc'],
  ['Y', null],
  ['YQ=', null],
  ['YQ===', null],
  ['=YQ=', null],
  ['Y=Q=', null],
  ['YQ==YQ==', null],
  ['YWJj=', null],
  ['YWJjZ', null],
  ['YQ==\u000b', null],
  ['YQ==\u00a0', null],
  ['ab*c', null],
  ['ab-_', null],
  ['YQ%3D', null],
  ['\u0100AAA', null],
  ['====', null],
];

/** [input, expected output, or null for InvalidCharacterError]. */
const BTOA = [
  ['', ''],
  ['a', 'YQ=='],
  ['ab', 'YWI='],
  ['abc', 'YWJj'],
  ['abcd', 'YWJjZA=='],
  ['\u0000', 'AA=='],
  ['\u00ff\u00fe', '//4='],
  ['\u00fb\u00ef\u00be', '++++'],
  ['\u0100', null],
  ['\u20ac', null],
  ['\ud83d', null],
  ['a\ud83d\udca9', null],
];

export default area('base64', (test) => {
  for (const [input, expected] of ATOB) {
    if (expected === null) {
      test(`atob: ${JSON.stringify(input)} throws InvalidCharacterError`, (t) => t.throws(() => atob(input), 'InvalidCharacterError'));
    } else {
      test(`atob: ${JSON.stringify(input)}`, (t) => t.equal(atob(input), expected));
    }
  }
  for (const [input, expected] of BTOA) {
    if (expected === null) {
      test(`btoa: ${JSON.stringify(input)} throws InvalidCharacterError`, (t) => t.throws(() => btoa(input), 'InvalidCharacterError'));
    } else {
      test(`btoa: ${JSON.stringify(input)}`, (t) => t.equal(btoa(input), expected));
    }
  }

  test('atob and btoa: arguments are converted with ToString', (t) => {
    t.equal(btoa(undefined), 'dW5kZWZpbmVk', 'btoa(undefined)');
    t.equal(btoa(null), 'bnVsbA==', 'btoa(null)');
    t.equal(btoa(12), 'MTI=', 'btoa(12)');
    t.equal(atob(null), '\u009e\u00e9e', 'atob(null)');
    t.equal(atob(12), '\u00d7', 'atob(12)');
    t.throws(() => atob(undefined), 'InvalidCharacterError', 'atob(undefined) decodes "undefined", nine characters');
    t.equal(atob({ toString: () => 'YQ' }), 'a', 'an object');
  });

  test('atob and btoa: a missing argument is a TypeError', (t) => {
    t.throws(() => atob(), 'TypeError', 'atob()');
    t.throws(() => btoa(), 'TypeError', 'btoa()');
  });

  test('atob and btoa: the error is a DOMException with the legacy code 5', (t) => {
    try {
      atob('*');
      t.fail('did not throw');
    } catch (e) {
      t.ok(e instanceof DOMException, 'instance of DOMException');
      t.equal(e.name, 'InvalidCharacterError', 'name');
      t.equal(e.code, 5, 'code');
    }
  });

  test('atob and btoa: every byte value round-trips', (t) => {
    let all = '';
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    const encoded = btoa(all);
    t.equal(encoded.length, 344, 'length');
    t.equal(encoded.slice(0, 8), 'AAECAwQF', 'start');
    t.equal(encoded.slice(-8), '/P3+/w==', 'end');
    t.equal(atob(encoded), all, 'round trip');
  });
});

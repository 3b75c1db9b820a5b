/**
 * WHATWG Encoding: TextEncoder (encode, encodeInto) and TextDecoder (labels, the UTF-8
 * decoder's replacement of each invalid sequence class with "maximal subparts", fatal
 * mode, BOM handling, streaming across chunk boundaries, the other encodings the standard
 * requires).
 */
import { area } from '../harness.js';

const bytes = (...b) => new Uint8Array(b);
const R = '\ufffd';

/** [description, bytes, expected lossy decoding]: the UTF-8 decoder's error classes. */
const INVALID_UTF8 = [
  ['a lone continuation byte', [0x80], R],
  ['two lone continuation bytes', [0x80, 0xbf], R + R],
  ['0xFF', [0xff], R],
  ['0xFE', [0xfe], R],
  ['0xC0 and 0xC1 never start a sequence', [0xc0, 0xc1], R + R],
  ['0xF5..0xF7 never start a sequence', [0xf5, 0xf6, 0xf7], R + R + R],
  ['0xF8 five-byte form', [0xf8, 0x88, 0x80, 0x80, 0x80], R.repeat(5)],
  ['a two-byte sequence truncated at the end', [0xc3], R],
  ['a three-byte sequence truncated after two bytes is one maximal subpart', [0xe2, 0x82], R],
  ['a four-byte sequence truncated after three bytes is one maximal subpart', [0xf0, 0x9f, 0x92], R],
  ['a truncated sequence followed by ASCII', [0x41, 0xc3, 0x42], `A${R}B`],
  ['a truncated four-byte sequence followed by ASCII', [0xf0, 0x9f, 0x41], `${R}A`],
  ['overlong two-byte NUL', [0xc0, 0x80], R + R],
  ['overlong three-byte form (E0 needs A0..BF next)', [0xe0, 0x80, 0x80], R + R + R],
  ['overlong four-byte form (F0 needs 90..BF next)', [0xf0, 0x80, 0x80, 0x80], R.repeat(4)],
  ['an encoded surrogate (ED needs 80..9F next)', [0xed, 0xa0, 0x80], R + R + R],
  ['an encoded surrogate pair', [0xed, 0xa0, 0xbd, 0xed, 0xb2, 0xa9], R.repeat(6)],
  ['above U+10FFFF (F4 needs 80..8F next)', [0xf4, 0x90, 0x80, 0x80], R.repeat(4)],
  ['a valid lead and second byte, then ASCII', [0xe0, 0xa0, 0x41], `${R}A`],
  ['a lead byte interrupting a sequence', [0xe2, 0xc3, 0xa9], `${R}\u00e9`],
];

/** [description, bytes, expected]: well-formed UTF-8 at the edges of each length. */
const VALID_UTF8 = [
  ['ASCII and NUL', [0x00, 0x41, 0x7f], '\u0000A\u007f'],
  ['U+0080 and U+07FF', [0xc2, 0x80, 0xdf, 0xbf], '\u0080\u07ff'],
  ['U+0800 and U+FFFF (a noncharacter is still decoded)', [0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf], '\u0800\uffff'],
  ['U+D7FF and U+E000 around the surrogates', [0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80], '\ud7ff\ue000'],
  ['U+10000 and U+10FFFF', [0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf], '\ud800\udc00\udbff\udfff'],
];

export default area('encoding', (test) => {
  for (const [what, input, expected] of INVALID_UTF8) {
    test(`TextDecoder: ${what} decodes to replacement characters, and throws when fatal`, (t) => {
      t.equal(new TextDecoder().decode(new Uint8Array(input)), expected, 'lossy');
      t.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(input)), 'TypeError', 'fatal');
    });
  }

  for (const [what, input, expected] of VALID_UTF8) {
    test(`TextDecoder: ${what}`, (t) => {
      t.equal(new TextDecoder().decode(new Uint8Array(input)), expected, 'lossy');
      t.equal(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(input)), expected, 'fatal');
      t.deepEqual(new TextEncoder().encode(expected), new Uint8Array(input), 'encodes back');
    });
  }

  test('TextDecoder: labels are trimmed of ASCII whitespace and case-insensitive', (t) => {
    for (const label of ['utf-8', 'UTF-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8', ' \t\n\f\rutf-8\r\n']) {
      t.equal(new TextDecoder(label).encoding, 'utf-8', JSON.stringify(label));
    }
    t.equal(new TextDecoder().encoding, 'utf-8', 'default');
    t.equal(new TextDecoder(undefined).encoding, 'utf-8', 'undefined');
  });

  test('TextDecoder: labels of utf-16le and windows-1252', (t) => {
    for (const label of ['utf-16', 'utf-16le', 'UTF-16LE', 'unicode', 'ucs-2', 'csunicode']) t.equal(new TextDecoder(label).encoding, 'utf-16le', label);
    for (const label of ['latin1', 'ascii', 'us-ascii', 'iso-8859-1', 'windows-1252', 'cp1252', 'l1']) t.equal(new TextDecoder(label).encoding, 'windows-1252', label);
  });

  test('TextDecoder: unknown labels, the replacement encoding and non-breaking space throw RangeError', (t) => {
    for (const label of ['utf-7', 'utf-32', 'unicode-1-1-utf-7', 'foo', '', 'replacement', 'iso-2022-kr', 'hz-gb-2312', '\u00a0utf-8', 'utf-8\u0000']) {
      t.throws(() => new TextDecoder(label), 'RangeError', JSON.stringify(label));
    }
  });

  test('TextDecoder: fatal and ignoreBOM options and attributes', (t) => {
    const d = new TextDecoder();
    t.equal(d.fatal, false, 'fatal default');
    t.equal(d.ignoreBOM, false, 'ignoreBOM default');
    const e = new TextDecoder('utf-8', { fatal: 1, ignoreBOM: 'yes' });
    t.equal(e.fatal, true, 'fatal converted to boolean');
    t.equal(e.ignoreBOM, true, 'ignoreBOM converted to boolean');
  });

  test('TextDecoder: a UTF-8 BOM is removed unless ignoreBOM', (t) => {
    const withBom = bytes(0xef, 0xbb, 0xbf, 0x41);
    t.equal(new TextDecoder().decode(withBom), 'A', 'removed');
    t.equal(new TextDecoder('utf-8', { ignoreBOM: true }).decode(withBom), '\ufeffA', 'kept with ignoreBOM');
    t.equal(new TextDecoder().decode(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf)), '\ufeff', 'only the first is removed');
    t.equal(new TextDecoder().decode(bytes(0x41, 0xef, 0xbb, 0xbf)), 'A\ufeff', 'a BOM not at the start is kept');
    t.equal(new TextDecoder().decode(bytes(0xef, 0xbb)), R, 'a truncated BOM is an error');
  });

  test('TextDecoder: the BOM is removed once per stream, also when split across chunks', (t) => {
    const d = new TextDecoder();
    let out = d.decode(bytes(0xef), { stream: true });
    out += d.decode(bytes(0xbb), { stream: true });
    out += d.decode(bytes(0xbf, 0x41), { stream: true });
    out += d.decode(bytes(0xef, 0xbb, 0xbf), { stream: true });
    out += d.decode();
    t.equal(out, 'A\ufeff', 'removed at the start only');
    t.equal(d.decode(bytes(0xef, 0xbb, 0xbf, 0x42)), 'B', 'a new stream after flushing removes it again');
  });

  test('TextDecoder: streaming decode joins a sequence split at every boundary', (t) => {
    const encoded = [0xf0, 0x9f, 0x92, 0xa9, 0xe2, 0x82, 0xac, 0xc3, 0xa9, 0x41];
    for (let cut = 1; cut < encoded.length; cut++) {
      const d = new TextDecoder();
      const out = d.decode(new Uint8Array(encoded.slice(0, cut)), { stream: true }) + d.decode(new Uint8Array(encoded.slice(cut)));
      t.equal(out, '\ud83d\udca9\u20ac\u00e9A', `cut at ${cut}`);
    }
  });

  test('TextDecoder: streaming decode one byte at a time', (t) => {
    const d = new TextDecoder();
    let out = '';
    for (const b of [0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd, 0xf0, 0x9f, 0x98, 0x80]) out += d.decode(bytes(b), { stream: true });
    out += d.decode();
    t.equal(out, '\u4f60\u597d\ud83d\ude00');
  });

  test('TextDecoder: an incomplete sequence at the end of a stream', (t) => {
    const lossy = new TextDecoder();
    t.equal(lossy.decode(bytes(0xe2, 0x82), { stream: true }), '', 'held back while streaming');
    t.equal(lossy.decode(), R, 'replaced on flush');
    const fatal = new TextDecoder('utf-8', { fatal: true });
    t.equal(fatal.decode(bytes(0xf0, 0x9f), { stream: true }), '', 'fatal holds back too');
    t.throws(() => fatal.decode(), 'TypeError', 'fatal throws on flush');
    t.equal(fatal.decode(bytes(0x41)), 'A', 'the decoder is usable again after the error');
  });

  test('TextDecoder: an invalid byte in the middle of a stream is replaced at once', (t) => {
    const d = new TextDecoder();
    t.equal(d.decode(bytes(0xe2, 0x82), { stream: true }), '', 'pending');
    t.equal(d.decode(bytes(0x41), { stream: true }), `${R}A`, 'interrupted');
    t.equal(d.decode(), '', 'nothing left');
  });

  test('TextDecoder: accepts every BufferSource', (t) => {
    const buf = new Uint8Array([0x78, 0x41, 0x42, 0x43, 0x79]).buffer;
    const d = new TextDecoder();
    t.equal(d.decode(buf), 'xABCy', 'ArrayBuffer');
    t.equal(d.decode(new Uint8Array(buf, 1, 3)), 'ABC', 'Uint8Array view with offset');
    t.equal(d.decode(new DataView(buf, 1, 3)), 'ABC', 'DataView');
    t.equal(d.decode(new Uint16Array(new Uint8Array([0x41, 0x42, 0x43, 0x44]).buffer, 2, 1)), 'CD', 'Uint16Array view');
    t.equal(d.decode(), '', 'no input');
    t.equal(d.decode(undefined), '', 'undefined input');
    t.throws(() => d.decode('string'), 'TypeError', 'a string');
    t.throws(() => d.decode([0x41]), 'TypeError', 'an array');
  });

  test('TextDecoder: utf-16le decoding, BOM and errors', (t) => {
    const d = new TextDecoder('utf-16le');
    t.equal(d.decode(bytes(0x41, 0x00, 0xac, 0x20)), 'A\u20ac', 'code units');
    t.equal(d.decode(bytes(0xff, 0xfe, 0x41, 0x00)), 'A', 'BOM removed');
    t.equal(d.decode(bytes(0x3d, 0xd8, 0xa9, 0xdc)), '\ud83d\udca9', 'surrogate pair');
    t.equal(d.decode(bytes(0x3d, 0xd8, 0x41, 0x00)), `${R}A`, 'lone lead surrogate');
    t.equal(d.decode(bytes(0x41, 0x00, 0x42)), `A${R}`, 'odd trailing byte');
    t.throws(() => new TextDecoder('utf-16le', { fatal: true }).decode(bytes(0x00, 0xdc)), 'TypeError', 'fatal lone trail surrogate');
    const s = new TextDecoder('utf-16le');
    t.equal(s.decode(bytes(0x3d), { stream: true }) + s.decode(bytes(0xd8, 0xa9), { stream: true }) + s.decode(bytes(0xdc)), '\ud83d\udca9', 'streamed');
  });

  test('TextDecoder: windows-1252 (what "latin1" and "ascii" name)', (t) => {
    const d = new TextDecoder('latin1');
    t.equal(d.decode(bytes(0x41, 0xe9, 0xff)), 'A\u00e9\u00ff', 'Latin-1 range');
    t.equal(d.decode(bytes(0x80, 0x8a, 0x9f)), '\u20ac\u0160\u0178', '0x80..0x9F are the windows-1252 table');
    t.equal(d.decode(bytes(0x81, 0x8d, 0x8f, 0x90, 0x9d)), '\u0081\u008d\u008f\u0090\u009d', 'the five unassigned bytes map to C1 controls');
  });

  test('TextDecoder: utf-16be, which the Encoding standard requires', (t) => {
    const d = new TextDecoder('utf-16be');
    t.equal(d.encoding, 'utf-16be', 'encoding');
    t.equal(d.decode(bytes(0xfe, 0xff, 0x00, 0x41, 0x20, 0xac)), 'A\u20ac', 'decode with BOM');
  });

  test('TextDecoder: a single-byte legacy encoding (iso-8859-2), which the Encoding standard requires', (t) => {
    const d = new TextDecoder('latin2');
    t.equal(d.encoding, 'iso-8859-2', 'encoding');
    t.equal(d.decode(bytes(0x41, 0xa1, 0xb1, 0xb9)), 'A\u0104\u0105\u0161', 'decode');
  });

  test('TextEncoder: encode', (t) => {
    const e = new TextEncoder();
    t.equal(e.encoding, 'utf-8', 'encoding');
    t.deepEqual(e.encode(), new Uint8Array(0), 'no argument');
    t.deepEqual(e.encode(undefined), new Uint8Array(0), 'undefined');
    t.deepEqual(e.encode(null), bytes(0x6e, 0x75, 0x6c, 0x6c), 'null is "null"');
    t.deepEqual(e.encode('\u20ac'), bytes(0xe2, 0x82, 0xac), 'three bytes');
    t.deepEqual(e.encode('\ud83d\udca9'), bytes(0xf0, 0x9f, 0x92, 0xa9), 'a surrogate pair');
    t.deepEqual(e.encode('\ud800'), bytes(0xef, 0xbf, 0xbd), 'a lone lead surrogate becomes U+FFFD');
    t.deepEqual(e.encode('\udc00a'), bytes(0xef, 0xbf, 0xbd, 0x61), 'a lone trail surrogate becomes U+FFFD');
    t.deepEqual(e.encode('\udc00\ud800'), bytes(0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd), 'reversed pair');
    t.ok(e.encode('a') instanceof Uint8Array, 'a Uint8Array');
    t.equal(new TextEncoder('utf-16le').encoding, 'utf-8', 'the constructor ignores arguments');
  });

  test('TextEncoder: encodeInto writes whole code points only', (t) => {
    const e = new TextEncoder();
    const cases = [
      ['', 0, 0, 0],
      ['a', 0, 0, 0],
      ['a', 1, 1, 1],
      ['\u00a0', 1, 0, 0],
      ['\u00a0', 2, 1, 2],
      ['\u20ac', 2, 0, 0],
      ['\ud834\udd1e', 3, 0, 0],
      ['\ud834\udd1e', 4, 2, 4],
      ['\ud834', 3, 1, 3],
      ['a\u00a0', 2, 1, 1],
      ['\u00a0\u00a0', 3, 1, 2],
    ];
    for (const [input, size, read, written] of cases) {
      const result = e.encodeInto(input, new Uint8Array(size));
      t.deepEqual([result.read, result.written], [read, written], `${JSON.stringify(input)} into ${size}`);
    }
  });

  test('TextEncoder: encodeInto writes at the view offset and no further', (t) => {
    const buffer = new Uint8Array([9, 9, 9, 9, 9, 9]);
    const result = new TextEncoder().encodeInto('\u00e9\ud800', buffer.subarray(1, 5));
    t.deepEqual([result.read, result.written], [1, 2], 'result');
    t.deepEqual(buffer, bytes(9, 0xc3, 0xa9, 9, 9, 9), 'bytes');
    const all = new Uint8Array(8);
    const r2 = new TextEncoder().encodeInto('\ud800x', all);
    t.deepEqual([r2.read, r2.written, ...all.subarray(0, 4)], [2, 4, 0xef, 0xbf, 0xbd, 0x78], 'lone surrogate written as U+FFFD');
  });

  test('TextEncoder: encodeInto needs a Uint8Array destination', (t) => {
    const e = new TextEncoder();
    t.throws(() => e.encodeInto('a', new Uint16Array(2)), 'TypeError', 'Uint16Array');
    t.throws(() => e.encodeInto('a', new ArrayBuffer(2)), 'TypeError', 'ArrayBuffer');
    t.throws(() => e.encodeInto('a'), 'TypeError', 'missing');
    t.equal(Object.keys(e.encodeInto('a', new Uint8Array(1))).sort().join(), 'read,written', 'result is a plain dictionary');
  });

  test('Encoding: WebIDL shape', (t) => {
    t.equal(Object.prototype.toString.call(new TextEncoder()), '[object TextEncoder]', 'TextEncoder toStringTag');
    t.equal(Object.prototype.toString.call(new TextDecoder()), '[object TextDecoder]', 'TextDecoder toStringTag');
    t.equal(typeof Object.getOwnPropertyDescriptor(TextDecoder.prototype, 'encoding').get, 'function', 'encoding is an accessor');
    t.throws(() => TextDecoder(), 'TypeError', 'TextDecoder() without new');
    t.throws(() => TextDecoder.prototype.decode.call({}, new Uint8Array(1)), 'TypeError', 'decode on a non-decoder');
  });
});

import { describe, expect, it } from 'vitest';
import { compactIndex, nodeSingleByteIndex } from '../../../sandbox/encoding-indexes.ts';
import { MULTI_BYTE_ENCODINGS, SINGLE_BYTE_ENCODINGS, encodingLines } from '../../../sandbox/src/encodings/labels.ts';
import { parseSingleByteIndex } from '../../../sandbox/src/encodings/single-byte.ts';
import { TextDecoder } from '../../../sandbox/src/web/encoding.ts';

/** Node's TextDecoder (ICU), the reference for labels and single-byte indexes. */
const NodeTextDecoder = globalThis.TextDecoder;
const bytes = (...b: number[]) => new Uint8Array(b);
const R = '\ufffd';

const SINGLE_BYTE = encodingLines(SINGLE_BYTE_ENCODINGS);
const MULTI_BYTE = encodingLines(MULTI_BYTE_ENCODINGS);
const BOOT_LABELS = [
  'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8',
  'csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le', 'unicodefffe', 'utf-16be',
  'ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100', 'iso8859-1',
  'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252',
];

describe('TextDecoder: labels', () => {
  it('TextDecoder: every label names the encoding it names in Node (ICU follows the Encoding Standard there)', () => {
    const labels = [...BOOT_LABELS, ...[...SINGLE_BYTE, ...MULTI_BYTE].flat()];
    for (const label of labels) expect([label, new TextDecoder(label).encoding]).toEqual([label, new NodeTextDecoder(label).encoding]);
  });

  it('TextDecoder: the runtime knows all 222 labels of the standard but the replacement encoding\'s, once each', () => {
    const labels = [...BOOT_LABELS, ...[...SINGLE_BYTE, ...MULTI_BYTE].flat()];
    expect(labels.length).toBe(222);
    expect(new Set(labels).size).toBe(222);
    expect(SINGLE_BYTE.length + MULTI_BYTE.length).toBe(35);
  });

  it('TextDecoder: legacy labels are trimmed of ASCII whitespace and matched ASCII case-insensitively', () => {
    expect(new TextDecoder(' \tLATIN2\n').encoding).toBe('iso-8859-2');
    expect(new TextDecoder('Shift_JIS').encoding).toBe('shift_jis');
    expect(new TextDecoder('\fKs_C_5601-1987\r').encoding).toBe('euc-kr');
    // U+212A KELVIN SIGN lowercases to "k" with String#toLowerCase, but is not ASCII.
    expect(() => new TextDecoder('\u212Aoi8-r')).toThrow(RangeError);
    expect(() => new TextDecoder('\u00a0latin2')).toThrow(RangeError);
  });

  it('TextDecoder: the replacement encoding\'s labels and unknown labels are a RangeError', () => {
    for (const label of ['replacement', 'csiso2022kr', 'hz-gb-2312', 'iso-2022-cn', 'iso-2022-cn-ext', 'iso-2022-kr', 'utf-32', 'x-user-defined2', 'latin10']) {
      expect(() => new TextDecoder(label)).toThrow(RangeError);
    }
  });
});

describe('TextDecoder: single-byte encodings', () => {
  it('TextDecoder: every single-byte encoding decodes each byte 0x80..0xFF as Node does, lossy and fatal', () => {
    for (const [name] of SINGLE_BYTE) {
      for (let b = 0x80; b <= 0xff; b++) {
        const expected = new NodeTextDecoder(name!).decode(bytes(b));
        expect([name, b, new TextDecoder(name).decode(bytes(b))]).toEqual([name, b, expected]);
        let fatal: string;
        try {
          fatal = new NodeTextDecoder(name!, { fatal: true }).decode(bytes(b));
        } catch {
          fatal = 'TypeError';
        }
        let ours: string;
        try {
          ours = new TextDecoder(name, { fatal: true }).decode(bytes(b));
        } catch (e) {
          ours = (e as Error).name;
        }
        expect([name, b, ours]).toEqual([name, b, fatal]);
      }
    }
  });

  it('TextDecoder: the compact form of every single-byte index reads back to the index', () => {
    for (const [name] of SINGLE_BYTE) {
      const index = nodeSingleByteIndex(name!);
      expect([name, [...parseSingleByteIndex(compactIndex(index))]]).toEqual([name, index]);
    }
  });

  it('TextDecoder: single-byte encodings keep ASCII, and decode known Encoding Standard code points', () => {
    const ascii = bytes(0x00, 0x09, 0x41, 0x7a, 0x7f);
    for (const [name] of SINGLE_BYTE) {
      if (name !== 'x-user-defined') expect(new TextDecoder(name).decode(ascii)).toBe('\u0000\tAz\u007f');
    }
    expect(new TextDecoder('latin2').decode(bytes(0x41, 0xa1, 0xb1, 0xb9))).toBe('A\u0104\u0105\u0161');
    expect(new TextDecoder('koi8-r').decode(bytes(0xc1, 0xe1))).toBe('\u0430\u0410');
    expect(new TextDecoder('ibm866').decode(bytes(0x80, 0xff))).toBe('\u0410\u00a0');
    expect(new TextDecoder('windows-1251').decode(bytes(0x88))).toBe('\u20ac');
    expect(new TextDecoder('macintosh').decode(bytes(0x80, 0xdb))).toBe('\u00c4\u20ac');
    expect(new TextDecoder('x-user-defined').decode(bytes(0x41, 0x80, 0xff))).toBe('A\uf780\uf7ff');
  });

  it('TextDecoder: an unmapped single-byte byte is U+FFFD, or a TypeError when fatal', () => {
    // iso-8859-3 leaves 0xA5 unmapped; windows-874 leaves 0xDB..0xDE.
    expect(new TextDecoder('iso-8859-3').decode(bytes(0x41, 0xa5, 0x42))).toBe(`A${R}B`);
    expect(new TextDecoder('windows-874').decode(bytes(0xdb, 0xde))).toBe(R + R);
    expect(() => new TextDecoder('iso-8859-3', { fatal: true }).decode(bytes(0xa5))).toThrow(TypeError);
  });

  it('TextDecoder: a single-byte encoding has no BOM to strip', () => {
    // In windows-1254 no byte decodes to U+FEFF, but EF BB BF are three letters.
    expect(new TextDecoder('windows-1254').decode(bytes(0xef, 0xbb, 0xbf))).toBe('\u00ef\u00bb\u00bf');
  });
});

describe('TextDecoder: utf-16be and utf-16le', () => {
  it('TextDecoder: utf-16be decodes code units and pairs, and strips its BOM once', () => {
    const d = new TextDecoder('utf-16be');
    expect(d.encoding).toBe('utf-16be');
    expect(d.decode(bytes(0xfe, 0xff, 0x00, 0x41, 0x20, 0xac))).toBe('A\u20ac');
    expect(d.decode(bytes(0xd8, 0x3d, 0xdc, 0xa9))).toBe('\ud83d\udca9');
    expect(d.decode(bytes(0xfe, 0xff, 0xfe, 0xff))).toBe('\ufeff');
    expect(new TextDecoder('utf-16be', { ignoreBOM: true }).decode(bytes(0xfe, 0xff))).toBe('\ufeff');
    // A little-endian BOM is just U+FFFE in big-endian.
    expect(d.decode(bytes(0xff, 0xfe))).toBe('\ufffe');
  });

  it('TextDecoder: UTF-16 errors: lone surrogates and an odd last byte are U+FFFD, or a TypeError when fatal', () => {
    for (const [label, swap] of [['utf-16le', false], ['utf-16be', true]] as const) {
      const units = (...u: number[]) => new Uint8Array(u.flatMap((x) => (swap ? [x >> 8, x & 0xff] : [x & 0xff, x >> 8])));
      const d = new TextDecoder(label);
      expect(d.decode(units(0xd83d, 0x41))).toBe(`${R}A`);
      expect(d.decode(units(0xdca9, 0x41))).toBe(`${R}A`);
      expect(d.decode(units(0xd83d, 0xd83d, 0xdca9))).toBe(`${R}\ud83d\udca9`);
      expect(d.decode(units(0xd83d))).toBe(R);
      expect(d.decode(bytes(0x41))).toBe(R);
      expect(d.decode(new Uint8Array([...units(0xd83d), 0x41]))).toBe(R);
      expect(() => new TextDecoder(label, { fatal: true }).decode(units(0xdca9))).toThrow(TypeError);
      expect(() => new TextDecoder(label, { fatal: true }).decode(units(0xd83d))).toThrow(TypeError);
    }
  });

  it('TextDecoder: UTF-16 streaming keeps an odd byte and a lead surrogate for the next chunk', () => {
    const encoded = [0xfe, 0xff, 0x00, 0x41, 0xd8, 0x3d, 0xdc, 0xa9, 0x20, 0xac];
    for (let cut = 1; cut < encoded.length; cut++) {
      const d = new TextDecoder('utf-16be');
      const out = d.decode(new Uint8Array(encoded.slice(0, cut)), { stream: true }) + d.decode(new Uint8Array(encoded.slice(cut)));
      expect([cut, out]).toEqual([cut, 'A\ud83d\udca9\u20ac']);
    }
    const d = new TextDecoder('utf-16be');
    let out = '';
    for (const b of encoded) out += d.decode(bytes(b), { stream: true });
    expect(out + d.decode()).toBe('A\ud83d\udca9\u20ac');
    expect(d.decode(bytes(0x00), { stream: true })).toBe('');
    expect(d.decode()).toBe(R);
  });
});

describe('TextDecoder: multi-byte encodings', () => {
  it('TextDecoder: multi-byte encodings decode as the Encoding Standard says, where ICU differs', () => {
    // Shift_JIS passes 0x80 through; big5, euc-jp and euc-kr take it as an error (ICU maps it to U+0080).
    expect(new TextDecoder('shift_jis').decode(bytes(0x80, 0x41))).toBe('\u0080A');
    for (const label of ['big5', 'euc-jp', 'euc-kr']) expect(new TextDecoder(label).decode(bytes(0x80, 0x41))).toBe(`${R}A`);
    // Big5 leads 0x81..0x86 map nothing (ICU gives private-use characters).
    expect(new TextDecoder('big5').decode(bytes(0x81, 0x40))).toBe(`${R}@`);
    // Shift_JIS keeps the ASCII controls 0x1A, 0x1C and 0x7F (ICU swaps them).
    expect(new TextDecoder('shift_jis').decode(bytes(0x1a, 0x1c, 0x7f))).toBe('\u001a\u001c\u007f');
  });

  it('TextDecoder: each multi-byte encoding decodes its characters', () => {
    expect(new TextDecoder('gbk').decode(bytes(0xc4, 0xe3, 0xba, 0xc3, 0x80))).toBe('\u4f60\u597d\u20ac');
    expect(new TextDecoder('gb18030').decode(bytes(0x81, 0x30, 0x81, 0x30, 0x94, 0x39, 0xfc, 0x36))).toBe('\u0080\ud83d\ude00');
    expect(new TextDecoder('big5').decode(bytes(0xa4, 0x40, 0x88, 0x62))).toBe('\u4e00\u00ca\u0304');
    expect(new TextDecoder('euc-jp').decode(bytes(0xa4, 0xa2, 0x8e, 0xb1, 0x8f, 0xb0, 0xa1))).toBe('\u3042\uff71\u4e02');
    expect(new TextDecoder('shift_jis').decode(bytes(0x82, 0xa0, 0xb1, 0xf0, 0x40))).toBe('\u3042\uff71\ue000');
    expect(new TextDecoder('euc-kr').decode(bytes(0xb0, 0xa1, 0x81, 0x41))).toBe('\uac00\uac02');
    expect(new TextDecoder('iso-2022-jp').decode(bytes(0x1b, 0x24, 0x42, 0x24, 0x22, 0x1b, 0x28, 0x42, 0x41))).toBe('\u3042A');
  });

  it('TextDecoder: a multi-byte sequence split across chunks joins when streaming, and is U+FFFD when the stream ends', () => {
    const d = new TextDecoder('shift_jis');
    expect(d.decode(bytes(0x41, 0x82), { stream: true })).toBe('A');
    expect(d.decode(bytes(0xa0), { stream: true })).toBe('\u3042');
    expect(d.decode(bytes(0x82), { stream: true })).toBe('');
    expect(d.decode()).toBe(R);
    const gb = new TextDecoder('gb18030');
    let out = '';
    for (const b of [0x94, 0x39, 0xfc, 0x36]) out += gb.decode(bytes(b), { stream: true });
    expect(out + gb.decode()).toBe('\ud83d\ude00');
  });

  it('TextDecoder: a multi-byte error is a TypeError when fatal, and the next call starts afresh', () => {
    const d = new TextDecoder('euc-kr', { fatal: true });
    expect(() => d.decode(bytes(0x80))).toThrow(TypeError);
    expect(d.decode(bytes(0xb0, 0xa1))).toBe('\uac00');
    expect(d.decode(bytes(0xb0), { stream: true })).toBe('');
    expect(() => d.decode()).toThrow(TypeError);
    expect(d.decode(bytes(0x41))).toBe('A');
  });

  it('TextDecoder: a BOM decoded in gb18030 is a character, not a BOM', () => {
    // 84 31 95 33 is U+FEFF in gb18030's four-byte ranges.
    expect(new TextDecoder('gb18030').decode(bytes(0x84, 0x31, 0x95, 0x33, 0x41))).toBe('\ufeffA');
  });
});

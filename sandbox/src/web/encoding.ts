/** TextEncoder and TextDecoder (WHATWG Encoding): utf-8, utf-16le and windows-1252 (which "latin1" names). */

import {
  RangeError_,
  String_,
  StringPrototypeToLowerCase,
  TypeError_,
  Uint16Array_,
  Uint8Array_,
  TypedArrayPrototypeSet,
  TypedArrayPrototypeSubarray,
} from '../primordials.ts';
import { bytesOfBufferSource } from './buffer-source.ts';
import { Utf8Decoder, codeUnitsToString, utf8Encode } from './utf8.ts';
import { trimAsciiWhitespace } from './infra.ts';

export class TextEncoder {
  get encoding(): string {
    return 'utf-8';
  }
  /** Encodes a string as UTF-8. */
  encode(input: unknown = ''): Uint8Array {
    return utf8Encode(String_(input));
  }
  /** Encodes into `dest` as far as whole code points fit. */
  encodeInto(source: unknown, dest: Uint8Array): { read: number; written: number } {
    const s = String_(source);
    if (!(dest instanceof Uint8Array_)) throw new TypeError_('encodeInto: destination must be a Uint8Array');
    let read = 0;
    let written = 0;
    const cap = dest.length;
    for (let i = 0; i < s.length; ) {
      const cp = s.codePointAt(i)!;
      const units = cp > 0xffff ? 2 : 1;
      const bytes = utf8Encode(s.slice(i, i + units));
      if (written + bytes.length > cap) break;
      TypedArrayPrototypeSet(dest, bytes, written);
      written += bytes.length;
      read += units;
      i += units;
    }
    return { read, written };
  }
}

const LABELS: Record<string, string> = {
  __proto__: null as never,
  'unicode-1-1-utf-8': 'utf-8',
  'unicode11utf8': 'utf-8',
  'unicode20utf8': 'utf-8',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'x-unicode20utf8': 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  csunicode: 'utf-16le',
  'iso-10646-ucs-2': 'utf-16le',
  'ucs-2': 'utf-16le',
  unicode: 'utf-16le',
  unicodefeff: 'utf-16le',
  'ansi_x3.4-1968': 'windows-1252',
  ascii: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  csisolatin1: 'windows-1252',
  ibm819: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  'iso8859-1': 'windows-1252',
  'iso88591': 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso_8859-1:1987': 'windows-1252',
  l1: 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  'windows-1252': 'windows-1252',
  'x-cp1252': 'windows-1252',
};

// windows-1252 bytes 0x80..0x9F map to these code points (the Encoding standard's index).
const W1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d,
  0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d,
  0x17e, 0x178,
];

export class TextDecoder {
  #encoding: string;
  #fatal: boolean;
  #ignoreBOM: boolean;
  #utf8 = new Utf8Decoder();
  #bomSeen = false;

  constructor(label: unknown = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } | undefined = undefined) {
    const enc = LABELS[StringPrototypeToLowerCase(trimAsciiWhitespace(String_(label)))];
    if (enc === undefined) throw new RangeError_(`The encoding label provided ('${String_(label)}') is invalid.`);
    this.#encoding = enc;
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
  }
  get encoding(): string {
    return this.#encoding;
  }
  get fatal(): boolean {
    return this.#fatal;
  }
  get ignoreBOM(): boolean {
    return this.#ignoreBOM;
  }

  /** Decodes a BufferSource; `{stream: true}` keeps a partial sequence for the next call. */
  decode(input: unknown = undefined, options: { stream?: boolean } | undefined = undefined): string {
    const bytes = input === undefined ? new Uint8Array_(0) : bytesOfBufferSource(input, false);
    const stream = Boolean(options?.stream);
    let out: string;
    if (this.#encoding === 'utf-8') {
      const s = this.#utf8.decode(bytes, !stream, this.#fatal);
      if (s === null) {
        this.#utf8.reset();
        this.#bomSeen = false;
        throw new TypeError_('The encoded data was not valid for encoding utf-8');
      }
      out = s;
    } else if (this.#encoding === 'utf-16le') {
      out = this.#decodeUtf16(bytes, stream);
    } else {
      const units = new Uint16Array_(bytes.length);
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        units[i] = b >= 0x80 && b <= 0x9f ? W1252[b - 0x80]! : b;
      }
      out = codeUnitsToString(units, bytes.length);
    }
    if (!this.#ignoreBOM && !this.#bomSeen && out.length > 0) {
      this.#bomSeen = true;
      if (out.charCodeAt(0) === 0xfeff && this.#encoding !== 'windows-1252') out = out.slice(1);
    }
    if (!stream) this.#bomSeen = false;
    return out;
  }

  #decodeUtf16(input: Uint8Array, stream: boolean): string {
    let bytes = input;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array_(this.#carry.length + input.length);
      TypedArrayPrototypeSet(bytes, this.#carry, 0);
      TypedArrayPrototypeSet(bytes, input, this.#carry.length);
      this.#carry = new Uint8Array_(0);
    }
    let end = bytes.length & ~1;
    if (stream) {
      // Hold back an odd byte and a trailing high surrogate until the next chunk.
      if (end >= 2) {
        const last = bytes[end - 2]! | (bytes[end - 1]! << 8);
        if (last >= 0xd800 && last <= 0xdbff) end -= 2;
      }
      this.#carry = new Uint8Array_(TypedArrayPrototypeSubarray(bytes, end));
    }
    const bad = () => {
      if (this.#fatal) {
        this.#carry = new Uint8Array_(0);
        throw new TypeError_('The encoded data was not valid for encoding utf-16le');
      }
      return 0xfffd;
    };
    const units = new Uint16Array_((end >> 1) + 1);
    let o = 0;
    for (let i = 0; i < end; i += 2) {
      const u = bytes[i]! | (bytes[i + 1]! << 8);
      if (u >= 0xd800 && u <= 0xdbff) {
        const next = i + 3 < end ? bytes[i + 2]! | (bytes[i + 3]! << 8) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) {
          units[o++] = u;
          units[o++] = next;
          i += 2;
        } else {
          units[o++] = bad();
        }
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        units[o++] = bad();
      } else {
        units[o++] = u;
      }
    }
    if (!stream && end < bytes.length) units[o++] = bad();
    return codeUnitsToString(units, o);
  }
  #carry = new Uint8Array_(0);
}

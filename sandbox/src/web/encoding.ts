/**
 * TextEncoder and TextDecoder (WHATWG Encoding). The boot script decodes utf-8, utf-16le,
 * utf-16be and windows-1252 (which "latin1" and "ascii" name); every other encoding the
 * standard lists is a lazy module: `encodings` (the other labels and the single-byte
 * indexes) and `encodings-cjk` (the multi-byte decoders), see sandbox/build.ts.
 */

import {
  RangeError_,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  String_,
  TypeError_,
  TypedArrayPrototypeSet,
  Uint8Array_,
} from '../primordials.ts';
import { bytesOfBufferSource } from './buffer-source.ts';
import { asciiLowercase, trimAsciiWhitespace } from './infra.ts';
import { registerPlatformClass } from './platform-objects.ts';
import { SingleByteDecoder, type StreamDecoder, Utf16Decoder, windows1252Index } from './text-decoders.ts';
import { Utf8Decoder, utf8Encode } from './utf8.ts';

declare const require: (id: string) => unknown;

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
  'utf-16be': 'utf-16be',
  unicodefffe: 'utf-16be',
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

/** The lazy module `encodings` (sandbox/src/encodings). */
interface LegacyEncodings {
  /** The encoding a label (trimmed, lowercased) names, for labels not in LABELS; the replacement encoding's are not. */
  encodingForLabel(label: string): string | undefined;
  /** The index of a single-byte encoding (see SingleByteDecoder), or undefined for a multi-byte one. */
  singleByteIndex(name: string): Uint16Array | undefined;
}

/** The lazy module `encodings-cjk` (sandbox/src/encodings/cjk.ts): @exodus/bytes's decoders, fatal unless `loose`. */
interface CjkEncodings {
  createMultibyteDecoder(encoding: string, loose: boolean): (bytes: Uint8Array, stream: boolean) => string;
}

const legacyEncodings = () => require('../encodings/index.ts') as LegacyEncodings;
const cjkEncodings = () => require('../encodings/cjk.ts') as CjkEncodings;

/** A multi-byte decoder from the lazy module, which throws on an error when fatal. */
class MultiByteDecoder implements StreamDecoder {
  #decode: (bytes: Uint8Array, stream: boolean) => string;
  #fatal: boolean;

  constructor(encoding: string, fatal: boolean) {
    this.#decode = cjkEncodings().createMultibyteDecoder(encoding, !fatal);
    this.#fatal = fatal;
  }

  decode(bytes: Uint8Array, flush: boolean): string | null {
    try {
      return this.#decode(bytes, !flush);
    } catch (e) {
      if (this.#fatal) return null;
      throw e;
    }
  }
}

/** How a TextDecoder for `encoding` starts a stream. */
function decoderFactory(encoding: string, fatal: boolean): () => StreamDecoder {
  switch (encoding) {
    case 'utf-8':
      return () => new Utf8Decoder();
    case 'utf-16le':
      return () => new Utf16Decoder(false);
    case 'utf-16be':
      return () => new Utf16Decoder(true);
    case 'windows-1252':
      return () => new SingleByteDecoder(windows1252Index());
  }
  const index = legacyEncodings().singleByteIndex(encoding);
  if (index !== undefined) return () => new SingleByteDecoder(index);
  // Loaded now, so that a decoder made successfully can always decode.
  cjkEncodings();
  return () => new MultiByteDecoder(encoding, fatal);
}

export class TextDecoder {
  #encoding: string;
  #fatal: boolean;
  #ignoreBOM: boolean;
  #newDecoder: () => StreamDecoder;
  /** The stream in progress (the spec's "do not flush" is true), or null. */
  #decoder: StreamDecoder | null = null;
  #bomSeen = false;

  static {
    registerPlatformClass(this, (v) => #encoding in v);
  }

  constructor(label: unknown = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } | undefined = undefined) {
    // Labels match ASCII case-insensitively: String#toLowerCase would also fold e.g. the Kelvin sign into "k".
    const key = asciiLowercase(trimAsciiWhitespace(String_(label)));
    const encoding = LABELS[key] ?? legacyEncodings().encodingForLabel(key);
    if (encoding === undefined) throw new RangeError_(`The encoding label provided ('${String_(label)}') is invalid.`);
    this.#encoding = encoding;
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
    this.#newDecoder = decoderFactory(encoding, this.#fatal);
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
    if (this.#decoder === null) {
      this.#decoder = this.#newDecoder();
      this.#bomSeen = false;
    }
    const decoder = this.#decoder;
    if (!stream) this.#decoder = null;
    let out = decoder.decode(bytes, !stream, this.#fatal);
    if (out === null) {
      this.#decoder = null;
      throw new TypeError_(`The encoded data was not valid for encoding ${this.#encoding}`);
    }
    // Only the Unicode encodings have a BOM to strip, once, at the start of a stream.
    if (!this.#bomSeen && out.length > 0 && !this.#ignoreBOM) {
      this.#bomSeen = true;
      if (StringPrototypeCharCodeAt(out, 0) === 0xfeff && isUnicode(this.#encoding)) out = StringPrototypeSlice(out, 1);
    }
    return out;
  }
}

function isUnicode(encoding: string): boolean {
  return encoding === 'utf-8' || encoding === 'utf-16le' || encoding === 'utf-16be';
}

/** The decoders of WHATWG Encoding that the boot script carries: UTF-16 (§14.2) and single-byte (§9.1) over an index. */

import { Uint16Array_ } from '../primordials.ts';
import { codeUnitsToString } from './utf8.ts';

/**
 * One stream's decoder (the spec's decoder instance): decodes the next `bytes`, keeping an
 * incomplete sequence for the next call; `flush` ends the stream. Returns null at the first
 * error when `fatal`, else puts U+FFFD for each error.
 */
export interface StreamDecoder {
  decode(bytes: Uint8Array, flush: boolean, fatal: boolean): string | null;
}

/** The shared UTF-16 decoder, little- or big-endian. */
export class Utf16Decoder implements StreamDecoder {
  #bigEndian: boolean;
  #leadByte = -1;
  #leadSurrogate = 0;

  constructor(bigEndian: boolean) {
    this.#bigEndian = bigEndian;
  }

  decode(bytes: Uint8Array, flush: boolean, fatal: boolean): string | null {
    const n = bytes.length;
    // Each unit takes two bytes; an error adds at most one unit per two bytes, and the end one more.
    const out = new Uint16Array_((n >> 1) + 3);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (this.#leadByte < 0) {
        this.#leadByte = b;
        continue;
      }
      const unit = this.#bigEndian ? (this.#leadByte << 8) | b : (b << 8) | this.#leadByte;
      this.#leadByte = -1;
      if (this.#leadSurrogate !== 0) {
        const lead = this.#leadSurrogate;
        this.#leadSurrogate = 0;
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          out[o++] = lead;
          out[o++] = unit;
          continue;
        }
        // The spec puts the unit's bytes back and reads them again, now without a lead surrogate.
        if (fatal) return null;
        out[o++] = 0xfffd;
      }
      if (unit >= 0xd800 && unit <= 0xdbff) this.#leadSurrogate = unit;
      else if (unit < 0xdc00 || unit > 0xdfff) out[o++] = unit;
      else if (fatal) return null;
      else out[o++] = 0xfffd;
    }
    if (flush && (this.#leadByte >= 0 || this.#leadSurrogate !== 0)) {
      this.#leadByte = -1;
      this.#leadSurrogate = 0;
      if (fatal) return null;
      out[o++] = 0xfffd;
    }
    return codeUnitsToString(out, o);
  }
}

/**
 * A single-byte decoder. `index` holds the code points of bytes 0x80..0xFF (each in the
 * BMP); 0 marks a byte the encoding leaves unmapped (an error), as no index maps one to U+0000.
 */
export class SingleByteDecoder implements StreamDecoder {
  #index: Uint16Array;

  constructor(index: Uint16Array) {
    this.#index = index;
  }

  decode(bytes: Uint8Array, _flush: boolean, fatal: boolean): string | null {
    const n = bytes.length;
    const out = new Uint16Array_(n);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      const cp = b < 0x80 ? b : this.#index[b - 0x80]!;
      if (cp !== 0 || b === 0) out[i] = cp;
      else if (fatal) return null;
      else out[i] = 0xfffd;
    }
    return codeUnitsToString(out, n);
  }
}

let windows1252: Uint16Array | undefined;

/** The windows-1252 index: the Latin-1 code points but for 0x80..0x9F. */
export function windows1252Index(): Uint16Array {
  if (windows1252 === undefined) {
    // Bytes 0x80..0x9F; the five the encoding leaves unassigned map to the C1 controls of the same value.
    const c1 = [
      0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d,
      0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d,
      0x17e, 0x178,
    ];
    windows1252 = new Uint16Array_(128);
    for (let i = 0; i < 128; i++) windows1252[i] = i < 32 ? c1[i]! : 0x80 + i;
  }
  return windows1252;
}

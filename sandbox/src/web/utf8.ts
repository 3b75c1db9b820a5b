/** UTF-8 encoding and decoding (WHATWG Encoding §8.1) over plain arrays: the isolate has no TextEncoder of its own. */

import {
  ReflectApply,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  Uint8Array_,
  Uint16Array_,
  TypedArrayPrototypeSubarray,
} from '../primordials.ts';

/** The length of `input` UTF-8 encoded (lone surrogates count as U+FFFD), without encoding it. */
export function utf8ByteLength(input: string): number {
  const len = input.length;
  let n = len;
  for (let i = 0; i < len; i++) {
    const c = StringPrototypeCharCodeAt(input, i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const next = StringPrototypeCharCodeAt(input, i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 2; // a pair: 2 code units, 4 bytes
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

/** UTF-8 encodes a string; lone surrogates become U+FFFD as USVString conversion requires. */
export function utf8Encode(input: string): Uint8Array {
  const len = input.length;
  if (len <= 256) {
    // Short ASCII (most bodies a handler builds from a literal): one exact-size array, no copy.
    const ascii = new Uint8Array_(len);
    let i = 0;
    for (; i < len; i++) {
      const c = StringPrototypeCharCodeAt(input, i);
      if (c >= 0x80) break;
      ascii[i] = c;
    }
    if (i === len) return ascii;
  }
  const out = new Uint8Array_(len * 3);
  let o = 0;
  for (let i = 0; i < len; i++) {
    let c = StringPrototypeCharCodeAt(input, i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < len ? StringPrototypeCharCodeAt(input, i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return new Uint8Array_(TypedArrayPrototypeSubarray(out, 0, o));
}

/** Turns UTF-16 code units into a string without a call per unit. */
export function codeUnitsToString(units: Uint16Array, length: number): string {
  let s = '';
  for (let i = 0; i < length; i += 8192) {
    const end = i + 8192 < length ? i + 8192 : length;
    s += ReflectApply(StringFromCharCode, undefined, TypedArrayPrototypeSubarray(units, i, end) as unknown as number[]);
  }
  return s;
}

/** Streaming UTF-8 decoder state (the spec's "UTF-8 decoder" with bytes seen/needed). */
export class Utf8Decoder {
  needed = 0;
  seen = 0;
  codePoint = 0;
  lower = 0x80;
  upper = 0xbf;

  /** Decodes `bytes`; returns null on a fatal error when `fatal`. `flush` ends the stream. */
  decode(bytes: Uint8Array, flush: boolean, fatal: boolean): string | null {
    const n = bytes.length;
    const out = new Uint16Array_(n + 1);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (this.needed === 0) {
        if (b < 0x80) {
          out[o++] = b;
        } else if (b >= 0xc2 && b <= 0xdf) {
          this.needed = 1;
          this.codePoint = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.needed = 2;
          this.codePoint = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.needed = 3;
          this.codePoint = b & 0x7;
        } else {
          if (fatal) return null;
          out[o++] = 0xfffd;
        }
        continue;
      }
      if (b < this.lower || b > this.upper) {
        this.reset();
        if (fatal) return null;
        out[o++] = 0xfffd;
        i--; // the spec prepends the byte back to the stream
        continue;
      }
      this.lower = 0x80;
      this.upper = 0xbf;
      this.codePoint = (this.codePoint << 6) | (b & 0x3f);
      if (++this.seen !== this.needed) continue;
      const cp = this.codePoint;
      this.reset();
      if (cp < 0x10000) {
        out[o++] = cp;
      } else {
        const v = cp - 0x10000;
        out[o++] = 0xd800 + (v >> 10);
        out[o++] = 0xdc00 + (v & 0x3ff);
      }
    }
    let s = codeUnitsToString(out, o);
    if (flush && this.needed !== 0) {
      this.reset();
      if (fatal) return null;
      s += '\ufffd';
    }
    return s;
  }

  reset(): void {
    this.needed = this.seen = this.codePoint = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }
}

/** Non-streaming lossy UTF-8 decode (what Body's text() does, BOM included in the output unless stripped by the caller). */
export function utf8Decode(bytes: Uint8Array): string {
  return new Utf8Decoder().decode(bytes, true, false)!;
}

/** Small helpers from WHATWG Infra and Fetch, written with char loops so guest-patched RegExp/String methods can't steer them. */

import { StringPrototypeCharCodeAt, StringPrototypeSlice } from '../primordials.ts';

function isAsciiWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
}

function isHttpWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;
}

function trimWith(s: string, pred: (c: number) => boolean): string {
  let start = 0;
  let end = s.length;
  while (start < end && pred(StringPrototypeCharCodeAt(s, start))) start++;
  while (end > start && pred(StringPrototypeCharCodeAt(s, end - 1))) end--;
  return start === 0 && end === s.length ? s : StringPrototypeSlice(s, start, end);
}

/** Strips leading and trailing ASCII whitespace (Infra). */
export function trimAsciiWhitespace(s: string): string {
  return trimWith(s, isAsciiWhitespace);
}

/** Strips leading and trailing HTTP whitespace (Fetch: "normalize" a header value). */
export function trimHttpWhitespace(s: string): string {
  return trimWith(s, isHttpWhitespace);
}

/** Fetch's token production (RFC 9110 tchar+). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c >= 0x61 && c <= 0x7a) continue;
    if (c >= 0x41 && c <= 0x5a) continue;
    if (c >= 0x30 && c <= 0x39) continue;
    // ! # $ % & ' * + - . ^ _ ` | ~
    if (
      c === 0x21 || c === 0x23 || c === 0x24 || c === 0x25 || c === 0x26 || c === 0x27 || c === 0x2a ||
      c === 0x2b || c === 0x2d || c === 0x2e || c === 0x5e || c === 0x5f || c === 0x60 || c === 0x7c || c === 0x7e
    ) {
      continue;
    }
    return false;
  }
  return true;
}

/** Fetch's header value rule: no NUL, CR or LF, no leading/trailing HTTP whitespace, code units ≤ 0xFF. */
export function isHeaderValue(s: string): boolean {
  const n = s.length;
  if (n > 0 && (isHttpWhitespace(StringPrototypeCharCodeAt(s, 0)) || isHttpWhitespace(StringPrototypeCharCodeAt(s, n - 1)))) {
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0 || c === 0x0a || c === 0x0d || c > 0xff) return false;
  }
  return true;
}

/** ASCII lowercase without touching non-ASCII (String#toLowerCase would also map e.g. U+0130). */
export function asciiLowercase(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c >= 0x41 && c <= 0x5a) {
      out += StringPrototypeSlice(s, last, i) + String.fromCharCode(c + 0x20);
      last = i + 1;
    }
  }
  return last === 0 ? s : out + StringPrototypeSlice(s, last);
}

/** ASCII uppercase (method normalisation). */
export function asciiUppercase(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    out += c >= 0x61 && c <= 0x7a ? String.fromCharCode(c - 0x20) : StringPrototypeSlice(s, i, i + 1);
  }
  return out;
}

/** Converts to ByteString per WebIDL: a code unit above 0xFF is a TypeError. */
export function isByteString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (StringPrototypeCharCodeAt(s, i) > 0xff) return false;
  return true;
}

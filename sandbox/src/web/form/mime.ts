/** WHATWG MIME Sniffing §4.4 "parse a MIME type", written with char loops over captured String methods. */

import {
  ObjectCreate,
  ObjectPrototypeHasOwn,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  asciiLowercase,
  isToken,
  trimHttpWhitespace,
} from '../kit.ts';

export interface MimeType {
  /** `type/subtype`, lowercased. */
  essence: string;
  /** Parameters by lowercased name (the first of duplicates), values unquoted. */
  params: Record<string, string>;
}

function isHttpWhitespace(c: number): boolean {
  return c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;
}

function trimTrailing(s: string): string {
  let end = s.length;
  while (end > 0 && isHttpWhitespace(StringPrototypeCharCodeAt(s, end - 1))) end--;
  return StringPrototypeSlice(s, 0, end);
}

/** HTTP quoted-string token code points: tab, space to tilde, and 0x80 to 0xFF. */
function isQuotedStringCodePoint(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
  }
  return true;
}

/** Parses `input` as a MIME type; null on failure. */
export function parseMimeType(input: string): MimeType | null {
  const s = trimHttpWhitespace(input);
  const n = s.length;
  let pos = 0;
  while (pos < n && StringPrototypeCharCodeAt(s, pos) !== 0x2f) pos++;
  const type = StringPrototypeSlice(s, 0, pos);
  if (!isToken(type) || pos >= n) return null;
  const subStart = ++pos;
  while (pos < n && StringPrototypeCharCodeAt(s, pos) !== 0x3b) pos++;
  const subtype = trimTrailing(StringPrototypeSlice(s, subStart, pos));
  if (!isToken(subtype)) return null;
  const params = ObjectCreate(null) as Record<string, string>;
  while (pos < n) {
    pos++; // past ';'
    while (pos < n && isHttpWhitespace(StringPrototypeCharCodeAt(s, pos))) pos++;
    const nameStart = pos;
    while (pos < n && StringPrototypeCharCodeAt(s, pos) !== 0x3b && StringPrototypeCharCodeAt(s, pos) !== 0x3d) pos++;
    const name = asciiLowercase(StringPrototypeSlice(s, nameStart, pos));
    if (pos >= n) break;
    if (StringPrototypeCharCodeAt(s, pos) === 0x3b) continue;
    pos++; // past '='
    if (pos >= n) break;
    let value: string;
    if (StringPrototypeCharCodeAt(s, pos) === 0x22) {
      // An HTTP quoted string, value extracted: backslash escapes the next code point.
      value = '';
      pos++;
      while (pos < n) {
        const c = StringPrototypeCharCodeAt(s, pos);
        if (c === 0x22) break;
        if (c === 0x5c) {
          pos++;
          value += pos < n ? StringPrototypeSlice(s, pos, pos + 1) : '\\';
          pos++;
          continue;
        }
        value += StringPrototypeSlice(s, pos, pos + 1);
        pos++;
      }
      while (pos < n && StringPrototypeCharCodeAt(s, pos) !== 0x3b) pos++;
    } else {
      const valueStart = pos;
      while (pos < n && StringPrototypeCharCodeAt(s, pos) !== 0x3b) pos++;
      value = trimTrailing(StringPrototypeSlice(s, valueStart, pos));
      if (value === '') continue;
    }
    if (isToken(name) && isQuotedStringCodePoint(value) && !ObjectPrototypeHasOwn(params, name)) params[name] = value;
  }
  return { essence: `${asciiLowercase(type)}/${asciiLowercase(subtype)}`, params };
}

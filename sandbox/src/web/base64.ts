/** atob/btoa (HTML §8.3) and the forgiving-base64 codec (Infra §4.6) shared with the Lambda adapter. */

import {
  ReflectApply,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  String_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  Uint16Array_,
} from '../primordials.ts';
import { domException } from './dom-exception.ts';
import { codeUnitsToString } from './utf8.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Uint8Array_(128).fill(255);
for (let i = 0; i < 64; i++) DECODE[StringPrototypeCharCodeAt(ALPHABET, i)] = i;
const ENCODE = new Uint16Array_(64);
for (let i = 0; i < 64; i++) ENCODE[i] = StringPrototypeCharCodeAt(ALPHABET, i);

/** Standard base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  const n = TypedArrayPrototypeGetByteLength(bytes);
  const out = new Uint16Array_(((n + 2) / 3) * 4 + 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[v >> 18]!;
    out[o++] = ENCODE[(v >> 12) & 63]!;
    out[o++] = ENCODE[(v >> 6) & 63]!;
    out[o++] = ENCODE[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | (i + 1 < n ? bytes[i + 1]! << 8 : 0);
    out[o++] = ENCODE[v >> 18]!;
    out[o++] = ENCODE[(v >> 12) & 63]!;
    out[o++] = i + 1 < n ? ENCODE[(v >> 6) & 63]! : 0x3d;
    out[o++] = 0x3d;
  }
  return codeUnitsToString(out, o);
}

/** Infra's forgiving-base64 decode; null on failure. */
export function forgivingBase64Decode(input: string): Uint8Array | null {
  // Drop ASCII whitespace, count the rest.
  const n = input.length;
  const vals = new Uint8Array_(n);
  let len = 0;
  for (let i = 0; i < n; i++) {
    const c = StringPrototypeCharCodeAt(input, i);
    if (c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20) continue;
    vals[len++] = c < 128 ? DECODE[c]! : 255;
    if (c === 0x3d) vals[len - 1] = 254;
  }
  if (len % 4 === 0 && len > 0) {
    if (vals[len - 1] === 254) len--;
    if (vals[len - 1] === 254) len--;
  }
  if (len % 4 === 1) return null;
  for (let i = 0; i < len; i++) if (vals[i]! >= 64) return null;
  const out = new Uint8Array_((len * 3) >> 2);
  let o = 0;
  let buf = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    buf = (buf << 6) | vals[i]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buf >> bits) & 0xff;
    }
  }
  return TypedArrayPrototypeSubarray(out, 0, o);
}

/** HTML's btoa: every code unit must be ≤ 0xFF. */
export function btoa(data: unknown): string {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'btoa': 1 argument required, but only 0 present.");
  const s = String_(data);
  const bytes = new Uint8Array_(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c > 0xff) throw domException('InvalidCharacterError', 'Invalid character');
    bytes[i] = c;
  }
  return base64Encode(bytes);
}

/** HTML's atob: forgiving-base64 decode into a binary string. */
export function atob(data: unknown): string {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'atob': 1 argument required, but only 0 present.");
  const bytes = forgivingBase64Decode(String_(data));
  if (bytes === null) throw domException('InvalidCharacterError', 'The string to be decoded is not correctly encoded.');
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += ReflectApply(StringFromCharCode, null, TypedArrayPrototypeSubarray(bytes, i, i + 8192) as unknown as number[]);
  }
  return s;
}

/**
 * Single-byte indexes in the compact form sandbox/encoding-indexes.ts writes at build time:
 * the code points of bytes 0x80..0xFF as runs, separated by commas. A run `O:N` is N bytes
 * (base 36, 1 when `:N` is left out) whose code point is the byte plus O (base 36, signed),
 * so consecutive code points share one run; a run with no O is N unmapped bytes.
 */

import { StringPrototypeCharCodeAt, Uint16Array_ } from '../boot-exports.ts';

/** The index (see web/text-decoders.ts SingleByteDecoder: 0 is unmapped) that `compact` describes. */
export function parseSingleByteIndex(compact: string): Uint16Array {
  const index = new Uint16Array_(128);
  let byte = 0x80;
  let i = 0;
  while (i < compact.length) {
    let offset: number | null = null;
    let count = 1;
    if (compact[i] !== ':') {
      const negative = compact[i] === '-';
      if (negative) i++;
      const n = readBase36(compact, i);
      offset = negative ? -n.value : n.value;
      i = n.end;
    }
    if (compact[i] === ':') {
      const n = readBase36(compact, i + 1);
      count = n.value;
      i = n.end;
    }
    for (let k = 0; k < count; k++, byte++) index[byte - 0x80] = offset === null ? 0 : byte + offset;
    i++; // the comma
  }
  if (byte !== 0x100) throw new RangeError(`Atoll runtime: a single-byte index covers ${byte - 0x80} bytes`);
  return index;
}

function readBase36(s: string, start: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  for (; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x7a ? c - 0x61 + 10 : -1;
    if (digit < 0) break;
    value = value * 36 + digit;
  }
  return { value, end: i };
}

/**
 * Replaces @exodus/bytes/whatwg.js (300 KB of legacy encoders): a URL's query encoding is
 * always UTF-8 here, as there is no document with another encoding.
 */
import { StringPrototypeCharCodeAt, StringPrototypeIndexOf, TypeError_ } from '../primordials.ts';
import { utf8Encode } from '../web/utf8.ts';

const HEX = '0123456789ABCDEF';

/** URL's "percent-encode after encoding" for UTF-8; `set` lists the extra ASCII code points to encode. */
export function percentEncodeAfterEncoding(encoding: string, input: string, set: string, spaceAsPlus = false): string {
  if (encoding !== 'utf-8') throw new TypeError_(`Unsupported encoding ${encoding}`);
  const bytes = utf8Encode(input);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (spaceAsPlus && b === 0x20) out += '+';
    else if (b < 0x20 || b > 0x7e || StringPrototypeIndexOf(set, String.fromCharCode(b)) >= 0) {
      out += '%' + HEX[b >> 4]! + HEX[b & 15]!;
    } else out += String.fromCharCode(b);
  }
  return out;
}
void StringPrototypeCharCodeAt;

/**
 * Replaces whatwg-url's lib/encoding.js, which reaches for global TextEncoder/TextDecoder
 * at load time; the runtime installs those globals only after the bundle is evaluated.
 */
import { utf8Decode, utf8Encode } from '../web/utf8.ts';

/** UTF-8 encode (USVString semantics). */
export function utf8Encode_(s: string): Uint8Array {
  return utf8Encode(s);
}
/** UTF-8 decode without BOM stripping, lossy. */
export function utf8DecodeWithoutBOM(bytes: Uint8Array): string {
  return utf8Decode(bytes);
}
export { utf8Encode_ as utf8Encode };

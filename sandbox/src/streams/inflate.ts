/**
 * Streaming decompression with every check the Compression Streams spec asks for. fflate's
 * Inflate decodes the DEFLATE data; the gzip and zlib framing (header, checksum, length) is
 * read here, because fflate's Gunzip and Unzlib skip the checksums, accept truncated input and
 * data after the end, and cannot tell where the compressed data ended.
 */

import { Inflate } from 'fflate';
import { adler32, crc32 } from './checksums.ts';

export type Format = 'deflate' | 'deflate-raw' | 'gzip';

/**
 * fflate's Inflate between pushes: `p` is the input not consumed yet, `s` the decoder state,
 * where `f` is set once the final block started, `l` holds the current block's code table
 * (cleared at its end-of-block code) and `p` is the bit position in `p`. fflate's own Gunzip
 * finds the end of a member with the same fields; fflate is pinned, and the tests cover this.
 */
interface InflateInternals {
  p: Uint8Array;
  s: { f?: number; l?: unknown; p?: number };
}

const HEADER = 0;
const DATA = 1;
const TRAILER = 2;
const DONE = 3;

function invalid(why: string): TypeError {
  return new TypeError(`DecompressionStream: ${why}`);
}

export class Decompressor {
  #format: Format;
  #phase: number;
  #inflate: Inflate;
  /** Header or trailer bytes that arrived before the rest of it. */
  #held: Uint8Array = new Uint8Array(0);
  #check: number;
  #size = 0;

  /** `out` receives each piece of decompressed data as it is decoded. */
  constructor(format: Format, out: (bytes: Uint8Array) => void) {
    this.#format = format;
    this.#phase = format === 'deflate-raw' ? DATA : HEADER;
    this.#check = format === 'deflate' ? 1 : 0;
    this.#inflate = new Inflate((data) => {
      if (data.length === 0) return;
      if (format === 'gzip') this.#check = crc32(this.#check, data);
      else if (format === 'deflate') this.#check = adler32(this.#check, data);
      this.#size += data.length;
      out(data);
    });
  }

  /** Decompresses the next piece of input (kept until decoded: pass a copy); a TypeError for invalid data. */
  push(chunk: Uint8Array): void {
    let input = chunk;
    if (this.#phase === HEADER) {
      input = this.#withHeld(input);
      const n = this.#format === 'gzip' ? gzipHeaderLength(input) : zlibHeaderLength(input);
      if (n < 0) {
        this.#held = input;
        return;
      }
      input = input.subarray(n);
      this.#phase = DATA;
    }
    if (this.#phase === DATA) {
      if (input.length === 0) return;
      try {
        this.#inflate.push(input, false);
      } catch (e) {
        throw invalid((e as Error).message);
      }
      const inflate = this.#inflate as unknown as InflateInternals;
      if (!inflate.s.f || inflate.s.l) return;
      // The DEFLATE data ended; the trailer starts at the next byte boundary.
      input = inflate.p.subarray(((inflate.s.p ?? 0) + 7) >> 3);
      this.#phase = TRAILER;
    }
    if (this.#phase === TRAILER) {
      input = this.#withHeld(input);
      const length = this.#format === 'gzip' ? 8 : this.#format === 'deflate' ? 4 : 0;
      if (input.length < length) {
        this.#held = input;
        return;
      }
      this.#checkTrailer(input);
      input = input.subarray(length);
      this.#phase = DONE;
    }
    if (input.length > 0) throw invalid('data after the end of the compressed data');
  }

  /** The input is over: a TypeError unless the compressed data was complete. */
  finish(): void {
    if (this.#phase !== DONE) throw invalid('the compressed data is truncated');
  }

  #withHeld(input: Uint8Array): Uint8Array {
    if (this.#held.length === 0) return input;
    const all = new Uint8Array(this.#held.length + input.length);
    all.set(this.#held);
    all.set(input, this.#held.length);
    this.#held = new Uint8Array(0);
    return all;
  }

  #checkTrailer(t: Uint8Array): void {
    if (this.#format === 'gzip') {
      if (uint32(t[0]!, t[1]!, t[2]!, t[3]!) !== this.#check) throw invalid('CRC-32 mismatch');
      if (uint32(t[4]!, t[5]!, t[6]!, t[7]!) !== this.#size % 0x100000000) throw invalid('length mismatch');
    } else if (this.#format === 'deflate') {
      if (uint32(t[3]!, t[2]!, t[1]!, t[0]!) !== this.#check) throw invalid('Adler-32 mismatch');
    }
  }
}

/** Little-endian 32-bit unsigned. */
function uint32(b0: number, b1: number, b2: number, b3: number): number {
  return (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0;
}

/** The length of the gzip member header at the start of `b` (RFC 1952 §2.3), or -1 while incomplete. */
function gzipHeaderLength(b: Uint8Array): number {
  // Checked as the bytes arrive, so input that is not gzip fails at once.
  if ((b.length > 0 && b[0] !== 0x1f) || (b.length > 1 && b[1] !== 0x8b)) throw invalid('not gzip data');
  if (b.length > 2 && b[2] !== 8) throw invalid('unknown gzip compression method');
  if (b.length > 3 && b[3]! & 0xe0) throw invalid('reserved gzip flags are set');
  if (b.length < 10) return -1;
  const flags = b[3]!;
  let n = 10;
  if (flags & 4) {
    if (b.length < n + 2) return -1;
    n += 2 + (b[n]! | (b[n + 1]! << 8));
  }
  if (flags & 8) n = afterZero(b, n);
  if (flags & 16) n = afterZero(b, n);
  if (n < 0) return -1;
  if (flags & 2) {
    if (b.length < n + 2) return -1;
    if ((crc32(0, b.subarray(0, n)) & 0xffff) !== (b[n]! | (b[n + 1]! << 8))) throw invalid('gzip header CRC mismatch');
    n += 2;
  }
  return n <= b.length ? n : -1;
}

/** The index after the zero byte that ends the string at `from`, or -1 when it has not arrived. */
function afterZero(b: Uint8Array, from: number): number {
  if (from < 0) return -1;
  const end = b.indexOf(0, from);
  return end < 0 ? -1 : end + 1;
}

/** The length of the zlib header at the start of `b` (RFC 1950 §2.2), or -1 while incomplete. */
function zlibHeaderLength(b: Uint8Array): number {
  if (b.length > 0 && ((b[0]! & 0x0f) !== 8 || b[0]! >> 4 > 7)) throw invalid('not zlib data');
  if (b.length < 2) return -1;
  if (((b[0]! << 8) | b[1]!) % 31 !== 0) throw invalid('zlib header check failed');
  if (b[1]! & 0x20) throw invalid('zlib data with a preset dictionary');
  return 2;
}

/**
 * Fetch's body: extraction from BodyInit and the consume algorithms. Bodies are held as
 * bytes for now; `Body` is the one place a ReadableStream source will plug in later.
 */

import {
  ArrayBufferIsView,
  JSONParse,
  PromiseReject,
  PromiseResolve,
  String_,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
} from '../primordials.ts';
import { bytesOfBufferSource, isArrayBuffer, toArrayBuffer } from './buffer-source.ts';
import { isURLSearchParams, urlSearchParamsToString } from './url-classes.ts';
import { utf8ByteLength, utf8Decode, utf8Encode } from './utf8.ts';

/**
 * A body: its bytes (null for none) and whether it was consumed. A body made from a string
 * keeps the string and encodes it only when its bytes are asked for: a handler's response
 * text leaves the isolate as a string, which the host encodes natively (a 5 MiB body
 * encoded here would cost tens of milliseconds of the function's CPU time).
 */
export class Body {
  #bytes: Uint8Array | null;
  #text: string | null;
  used: boolean;

  constructor(bytes: Uint8Array | null, used = false, text: string | null = null) {
    this.#bytes = bytes;
    this.#text = bytes === null ? text : null;
    this.used = used;
  }

  get bytes(): Uint8Array | null {
    if (this.#bytes === null && this.#text !== null) {
      this.#bytes = utf8Encode(this.#text);
      this.#text = null;
    }
    return this.#bytes;
  }

  /** The source string, while the body has not been encoded; null otherwise. */
  get text(): string | null {
    return this.#text;
  }

  /** Marks the body used and returns its bytes; null when it was used already. */
  consume(): Uint8Array | null {
    if (this.used) return null;
    this.used = true;
    return this.bytes ?? new Uint8Array_(0);
  }

  /** A copy sharing nothing mutable (the spec tees the stream; bytes are immutable here). */
  clone(): Body {
    return new Body(this.#bytes, false, this.#text);
  }

  /** True when the body is a ReadableStream (not bytes or text): it leaves the isolate chunk by chunk. */
  get isStream(): boolean {
    return false;
  }

  get byteLength(): number {
    if (this.#text !== null) return utf8ByteLength(this.#text);
    return this.#bytes === null ? 0 : TypedArrayPrototypeGetByteLength(this.#bytes);
  }
}

/** Fetch's "extract a body" as a Body and the default Content-Type, or null for a null body. */
export function extractBody(init: unknown): { body: Body; contentType: string | null } | null {
  if (init === null || init === undefined) return null;
  if (typeof init === 'string') return { body: new Body(null, false, init), contentType: 'text/plain;charset=UTF-8' };
  if (isArrayBuffer(init) || ArrayBufferIsView(init)) return { body: new Body(bytesOfBufferSource(init, true)), contentType: null };
  if (isURLSearchParams(init)) {
    return {
      body: new Body(null, false, urlSearchParamsToString(init)),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  // Blob, FormData and ReadableStream arrive with their issue; other objects stringify (WebIDL USVString).
  return { body: new Body(null, false, String_(init)), contentType: 'text/plain;charset=UTF-8' };
}

/** The consume-body algorithms shared by Request and Response. */
export const consume = {
  arrayBuffer(body: Body): Promise<ArrayBuffer> {
    const b = body.consume();
    if (b === null) return PromiseReject(new TypeError_('Body has already been used'));
    return PromiseResolve(toArrayBuffer(b)) as Promise<ArrayBuffer>;
  },
  bytes(body: Body): Promise<Uint8Array> {
    const b = body.consume();
    if (b === null) return PromiseReject(new TypeError_('Body has already been used'));
    return PromiseResolve(new Uint8Array_(toArrayBuffer(b))) as Promise<Uint8Array>;
  },
  text(body: Body): Promise<string> {
    const source = body.used ? null : body.text;
    if (source !== null) {
      body.used = true;
      return PromiseResolve(source) as Promise<string>;
    }
    const b = body.consume();
    if (b === null) return PromiseReject(new TypeError_('Body has already been used'));
    return PromiseResolve(decodeText(b)) as Promise<string>;
  },
  json(body: Body): Promise<unknown> {
    const b = body.consume();
    if (b === null) return PromiseReject(new TypeError_('Body has already been used'));
    try {
      return PromiseResolve(JSONParse(decodeText(b)));
    } catch (e) {
      return PromiseReject(e);
    }
  },
};

/** Encoding's "UTF-8 decode": lossy, with a leading BOM removed. */
export function decodeText(b: Uint8Array): string {
  const bom = TypedArrayPrototypeGetByteLength(b) >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  return utf8Decode(bom ? TypedArrayPrototypeSubarray(b, 3) : b);
}

/** Reads a stream-backed body chunk by chunk (the runtime streams such a response out). */
export interface BodyStreamReader {
  /** The next chunk, or null at the end. Rejects when the stream errors or yields a non-Uint8Array chunk. */
  next(): Promise<Uint8Array | null>;
  cancel(reason: unknown): void;
}

/**
 * A reader over `body` when it is a stream (locks it and marks it used), or null when
 * the body is bytes or text (those leave the isolate whole).
 */
export function bodyStreamReader(_body: Body): BodyStreamReader | null {
  return null;
}

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
import { utf8Decode, utf8Encode } from './utf8.ts';

/** A body: its bytes (null for none) and whether it was consumed. */
export class Body {
  constructor(
    public bytes: Uint8Array | null,
    public used = false,
  ) {}

  /** Marks the body used and returns its bytes; null when it was used already. */
  consume(): Uint8Array | null {
    if (this.used) return null;
    this.used = true;
    return this.bytes ?? new Uint8Array_(0);
  }

  /** A copy sharing nothing mutable (the spec tees the stream; bytes are immutable here). */
  clone(): Body {
    return new Body(this.bytes, false);
  }

  get byteLength(): number {
    return this.bytes === null ? 0 : TypedArrayPrototypeGetByteLength(this.bytes);
  }
}

/** Fetch's "extract a body": bytes and the default Content-Type, or null for a null body. */
export function extractBody(init: unknown): { bytes: Uint8Array; contentType: string | null } | null {
  if (init === null || init === undefined) return null;
  if (typeof init === 'string') return { bytes: utf8Encode(init), contentType: 'text/plain;charset=UTF-8' };
  if (isArrayBuffer(init) || ArrayBufferIsView(init)) return { bytes: bytesOfBufferSource(init, true), contentType: null };
  if (isURLSearchParams(init)) {
    return {
      bytes: utf8Encode(urlSearchParamsToString(init)),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  // Blob, FormData and ReadableStream arrive with their issue; other objects stringify (WebIDL USVString).
  return { bytes: utf8Encode(String_(init)), contentType: 'text/plain;charset=UTF-8' };
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

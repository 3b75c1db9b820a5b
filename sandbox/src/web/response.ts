/** Response (Fetch §6.5). Internals live in private fields, so look-alikes fail every brand check. */

import {
  JSONStringify,
  MathFloor,
  RangeError_,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  String_,
  TypeError_,
} from '../primordials.ts';
import { Body, consume, extractBody, illegal, mimeTypeOf } from './body.ts';
import { Headers, fillHeaders, headersInternals } from './headers.ts';
import { registerPlatformClass } from './platform-objects.ts';
import type { ReadableStream } from './streams.ts';
import { parseHref } from './url.ts';

type ResponseType = 'basic' | 'cors' | 'default' | 'error' | 'opaque' | 'opaqueredirect';

const NULL_BODY_STATUS = [101, 103, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];

function isReasonPhrase(s: string): boolean {
  // RFC 9112 reason-phrase: HTAB / SP / VCHAR / obs-text
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff))) return false;
  }
  return true;
}

function includes(list: number[], v: number): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

export interface ResponseInit {
  headers?: unknown;
  status?: number;
  statusText?: string;
}

const NO_INIT = { __proto__: null } as ResponseInit;

/** Response internals the runtime reads; `responseInternals(v)` is null for anything but a genuine Response. */
export interface ResponseInternals {
  status: number;
  statusText: string;
  headers: Headers;
  body: Body;
  type: ResponseType;
}

/**
 * The state of a genuine Response of this runtime; null for anything else (look-alikes
 * included). `fromHost` makes the Response of a fetch: `headers` are the host's pairs (validated),
 * `urlList` the URLs it went through (the last is `url`), and the headers are immutable.
 */
export let responseInternals: ((v: unknown) => ResponseInternals | null) & {
  fromHost(
    status: number,
    statusText: string,
    headers: readonly (readonly [string, string])[],
    body: Body | null,
    urlList: readonly string[],
    redirected: boolean,
  ): Response;
};
/** Brand check: a genuine Response of this runtime. Runs no guest code. */
export let isResponse: (v: unknown) => boolean;

export class Response {
  static {
    registerPlatformClass(this, (v) => #headers in v);
  }
  #status = 200;
  #statusText = '';
  #headers: Headers;
  #body!: Body;
  #type: ResponseType = 'default';
  #url = '';
  #redirected = false;

  constructor(body: unknown = null, init: ResponseInit | undefined | null = undefined) {
    const extracted = extractBody(body);
    if (init !== undefined && init !== null && typeof init !== 'object' && typeof init !== 'function') {
      throw new TypeError_("Failed to construct 'Response': The provided value is not of type 'ResponseInit'.");
    }
    // WebIDL reads the dictionary's members once each, in lexicographic order.
    const o = init ?? NO_INIT;
    const headersInit = o.headers;
    const statusInit = o.status;
    const statusTextInit = o.statusText;
    const status = statusInit === undefined ? 200 : toUnsignedShort(statusInit);
    const statusText = statusTextInit === undefined ? '' : String_(statusTextInit);
    if (status < 200 || status > 599) throw new RangeError_(`The status provided (${status}) is outside the range [200, 599].`);
    if (!isReasonPhrase(statusText)) throw new TypeError_('Invalid statusText');
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers();
    headersInternals.setGuard(this.#headers, 'response');
    if (headersInit !== undefined) fillHeaders(this.#headers, headersInit);
    if (extracted !== null) this.#setBody(extracted.body, extracted.contentType);
    else this.#body = new Body(null);
  }

  #setBody(body: Body, contentType: string | null): void {
    if (includes(NULL_BODY_STATUS, this.#status)) throw new TypeError_(`Response with null body status ${this.#status} cannot have a body`);
    if (contentType !== null && !headersInternals.hasLower(this.#headers, 'content-type')) {
      headersInternals.appendTrusted(this.#headers, 'content-type', contentType);
    }
    this.#body = body;
  }

  static error(): Response {
    const r = new Response(null);
    r.#status = 0;
    r.#type = 'error';
    headersInternals.setGuard(r.#headers, 'immutable');
    return r;
  }

  static redirect(url: unknown, status: unknown = 302): Response {
    const href = parseHref(String_(url));
    if (href === null) throw new TypeError_(`Invalid URL: ${String_(url)}`);
    const s = toUnsignedShort(status);
    if (!includes(REDIRECT_STATUS, s)) throw new RangeError_(`Invalid redirect status: ${s}`);
    const r = new Response(null, { status: s });
    headersInternals.appendTrusted(r.#headers, 'location', href);
    headersInternals.setGuard(r.#headers, 'immutable');
    return r;
  }

  static json(data: unknown, init: ResponseInit | undefined | null = undefined): Response {
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeError_('Value is not JSON serializable');
    const r = new Response(null, init);
    // Kept as text, as a string body is: the host encodes it.
    r.#setBody(new Body(null, false, text), 'application/json');
    return r;
  }

  get type(): ResponseType {
    return this.#type;
  }
  get url(): string {
    return this.#url;
  }
  get redirected(): boolean {
    return this.#redirected;
  }
  get status(): number {
    return this.#status;
  }
  get ok(): boolean {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText(): string {
    return this.#statusText;
  }
  get headers(): Headers {
    return this.#headers;
  }
  get body(): ReadableStream | null {
    return this.#body.isNull ? null : this.#body.stream();
  }
  get bodyUsed(): boolean {
    return this.#body.used;
  }

  clone(): Response {
    if (this.#body.unusable) throw new TypeError_('Response.clone: Body has already been used');
    const r = new Response(null);
    r.#status = this.#status;
    r.#statusText = this.#statusText;
    r.#type = this.#type;
    r.#url = this.#url;
    r.#redirected = this.#redirected;
    r.#headers = headersInternals.fromPairs(headersInternals.list(this.#headers), headersInternals.guard(this.#headers));
    r.#body = this.#body.clone();
    return r;
  }

  // Body methods return promises: called on a wrong object they reject, they do not throw.
  arrayBuffer(): Promise<ArrayBuffer> {
    return #body in this ? consume.arrayBuffer(this.#body) : illegal();
  }
  bytes(): Promise<Uint8Array> {
    return #body in this ? consume.bytes(this.#body) : illegal();
  }
  blob(): Promise<unknown> {
    return #body in this ? consume.blob(this.#body, mimeTypeOf(this.#headers)) : illegal();
  }
  formData(): Promise<unknown> {
    return #body in this ? consume.formData(this.#body, mimeTypeOf(this.#headers)) : illegal();
  }
  text(): Promise<string> {
    return #body in this ? consume.text(this.#body) : illegal();
  }
  json(): Promise<unknown> {
    return #body in this ? consume.json(this.#body) : illegal();
  }

  static {
    // Runtime-only accessors, handed out through module bindings so guests never see them.
    const internals = (v: unknown): ResponseInternals | null => {
      if (typeof v !== 'object' || v === null || !(#body in v)) return null;
      // Never handed to guest code, so not frozen.
      return { __proto__: null, status: v.#status, statusText: v.#statusText, headers: v.#headers, body: v.#body, type: v.#type } as ResponseInternals;
    };
    internals.fromHost = (status: number, statusText: string, headers: readonly (readonly [string, string])[], body: Body | null, urlList: readonly string[], redirected: boolean) => {
      const r = new Response(null);
      r.#status = status;
      r.#statusText = statusText;
      r.#headers = headersInternals.fromPairs(headers, 'immutable');
      if (body !== null) r.#body = body;
      // A server has no origin to filter against: a fetched response is 'basic', as in other server runtimes.
      r.#type = 'basic';
      const url = urlList.length > 0 ? urlList[urlList.length - 1]! : '';
      const hash = StringPrototypeIndexOf(url, '#');
      r.#url = hash < 0 ? url : StringPrototypeSlice(url, 0, hash);
      r.#redirected = redirected;
      return r;
    };
    responseInternals = internals;
    isResponse = (v) => typeof v === 'object' && v !== null && #body in v;
  }
}

/** WebIDL `unsigned short` conversion (modulo 2^16, NaN and ±Infinity → 0). */
function toUnsignedShort(v: unknown): number {
  const n = +(v as number);
  if (n !== n || n === Infinity || n === -Infinity) return 0;
  const t = n < 0 ? -MathFloor(-n) : MathFloor(n);
  const m = t % 65536;
  return m < 0 ? m + 65536 : m;
}

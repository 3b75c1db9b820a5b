/** Response (Fetch §6.5). Internals live in private fields, so look-alikes fail every brand check. */

import {
  JSONStringify,
  MathFloor,
  RangeError_,
  String_,
  TypeError_,
} from '../primordials.ts';
import { Body, consume, extractBody } from './body.ts';
import { Headers, fillHeaders, headersInternals } from './headers.ts';
import { parseHref } from './url.ts';
import { utf8Encode } from './utf8.ts';
import { StringPrototypeCharCodeAt } from '../primordials.ts';

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
  status?: number;
  statusText?: string;
  headers?: unknown;
}

/** The state of a genuine Response of this runtime; null for anything else (look-alikes included). */
export let responseInternals: (v: unknown) => ResponseInternals | null;
/** Brand check: a genuine Response of this runtime. Runs no guest code. */
export let isResponse: (v: unknown) => boolean;

export class Response {
  #status = 200;
  #statusText = '';
  #headers: Headers;
  #body: Body;
  #type: ResponseType = 'default';
  #url = '';

  constructor(body: unknown = null, init: ResponseInit | undefined | null = undefined) {
    this.#headers = new Headers();
    headersInternals.setGuard(this.#headers, 'response');
    const status = init?.status === undefined ? 200 : toUnsignedShort(init.status);
    const statusText = init?.statusText === undefined ? '' : String_(init.statusText);
    const headersInit = init?.headers;
    if (status < 200 || status > 599) throw new RangeError_(`The status provided (${status}) is outside the range [200, 599].`);
    if (!isReasonPhrase(statusText)) throw new TypeError_('Invalid statusText');
    this.#status = status;
    this.#statusText = statusText;
    if (headersInit !== undefined && headersInit !== null) fillHeaders(this.#headers, headersInit);
    const extracted = extractBody(body);
    if (extracted !== null) {
      if (includes(NULL_BODY_STATUS, status)) throw new TypeError_(`Response with null body status ${status} cannot have a body`);
      if (extracted.contentType !== null && !headersInternals.hasLower(this.#headers, 'content-type')) {
        headersInternals.appendTrusted(this.#headers, 'content-type', extracted.contentType);
      }
    }
    this.#body = extracted === null ? new Body(null) : extracted.body;
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

  static json(data: unknown, init: ResponseInit | undefined = undefined): Response {
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeError_('Value is not JSON serializable');
    const r = new Response(utf8Encode(text), init);
    if (!headersInternals.hasLower(r.#headers, 'content-type')) headersInternals.appendTrusted(r.#headers, 'content-type', 'application/json');
    return r;
  }

  get type(): ResponseType {
    return this.#type;
  }
  get url(): string {
    return this.#url;
  }
  get redirected(): boolean {
    return false;
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
  get body(): null {
    // ReadableStream arrives with the streams issue; until then a body is only readable whole.
    return null;
  }
  get bodyUsed(): boolean {
    return this.#body.used;
  }

  clone(): Response {
    if (this.#body.used) throw new TypeError_('Response.clone: Body has already been used');
    const r = new Response(null);
    r.#status = this.#status;
    r.#statusText = this.#statusText;
    r.#type = this.#type;
    r.#url = this.#url;
    r.#headers = new Headers(this.#headers);
    headersInternals.setGuard(r.#headers, this.#type === 'error' ? 'immutable' : 'response');
    r.#body = this.#body.clone();
    return r;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return consume.arrayBuffer(this.#body);
  }
  bytes(): Promise<Uint8Array> {
    return consume.bytes(this.#body);
  }
  text(): Promise<string> {
    return consume.text(this.#body);
  }
  json(): Promise<unknown> {
    return consume.json(this.#body);
  }

  static {
    // Runtime-only accessor, handed out through a module binding so guests never see it.
    responseInternals = (v) => {
      if (typeof v !== 'object' || v === null || !(#body in v)) return null;
      // Never handed to guest code, so not frozen.
      return { __proto__: null, status: v.#status, statusText: v.#statusText, headers: v.#headers, body: v.#body, type: v.#type } as ResponseInternals;
    };
    isResponse = (v) => typeof v === 'object' && v !== null && #body in v;
  }
}

export interface ResponseInternals {
  status: number;
  statusText: string;
  headers: Headers;
  body: Body;
  type: ResponseType;
}


/** WebIDL `unsigned short` conversion (modulo 2^16, NaN and ±Infinity → 0). */
function toUnsignedShort(v: unknown): number {
  const n = +(v as number);
  if (n !== n || n === Infinity || n === -Infinity) return 0;
  const t = n < 0 ? -MathFloor(-n) : MathFloor(n);
  const m = t % 65536;
  return m < 0 ? m + 65536 : m;
}

/** Request (Fetch §6.4), server-side subset: no mode/credentials enforcement, no signal yet. */

import { StringPrototypeCharCodeAt, StringPrototypeIndexOf, String_, TypeError_ } from '../primordials.ts';
import { Body, consume, extractBody } from './body.ts';
import { Headers, fillHeaders, headersInternals } from './headers.ts';
import { asciiUppercase, isToken } from './infra.ts';
import { parseHref } from './url.ts';

type Redirect = 'follow' | 'error' | 'manual';

export interface RequestInit {
  method?: string;
  headers?: unknown;
  body?: unknown;
  redirect?: Redirect;
}

const NORMALISED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
const FORBIDDEN = ['CONNECT', 'TRACE', 'TRACK'];

function has(list: string[], v: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

/** Validates and normalises a method per Fetch: token, not forbidden, standard names uppercased. */
export function normaliseMethod(method: unknown): string {
  const m = String_(method);
  if (!isToken(m)) throw new TypeError_(`'${m}' is not a valid HTTP method.`);
  const upper = asciiUppercase(m);
  if (has(FORBIDDEN, upper)) throw new TypeError_(`'${m}' HTTP method is unsupported.`);
  return has(NORMALISED, upper) ? upper : m;
}

/** Runtime-only access to a Request's body, and construction from a request the host already validated. */
export let requestInternals: {
  body(r: Request): Body;
  /** A Request of `method` for `url` (absolute, already serialised by the host's URL parser) with `headers` as its list. */
  fromHost(url: string, method: string, headers: Headers, body: Uint8Array | null): Request;
};

/** Passed as `input` by `fromHost`; never reachable from guest code. */
const FROM_HOST = {};
let hostInit: { url: string; method: string; headers: Headers; body: Uint8Array | null } | null = null;

export class Request {
  #method = 'GET';
  #url: string;
  #headers: Headers;
  #body: Body;
  #redirect: Redirect = 'follow';

  constructor(input: unknown, init: RequestInit | undefined | null = undefined) {
    if (input === FROM_HOST && hostInit !== null) {
      const h = hostInit;
      hostInit = null;
      this.#url = h.url;
      this.#method = h.method;
      this.#headers = h.headers;
      this.#body = new Body(h.body);
      return;
    }
    if (arguments.length === 0) throw new TypeError_("Failed to construct 'Request': 1 argument required, but only 0 present.");
    let inputBody: Body | null = null;
    this.#headers = new Headers();
    headersInternals.setGuard(this.#headers, 'request');
    if (typeof input === 'object' && input !== null && #url in input) {
      this.#url = input.#url;
      this.#method = input.#method;
      this.#redirect = input.#redirect;
      inputBody = input.#body;
      fillHeaders(this.#headers, input.#headers);
    } else {
      const s = String_(input);
      const href = parseHref(s);
      if (href === null) throw new TypeError_(`Failed to parse URL from ${s}`);
      if (hasCredentials(href)) throw new TypeError_(`Request cannot be constructed from a URL that includes credentials: ${s}`);
      this.#url = href;
    }
    const method = init?.method;
    if (method !== undefined) this.#method = normaliseMethod(method);
    const redirect = init?.redirect;
    if (redirect !== undefined) {
      const r = String_(redirect);
      if (r !== 'follow' && r !== 'error' && r !== 'manual') throw new TypeError_(`Invalid redirect value: ${r}`);
      this.#redirect = r;
    }
    const headersInit = init?.headers;
    if (headersInit !== undefined && headersInit !== null) {
      const fresh = new Headers();
      headersInternals.setGuard(fresh, 'request');
      fillHeaders(fresh, headersInit);
      this.#headers = fresh;
    }
    const bodyInit = init?.body;
    const hasBodyInit = bodyInit !== undefined && bodyInit !== null;
    if ((hasBodyInit || (inputBody !== null && (inputBody.text !== null || inputBody.bytes !== null))) && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new TypeError_('Request with GET/HEAD method cannot have body.');
    }
    if (hasBodyInit) {
      const extracted = extractBody(bodyInit)!;
      if (extracted.contentType !== null && !headersInternals.hasLower(this.#headers, 'content-type')) {
        headersInternals.appendTrusted(this.#headers, 'content-type', extracted.contentType);
      }
      this.#body = extracted.body;
    } else if (inputBody !== null) {
      if (inputBody.used) throw new TypeError_('Cannot construct a Request with a Request object that has already been used.');
      // The spec moves the input's body into the new request and leaves the input disturbed.
      this.#body = inputBody.clone();
      if (inputBody.text !== null || inputBody.bytes !== null) inputBody.used = true;
    } else {
      this.#body = new Body(null);
    }
  }

  get method(): string {
    return this.#method;
  }
  get url(): string {
    return this.#url;
  }
  get headers(): Headers {
    return this.#headers;
  }
  get redirect(): Redirect {
    return this.#redirect;
  }
  get body(): null {
    return null;
  }
  get bodyUsed(): boolean {
    return this.#body.used;
  }

  clone(): Request {
    if (this.#body.used) throw new TypeError_('Request.clone: Body has already been used');
    const r = new Request(this.#url, { method: this.#method, headers: this.#headers, redirect: this.#redirect });
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
    requestInternals = {
      body: (r) => r.#body,
      fromHost: (url, method, headers, body) => {
        hostInit = { url, method, headers, body };
        return new Request(FROM_HOST);
      },
    };
  }
}

function hasCredentials(href: string): boolean {
  // In a serialised URL, userinfo ends with '@' before the host; scheme "x://" then user[:pass]@.
  const schemeEnd = StringPrototypeIndexOf(href, '://');
  if (schemeEnd < 0) return false;
  for (let i = schemeEnd + 3; i < href.length; i++) {
    const c = StringPrototypeCharCodeAt(href, i);
    if (c === 0x40) return true; // '@'
    if (c === 0x2f || c === 0x3f || c === 0x23) return false; // '/', '?', '#'
  }
  return false;
}

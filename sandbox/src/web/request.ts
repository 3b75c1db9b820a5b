/**
 * Request (Fetch §6.4). A server has no environment: there is no base URL (relative URLs are
 * a TypeError), mode and credentials are recorded but enforce nothing, and no header is
 * forbidden (as in other server runtimes).
 */

import { StringPrototypeCharCodeAt, StringPrototypeIndexOf, String_, TypeError_ } from '../primordials.ts';
import { Body, consume, extractBody, illegal, mimeTypeOf } from './body.ts';
import type { AbortSignal } from './events/abort.ts';
import { abortSignals, isAbortSignal } from './events-api.ts';
import { Headers, fillHeaders, headersInternals } from './headers.ts';
import { asciiUppercase, isToken } from './infra.ts';
import { registerPlatformClass } from './platform-objects.ts';
import type { ReadableStream } from './streams.ts';
import { parseHref } from './url.ts';

export interface RequestInit {
  body?: unknown;
  cache?: string;
  credentials?: string;
  duplex?: string;
  headers?: unknown;
  integrity?: string;
  keepalive?: boolean;
  method?: string;
  mode?: string;
  priority?: string;
  redirect?: string;
  referrer?: string;
  referrerPolicy?: string;
  signal?: unknown;
  window?: unknown;
}

const NORMALISED = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
const FORBIDDEN = ['CONNECT', 'TRACE', 'TRACK'];

/**
 * RequestInit's members in the order WebIDL reads them (lexicographic), each with its enum
 * values (any other string is a TypeError), null for a plain string, or undefined when the
 * member is not a string (converted where it is used).
 */
const MEMBERS: [string, string[] | null | undefined][] = [
  ['body', undefined],
  ['cache', ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached']],
  ['credentials', ['omit', 'same-origin', 'include']],
  ['duplex', ['half']],
  ['headers', undefined],
  ['integrity', null],
  ['keepalive', undefined],
  ['method', undefined],
  ['mode', ['navigate', 'same-origin', 'no-cors', 'cors']],
  ['priority', ['high', 'low', 'auto']],
  ['redirect', ['follow', 'error', 'manual']],
  ['referrer', null],
  ['referrerPolicy', [
    '', 'no-referrer', 'no-referrer-when-downgrade', 'same-origin', 'origin', 'strict-origin',
    'origin-when-cross-origin', 'strict-origin-when-cross-origin', 'unsafe-url',
  ]],
  ['signal', undefined],
  ['window', undefined],
];

/** Settings copied from init as they are. */
const PLAIN = ['cache', 'credentials', 'integrity', 'redirect', 'referrerPolicy'];

function has(list: string[], v: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
  return false;
}

function fail(message: string): TypeError {
  return new TypeError_(`Failed to construct 'Request': ${message}`);
}

/** Validates and normalises a method per Fetch: token, not forbidden, standard names uppercased. */
export function normaliseMethod(method: unknown): string {
  const m = String_(method);
  if (!isToken(m)) throw new TypeError_(`'${m}' is not a valid HTTP method.`);
  const upper = asciiUppercase(m);
  if (has(FORBIDDEN, upper)) throw new TypeError_(`'${m}' HTTP method is unsupported.`);
  return has(NORMALISED, upper) ? upper : m;
}

/** The request's settings other than method, URL, headers and body; `referrer` is 'client', 'no-referrer' or a URL. */
interface Settings {
  cache: string;
  credentials: string;
  integrity: string;
  keepalive: boolean;
  mode: string;
  redirect: string;
  referrer: string;
  referrerPolicy: string;
  /**
   * The signal the request follows (init's, or the input Request's), null for none. The
   * `signal` getter makes the request's own dependent signal only when it is read: signals
   * live in the lazy module `events`, which most invocations never load.
   */
  follows: AbortSignal | null;
}

function defaultSettings(): Settings {
  return {
    __proto__: null, cache: 'default', credentials: 'same-origin', integrity: '', keepalive: false, mode: 'cors',
    redirect: 'follow', referrer: 'client', referrerPolicy: '', follows: null,
  } as Settings;
}

/** WebIDL's conversion of a RequestInit: the members present (strings checked), or null when there are none. */
function readInit(init: unknown): Record<string, unknown> | null {
  if (init === undefined || init === null) return null;
  if (typeof init !== 'object' && typeof init !== 'function') throw fail('init is not an object.');
  let out: Record<string, unknown> | null = null;
  for (let i = 0; i < MEMBERS.length; i++) {
    const name = MEMBERS[i]![0];
    const values = MEMBERS[i]![1];
    let v = (init as Record<string, unknown>)[name];
    if (v === undefined) continue;
    if (values !== undefined) {
      v = `${v as string}`;
      if (values !== null && !has(values, v as string)) throw fail(`'${v as string}' is not a valid ${name}.`);
    }
    (out ??= { __proto__: null } as Record<string, unknown>)[name] = v;
  }
  return out;
}

const NO_INIT = { __proto__: null };

/** Runtime-only access to a Request's body, and construction from a request the host already validated. */
export let requestInternals: {
  body(r: Request): Body;
  /** What fetch sends: the request's method, URL, header list and redirect mode. */
  parts(r: Request): { method: string; url: string; headers: Headers; redirect: string; signal: AbortSignal | null };
  /** A Request of `method` for `url` (absolute, already serialised by the host's URL parser) with `headers` as its list. */
  fromHost(url: string, method: string, headers: Headers, body: Uint8Array | null): Request;
  /**
   * Abort `r`'s signal with `reason` (its client went away). Until read, a request has no
   * signal of its own: it is then made to follow an aborted one, and reads as aborted.
   */
  abort(r: Request, reason: unknown): void;
};

/** Passed as `input` by `fromHost`; never reachable from guest code. */
const FROM_HOST = {};
let hostInit: { url: string; method: string; headers: Headers; body: Body } | null = null;

export class Request {
  static {
    registerPlatformClass(this, (v) => #url in v);
  }
  #method = 'GET';
  #url: string;
  #headers: Headers;
  #body: Body;
  #settings: Settings;
  #signal: AbortSignal | null = null;

  constructor(input: unknown, init: RequestInit | undefined | null = undefined) {
    if (input === FROM_HOST && hostInit !== null) {
      const h = hostInit;
      hostInit = null;
      this.#url = h.url;
      this.#method = h.method;
      this.#headers = h.headers;
      this.#body = h.body;
      this.#settings = defaultSettings();
      return;
    }
    if (arguments.length === 0) throw new TypeError_("Failed to construct 'Request': 1 argument required, but only 0 present.");
    const from = typeof input === 'object' && input !== null && #url in input ? input : null;
    const inputString = from === null ? String_(input) : '';
    const o = readInit(init);
    const i = o ?? (NO_INIT as Record<string, unknown>);

    let fallbackMode: string | null = null;
    if (from === null) {
      const href = parseHref(inputString);
      if (href === null) throw new TypeError_(`Failed to parse URL from ${inputString}`);
      if (hasCredentials(href)) throw new TypeError_(`Request cannot be constructed from a URL that includes credentials: ${inputString}`);
      this.#url = href;
      this.#settings = defaultSettings();
      fallbackMode = 'cors';
    } else {
      this.#url = from.#url;
      this.#method = from.#method;
      this.#settings = { __proto__: null, ...from.#settings } as Settings;
    }
    const s = this.#settings as unknown as Record<string, unknown>;
    if (i.window !== undefined && i.window !== null) throw fail("'window' must be null.");
    if (o !== null) {
      if (s.mode === 'navigate') s.mode = 'same-origin';
      s.referrer = 'client';
      s.referrerPolicy = '';
    }
    const referrer = i.referrer as string | undefined;
    if (referrer === '') s.referrer = 'no-referrer';
    else if (referrer !== undefined) {
      const href = parseHref(referrer);
      if (href === null) throw fail(`invalid referrer ${referrer}`);
      s.referrer = href === 'about:client' ? 'client' : href;
    }
    const mode = (i.mode as string | undefined) ?? fallbackMode;
    if (mode === 'navigate') throw fail("mode 'navigate' is not allowed.");
    if (mode !== null) s.mode = mode;
    for (let k = 0; k < PLAIN.length; k++) if (i[PLAIN[k]!] !== undefined) s[PLAIN[k]!] = i[PLAIN[k]!];
    if (s.cache === 'only-if-cached' && s.mode !== 'same-origin') throw fail("'only-if-cached' needs mode 'same-origin'.");
    if (i.keepalive !== undefined) s.keepalive = !!i.keepalive;
    if (i.signal !== undefined) {
      if (i.signal !== null && !isAbortSignal(i.signal)) throw fail("member signal is not of type 'AbortSignal'.");
      s.follows = i.signal;
    }
    if (i.method !== undefined) this.#method = normaliseMethod(i.method);

    this.#headers = from === null ? new Headers() : copyHeaders(from.#headers);
    headersInternals.setGuard(this.#headers, 'request');
    if (i.headers !== undefined) {
      const fresh = new Headers();
      headersInternals.setGuard(fresh, 'request');
      fillHeaders(fresh, i.headers);
      this.#headers = fresh;
    }
    if (s.mode === 'no-cors' && !has(['GET', 'HEAD', 'POST'], this.#method)) throw fail(`method ${this.#method} is not allowed in mode 'no-cors'.`);

    const inputBody = from === null || from.#body.isNull ? null : from.#body;
    const bodyInit = i.body;
    const hasBodyInit = bodyInit !== undefined && bodyInit !== null;
    if ((hasBodyInit || inputBody !== null) && (this.#method === 'GET' || this.#method === 'HEAD')) {
      throw new TypeError_('Request with GET/HEAD method cannot have body.');
    }
    let initBody: Body | null = null;
    if (hasBodyInit) {
      const extracted = extractBody(bodyInit, s.keepalive as boolean)!;
      initBody = extracted.body;
      if (extracted.contentType !== null && !headersInternals.hasLower(this.#headers, 'content-type')) {
        headersInternals.appendTrusted(this.#headers, 'content-type', extracted.contentType);
      }
    }
    const body = initBody ?? inputBody;
    if (body !== null && body.isStream) {
      if (initBody !== null && i.duplex === undefined) throw fail("a streaming body needs duplex: 'half'.");
      if (s.mode !== 'same-origin' && s.mode !== 'cors') throw fail("a streaming body needs mode 'cors' or 'same-origin'.");
    }
    if (initBody === null && inputBody !== null) {
      if (inputBody.unusable) throw fail('the input Request has been used.');
      this.#body = inputBody.take();
    } else {
      this.#body = body ?? new Body(null);
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
  get destination(): string {
    return '';
  }
  get referrer(): string {
    const r = this.#settings.referrer;
    return r === 'no-referrer' ? '' : r === 'client' ? 'about:client' : r;
  }
  get referrerPolicy(): string {
    return this.#settings.referrerPolicy;
  }
  get mode(): string {
    return this.#settings.mode;
  }
  get credentials(): string {
    return this.#settings.credentials;
  }
  get cache(): string {
    return this.#settings.cache;
  }
  get signal(): AbortSignal {
    if (this.#signal === null) {
      const follows = this.#settings.follows;
      this.#signal = follows === null ? abortSignals().create() : abortSignals().dependent([follows]);
    }
    return this.#signal;
  }
  get redirect(): string {
    return this.#settings.redirect;
  }
  get integrity(): string {
    return this.#settings.integrity;
  }
  get keepalive(): boolean {
    return this.#settings.keepalive;
  }
  get isReloadNavigation(): boolean {
    return false;
  }
  get isHistoryNavigation(): boolean {
    return false;
  }
  get duplex(): string {
    return 'half';
  }
  get body(): ReadableStream | null {
    return this.#body.isNull ? null : this.#body.stream();
  }
  get bodyUsed(): boolean {
    return this.#body.used;
  }

  clone(): Request {
    if (this.#body.unusable) throw new TypeError_('Request.clone: Body has already been used');
    const r = requestInternals.fromHost(this.#url, this.#method, copyHeaders(this.#headers), null);
    r.#settings = { __proto__: null, ...this.#settings } as Settings;
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
    requestInternals = {
      body: (r) => r.#body,
      parts: (r) => ({ method: r.#method, url: r.#url, headers: r.#headers, redirect: r.#settings.redirect, signal: r.#signal ?? r.#settings.follows }),
      fromHost: (url, method, headers, body) => {
        hostInit = { url, method, headers, body: new Body(body) };
        return new Request(FROM_HOST);
      },
      abort: (r, reason) => {
        if (r.#signal !== null) {
          abortSignals().signalAbort(r.#signal, reason);
          return;
        }
        const aborted = abortSignals().create();
        abortSignals().signalAbort(aborted, reason);
        r.#settings.follows = aborted;
      },
    };
  }
}

/** A Headers with a copy of `h`'s list (the spec copies the list, not what iteration would give). */
function copyHeaders(h: Headers): Headers {
  return headersInternals.fromPairs(headersInternals.list(h), 'request');
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

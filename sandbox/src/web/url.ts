/**
 * URL parsing: a fast path for plain http(s) URLs (plainHttpHref), and the WHATWG
 * reference implementation (whatwg-url, with host shims, see sandbox/build.ts) for the
 * rest, loaded on first use: in an isolate it is a lazy module fetched from the host.
 * The URL and URLSearchParams classes guests see are in url-classes.ts.
 */

import {
  ObjectGetOwnPropertyDescriptor,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  uncurryThis,
} from '../primordials.ts';

declare const require: (id: string) => unknown;

/** WHATWG URL (the lib has no DOM types here, so the surface is typed loosely). */
export type URLClass = new (url: string, base?: string) => URLLike;
export type URLSearchParamsClass = new (init?: unknown) => URLSearchParamsLike;

export interface URLLike {
  href: string;
  origin: string;
  protocol: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  searchParams: URLSearchParamsLike;
}
export interface URLSearchParamsLike {
  get(name: string): string | null;
  getAll(name: string): string[];
  toString(): string;
}

interface Whatwg {
  URL: URLClass;
  URLSearchParams: URLSearchParamsClass;
  urlHref(v: unknown): string;
}

let whatwg: Whatwg | null = null;

/** whatwg-url's classes, evaluating the library on the first call. */
export function whatwgUrl(): Whatwg {
  if (whatwg === null) {
    const m = require('whatwg-url') as { URL: URLClass; URLSearchParams: URLSearchParamsClass };
    whatwg = {
      URL: m.URL,
      URLSearchParams: m.URLSearchParams,
      urlHref: uncurryThis(ObjectGetOwnPropertyDescriptor(m.URL.prototype, 'href')!.get as () => string),
    };
  }
  return whatwg;
}

/** Parses `input` against `base` and returns the href, or null when it does not parse. */
export function parseHref(input: string, base?: string): string | null {
  const fast = base === undefined ? plainHttpHref(input) : null;
  if (fast !== null) return fast;
  const w = whatwgUrl();
  try {
    return w.urlHref(base === undefined ? new w.URL(input) : new w.URL(input, base));
  } catch {
    return null;
  }
}

const SLASH = 0x2f;
const COLON = 0x3a;
const DOT = 0x2e;
const HASH = 0x23;
const QUESTION = 0x3f;
const PERCENT = 0x25;

function isLowerAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/**
 * A host that the WHATWG IPv4 parser reads back as itself: four decimal parts of 0-255
 * without leading zeros, as a server sees it in `Host: 127.0.0.1:8787`. Other numeric hosts
 * (octal or hex parts, fewer parts, values to wrap) are rewritten or refused by the parser.
 */
function isCanonicalIpv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : StringPrototypeCharCodeAt(s, i);
    if (c === DOT) {
      if (digits === 0 || ++parts > 4) return false;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return false;
    if (digits === 1 && value === 0) return false; // a leading zero: octal
    value = value * 10 + (c - 0x30);
    if (value > 255) return false;
    digits++;
  }
  return parts === 4;
}

/**
 * The href of an http(s) URL that the WHATWG parser would serialise unchanged, or null
 * when it might change anything (uppercase, IPv6 and non-canonical IPv4 addresses,
 * punycode, default or padded ports, dot segments, characters it percent-encodes,
 * backslashes, credentials...). Such input, the common case on a server, needs no parsing
 * at all; the rest goes to whatwg-url.
 */
export function plainHttpHref(s: string): string | null {
  const n = s.length;
  let i: number;
  let defaultPort: number;
  if (n > 8 && StringPrototypeSlice(s, 0, 8) === 'https://') {
    i = 8;
    defaultPort = 443;
  } else if (n > 7 && StringPrototypeSlice(s, 0, 7) === 'http://') {
    i = 7;
    defaultPort = 80;
  } else return null;
  // host: lowercase LDH labels; the last label must not look like a number (IPv4 parsing)
  const hostStart = i;
  let labelStart = i;
  let lastLabelNumeric = true;
  for (; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === DOT) {
      if (i === labelStart) return null;
      labelStart = i + 1;
      lastLabelNumeric = true;
      continue;
    }
    if (c === 0x2d || isLowerAlnum(c)) {
      if (c > 0x39 || c === 0x2d) lastLabelNumeric = false;
      continue;
    }
    break;
  }
  if (i === labelStart) return null; // empty host or trailing dot
  if (lastLabelNumeric ? !isCanonicalIpv4(s, hostStart, i) : StringPrototypeSlice(s, labelStart, labelStart + 2) === '0x') return null;
  const host = StringPrototypeSlice(s, hostStart, i);
  if (StringPrototypeSlice(host, 0, 4) === 'xn--' || StringPrototypeIndexOf(host, '.xn--') >= 0) return null;
  let end = i;
  if (i < n && StringPrototypeCharCodeAt(s, i) === COLON) {
    const portStart = ++i;
    let port = 0;
    for (; i < n; i++) {
      const c = StringPrototypeCharCodeAt(s, i);
      if (c < 0x30 || c > 0x39) break;
      port = port * 10 + (c - 0x30);
      if (port > 65535) return null;
    }
    if (i === portStart || StringPrototypeCharCodeAt(s, portStart) === 0x30 || port === defaultPort) return null;
    end = i;
  }
  if (i === n) return `${s}/`;
  if (StringPrototypeCharCodeAt(s, end) !== SLASH) return null;
  // path: no character the path percent-encode set touches, no dot segments, no backslash
  let prev = 0;
  for (; i < n; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === QUESTION || c === HASH) break;
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60 || c === 0x7b || c === 0x7d || c === 0x5c || c === 0x5e) {
      return null;
    }
    if (c === DOT && prev === SLASH) return null;
    if (c === PERCENT && prev === SLASH) return null; // %2e segments
    prev = c;
  }
  // query: no character the special-query percent-encode set touches
  if (i < n && StringPrototypeCharCodeAt(s, i) === QUESTION) {
    for (i++; i < n; i++) {
      const c = StringPrototypeCharCodeAt(s, i);
      if (c === HASH) break;
      if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x27) return null;
    }
  }
  // fragment: no character the fragment percent-encode set touches
  if (i < n) {
    for (i++; i < n; i++) {
      const c = StringPrototypeCharCodeAt(s, i);
      if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60) return null;
    }
  }
  return s;
}

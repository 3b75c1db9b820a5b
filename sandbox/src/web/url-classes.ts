/**
 * URL and URLSearchParams as the runtime exposes them.
 *
 * Nearly every Workers function does `new URL(request.url)` on every request, and a
 * server's URLs are nearly always already in the form the WHATWG parser would serialise
 * them to (see plainHttpHref). Such a URL is split into its parts here, without loading
 * the parser. Anything else (other schemes, relative references that are not plain
 * path-absolute ones, hosts to normalise, characters to percent-encode...) and every
 * setter go to whatwg-url, the WHATWG reference implementation, loaded on first need
 * (a lazy module in an isolate): the URL then keeps a whatwg-url URL object inside and
 * delegates to it. URLSearchParams (application/x-www-form-urlencoded) is implemented
 * here in full.
 */

import {
  ArrayPrototypeSort,
  ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
  ReflectApply,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToWellFormed,
  String_,
  SymbolIterator,
  SymbolToStringTag,
  TypeError_,
  Uint8Array_,
  dataDescriptor,
  internalList,
  listAppend,
  ArrayPrototypeSplice,
  uncurryThis,
} from '../primordials.ts';
import { defineIterator } from './iteration.ts';
import { registerPlatformClass } from './platform-objects.ts';
import { plainHttpHref, whatwgUrl } from './url.ts';
import { utf8Decode, utf8Encode } from './utf8.ts';

type Pair = [string, string];

const toUSV = (v: unknown): string => StringPrototypeToWellFormed(String_(v));

function needArgs(n: number, required: number, what: string): void {
  if (n < required) throw new TypeError_(`Failed to execute '${what}': ${required} argument${required > 1 ? 's' : ''} required, but only ${n} present.`);
}

/** The parts of a plain http(s) URL (see plainHttpHref): already serialised. */
interface Plain {
  /** `http://host[:port]` */
  origin: string;
  protocol: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  query: string | null;
  fragment: string | null;
}

/** Splits a plainHttpHref() result (a serialised http(s) URL with a path). */
function splitPlain(href: string): Plain {
  const schemeEnd = StringPrototypeIndexOf(href, ':');
  const hostStart = schemeEnd + 3;
  const pathStart = StringPrototypeIndexOf(href, '/', hostStart);
  const host = StringPrototypeSlice(href, hostStart, pathStart);
  const colon = StringPrototypeIndexOf(host, ':');
  let hash = StringPrototypeIndexOf(href, '#', pathStart);
  let q = StringPrototypeIndexOf(href, '?', pathStart);
  if (hash >= 0 && q > hash) q = -1;
  const pathEnd = q >= 0 ? q : hash >= 0 ? hash : href.length;
  if (hash < 0) hash = href.length;
  return {
    origin: StringPrototypeSlice(href, 0, pathStart),
    protocol: StringPrototypeSlice(href, 0, schemeEnd + 1),
    host,
    hostname: colon < 0 ? host : StringPrototypeSlice(host, 0, colon),
    port: colon < 0 ? '' : StringPrototypeSlice(host, colon + 1),
    pathname: StringPrototypeSlice(href, pathStart, pathEnd),
    query: q >= 0 ? StringPrototypeSlice(href, q + 1, hash) : null,
    fragment: hash < href.length ? StringPrototypeSlice(href, hash + 1) : null,
  };
}

/** Parses without whatwg-url when the result is certain to be what it would give; else null. */
function parsePlain(input: string, base: string | undefined): Plain | null {
  if (base === undefined) {
    const href = plainHttpHref(input);
    return href === null ? null : splitPlain(href);
  }
  const b = plainHttpHref(base);
  if (b === null) return null;
  const abs = plainHttpHref(input);
  if (abs !== null) return splitPlain(abs);
  // A path-absolute reference against a plain base: the base's origin, the input's path,
  // query and fragment, which plainHttpHref then checks as it would any path.
  if (StringPrototypeCharCodeAt(input, 0) !== 0x2f || StringPrototypeCharCodeAt(input, 1) === 0x2f) return null;
  const origin = splitPlain(b).origin;
  const href = plainHttpHref(origin + input);
  return href === null ? null : splitPlain(href);
}

function plainHref(p: Plain): string {
  let s = p.origin + p.pathname;
  if (p.query !== null) s += '?' + p.query;
  if (p.fragment !== null) s += '#' + p.fragment;
  return s;
}

type Accessor = { get: (self: unknown) => string; set: (self: unknown, v: string) => void };
let accessors: Record<string, Accessor> | null = null;

/** whatwg-url's URL accessors, captured the first time a URL needs them. */
function whatwgAccessors(): Record<string, Accessor> {
  if (accessors === null) {
    const proto = whatwgUrl().URL.prototype;
    const out: Record<string, Accessor> = { __proto__: null } as never;
    const names = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'];
    for (let i = 0; i < names.length; i++) {
      const d = ObjectGetOwnPropertyDescriptor(proto, names[i]!)!;
      out[names[i]!] = { get: uncurryThis(d.get!), set: d.set === undefined ? (undefined as never) : uncurryThis(d.set) };
    }
    accessors = out;
  }
  return accessors;
}

function parseWhatwg(input: string, base: string | undefined): object {
  const W = whatwgUrl().URL;
  return base === undefined ? new W(input) : new W(input, base);
}

let urlUpdateQuery: (url: URL, serialised: string) => void;

export class URL {
  static {
    registerPlatformClass(this, (v) => #plain in v);
  }
  #plain: Plain | null;
  /** whatwg-url's URL object, once this URL is not plain (or was set). */
  #full: object | null = null;
  #params: URLSearchParams | null = null;

  // A default keeps URL.length at 1, as WebIDL counts only required arguments.
  constructor(url: unknown, base: unknown = undefined) {
    needArgs(arguments.length, 1, 'URL');
    const input = toUSV(url);
    const b = base === undefined ? undefined : toUSV(base);
    this.#plain = parsePlain(input, b);
    if (this.#plain === null) this.#full = parseWhatwg(input, b);
  }

  static canParse(url: unknown, base?: unknown): boolean {
    needArgs(arguments.length, 1, 'canParse');
    try {
      new URL(url, base);
      return true;
    } catch {
      return false;
    }
  }

  static parse(url: unknown, base?: unknown): URL | null {
    needArgs(arguments.length, 1, 'parse');
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  }

  #get(name: string): string {
    return whatwgAccessors()[name]!.get(this.#full);
  }

  /** Runs a setter on the whatwg-url object (made from the plain parts first), then refreshes searchParams. */
  #set(name: string, value: unknown): void {
    const v = toUSV(value);
    if (this.#full === null) {
      this.#full = parseWhatwg(plainHref(this.#plain!), undefined);
      this.#plain = null;
    }
    whatwgAccessors()[name]!.set(this.#full, v);
    if (this.#params !== null) paramsReset(this.#params, this.#queryString());
  }

  #queryString(): string {
    if (this.#plain !== null) return this.#plain.query ?? '';
    const s = this.#get('search');
    return s === '' ? '' : StringPrototypeSlice(s, 1);
  }

  static {
    // URLSearchParams' update steps.
    urlUpdateQuery = (url, serialised) => {
      if (url.#plain !== null) url.#plain.query = serialised === '' ? null : serialised;
      else whatwgAccessors().search!.set(url.#full, serialised);
    };
  }

  get href(): string {
    return this.#plain !== null ? plainHref(this.#plain) : this.#get('href');
  }
  set href(v: string) {
    // A failed parse throws and leaves this URL as it was.
    const full = parseWhatwg(toUSV(v), undefined);
    this.#plain = null;
    this.#full = full;
    if (this.#params !== null) paramsReset(this.#params, this.#queryString());
  }
  get origin(): string {
    return this.#plain !== null ? this.#plain.origin : this.#get('origin');
  }
  get protocol(): string {
    return this.#plain !== null ? this.#plain.protocol : this.#get('protocol');
  }
  set protocol(v: string) {
    this.#set('protocol', v);
  }
  get username(): string {
    return this.#plain !== null ? '' : this.#get('username');
  }
  set username(v: string) {
    this.#set('username', v);
  }
  get password(): string {
    return this.#plain !== null ? '' : this.#get('password');
  }
  set password(v: string) {
    this.#set('password', v);
  }
  get host(): string {
    return this.#plain !== null ? this.#plain.host : this.#get('host');
  }
  set host(v: string) {
    this.#set('host', v);
  }
  get hostname(): string {
    return this.#plain !== null ? this.#plain.hostname : this.#get('hostname');
  }
  set hostname(v: string) {
    this.#set('hostname', v);
  }
  get port(): string {
    return this.#plain !== null ? this.#plain.port : this.#get('port');
  }
  set port(v: string) {
    this.#set('port', v);
  }
  get pathname(): string {
    return this.#plain !== null ? this.#plain.pathname : this.#get('pathname');
  }
  set pathname(v: string) {
    this.#set('pathname', v);
  }
  get search(): string {
    if (this.#plain === null) return this.#get('search');
    const q = this.#plain.query;
    return q === null || q === '' ? '' : '?' + q;
  }
  set search(v: string) {
    this.#set('search', v);
  }
  get searchParams(): URLSearchParams {
    if (this.#params === null) {
      const p = new URLSearchParams(this.#queryString());
      paramsLink(p, this);
      this.#params = p;
    }
    return this.#params;
  }
  get hash(): string {
    if (this.#plain === null) return this.#get('hash');
    const f = this.#plain.fragment;
    return f === null || f === '' ? '' : '#' + f;
  }
  set hash(v: string) {
    this.#set('hash', v);
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}

const HEX = '0123456789ABCDEF';

/** application/x-www-form-urlencoded byte serialiser (UTF-8). */
function formEncode(s: string): string {
  const bytes = utf8Encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2a || c === 0x2d || c === 0x2e || c === 0x5f) {
      out += String_.fromCharCode(c);
    } else if (c === 0x20) out += '+';
    else out += '%' + HEX[c >> 4]! + HEX[c & 15]!;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Replaces '+' by space and percent-decodes the UTF-8 bytes of `s`, then decodes them (lossy). */
function formDecode(s: string): string {
  let simple = true;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c === 0x2b || c === 0x25 || c > 0x7f) {
      simple = false;
      break;
    }
  }
  if (simple) return s;
  const bytes = utf8Encode(s);
  const out = new Uint8Array_(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x2b) out[n++] = 0x20;
    else if (c === 0x25 && i + 2 < bytes.length && hexValue(bytes[i + 1]!) >= 0 && hexValue(bytes[i + 2]!) >= 0) {
      out[n++] = hexValue(bytes[i + 1]!) * 16 + hexValue(bytes[i + 2]!);
      i += 2;
    } else out[n++] = c;
  }
  return utf8Decode(out.subarray(0, n));
}

/** The application/x-www-form-urlencoded parser, over a string already decoded from UTF-8. */
export function formParse(input: string): Pair[] {
  const list = internalList<Pair>();
  let start = 0;
  while (start <= input.length) {
    let end = StringPrototypeIndexOf(input, '&', start);
    if (end < 0) end = input.length;
    if (end > start) {
      const seq = StringPrototypeSlice(input, start, end);
      const eq = StringPrototypeIndexOf(seq, '=');
      const name = eq < 0 ? seq : StringPrototypeSlice(seq, 0, eq);
      const value = eq < 0 ? '' : StringPrototypeSlice(seq, eq + 1);
      listAppend(list, [formDecode(name), formDecode(value)] as Pair);
    }
    start = end + 1;
  }
  return list;
}

let paramsReset: (p: URLSearchParams, query: string) => void;
let paramsLink: (p: URLSearchParams, url: URL) => void;
let paramsList: (p: URLSearchParams) => Pair[];

export class URLSearchParams {
  static {
    registerPlatformClass(this, (v) => #list in v);
  }
  #list: Pair[];
  #url: URL | null = null;

  constructor(init: unknown = '') {
    if (typeof init === 'object' && init !== null || typeof init === 'function') {
      const list = internalList<Pair>();
      const iter = (init as { [SymbolIterator]?: unknown })[SymbolIterator];
      if (iter !== undefined && iter !== null) {
        if (typeof iter !== 'function') throw new TypeError_("Failed to construct 'URLSearchParams': The provided value is not iterable.");
        for (const pair of { [SymbolIterator]: () => ReflectApply(iter, init, []) } as Iterable<unknown>) {
          if ((typeof pair !== 'object' || pair === null) && typeof pair !== 'function') {
            throw new TypeError_("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
          }
          const items = internalList<string>();
          for (const item of pair as Iterable<unknown>) listAppend(items, toUSV(item));
          if (items.length !== 2) throw new TypeError_("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
          listAppend(list, [items[0]!, items[1]!] as Pair);
        }
      } else {
        const keys = ReflectOwnKeys(init as object);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const d = ReflectGetOwnPropertyDescriptor(init as object, k);
          if (d === undefined || !d.enumerable) continue;
          if (typeof k === 'symbol') throw new TypeError_("Failed to construct 'URLSearchParams': record keys must be strings");
          const name = toUSV(k);
          const value = toUSV((init as Record<string, unknown>)[k]);
          // A record maps each key once: a later duplicate (after USV conversion) replaces the value.
          let found = false;
          for (let j = 0; j < list.length; j++) {
            if (list[j]![0] === name) {
              list[j]![1] = value;
              found = true;
              break;
            }
          }
          if (!found) listAppend(list, [name, value] as Pair);
        }
      }
      this.#list = list;
    } else {
      let s = toUSV(init);
      if (StringPrototypeCharCodeAt(s, 0) === 0x3f) s = StringPrototypeSlice(s, 1);
      this.#list = formParse(s);
    }
  }

  static {
    paramsReset = (p, query) => {
      p.#list = formParse(query);
    };
    paramsLink = (p, url) => {
      p.#url = url;
    };
    paramsList = (p) => p.#list;
  }

  #update(): void {
    if (this.#url !== null) urlUpdateQuery(this.#url, uspToString(this));
  }

  get size(): number {
    return this.#list.length;
  }
  append(name: unknown, value: unknown): void {
    needArgs(arguments.length, 2, 'append');
    listAppend(this.#list, [toUSV(name), toUSV(value)] as Pair);
    this.#update();
  }
  delete(name: unknown, value?: unknown): void {
    needArgs(arguments.length, 1, 'delete');
    const n = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    const list = this.#list;
    for (let i = 0; i < list.length; ) {
      if (list[i]![0] === n && (v === undefined || list[i]![1] === v)) ArrayPrototypeSplice(list, i, 1);
      else i++;
    }
    this.#update();
  }
  get(name: unknown): string | null {
    needArgs(arguments.length, 1, 'get');
    const n = toUSV(name);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i]![0] === n) return list[i]![1];
    return null;
  }
  getAll(name: unknown): string[] {
    needArgs(arguments.length, 1, 'getAll');
    const n = toUSV(name);
    const out: string[] = [];
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i]![0] === n) listAppend(out, list[i]![1]);
    return out;
  }
  has(name: unknown, value?: unknown): boolean {
    needArgs(arguments.length, 1, 'has');
    const n = toUSV(name);
    const v = value === undefined ? undefined : toUSV(value);
    const list = this.#list;
    for (let i = 0; i < list.length; i++) if (list[i]![0] === n && (v === undefined || list[i]![1] === v)) return true;
    return false;
  }
  set(name: unknown, value: unknown): void {
    needArgs(arguments.length, 2, 'set');
    const n = toUSV(name);
    const v = toUSV(value);
    const list = this.#list;
    let found = false;
    for (let i = 0; i < list.length; ) {
      if (list[i]![0] !== n) i++;
      else if (!found) {
        list[i]![1] = v;
        found = true;
        i++;
      } else ArrayPrototypeSplice(list, i, 1);
    }
    if (!found) listAppend(list, [n, v] as Pair);
    this.#update();
  }
  sort(): void {
    // Stable, by code units of the names (Array.prototype.sort is stable).
    ArrayPrototypeSort(this.#list, (a: Pair, b: Pair) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.#update();
  }
  forEach(callback: unknown, thisArg?: unknown): void {
    needArgs(arguments.length, 1, 'forEach');
    if (typeof callback !== 'function') throw new TypeError_("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
    const list = this.#list;
    for (let i = 0; i < list.length; i++) ReflectApply(callback, thisArg, [list[i]![1], list[i]![0], this]);
  }
  toString(): string {
    const list = this.#list;
    let out = '';
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += '&';
      out += formEncode(list[i]![0]) + '=' + formEncode(list[i]![1]);
    }
    return out;
  }
}

const uspToString = uncurryThis(URLSearchParams.prototype.toString);
defineIterator(URLSearchParams, 'URLSearchParams Iterator', (p) => paramsList(p as URLSearchParams));
ObjectDefineProperty(URL.prototype, SymbolToStringTag, dataDescriptor('URL', false, false, true));
ObjectDefineProperty(URLSearchParams.prototype, SymbolToStringTag, dataDescriptor('URLSearchParams', false, false, true));

/** Brand check (the private field): a look-alike fails it. */
export function isURLSearchParams(v: unknown): v is URLSearchParams {
  if (typeof v !== 'object' || v === null) return false;
  try {
    paramsList(v as URLSearchParams);
    return true;
  } catch {
    return false;
  }
}

/** application/x-www-form-urlencoded serialisation via the original method. */
export function urlSearchParamsToString(v: URLSearchParams): string {
  return uspToString(v);
}

/** URL and URLSearchParams: the WHATWG reference implementation (whatwg-url), with host shims (see sandbox/build.ts). */

// @ts-expect-error whatwg-url ships no types; its shape is WHATWG's URL API.
import { URL as WhatwgURL, URLSearchParams as WhatwgURLSearchParams } from 'whatwg-url';
import { uncurryThis } from '../primordials.ts';

/** WHATWG URL (the lib has no DOM types here, so the surface is typed loosely). */
export const URL: new (url: string, base?: string) => URLLike = WhatwgURL;
export const URLSearchParams: new (init?: unknown) => URLSearchParamsLike = WhatwgURLSearchParams;

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

const uspToString = uncurryThis(WhatwgURLSearchParams.prototype.toString as () => string);
const urlHref = uncurryThis(Object.getOwnPropertyDescriptor(WhatwgURL.prototype, 'href')!.get as () => string);

/** Brand check through the original method: a look-alike or a subclass-free fake fails it. */
export function isURLSearchParams(v: unknown): v is URLSearchParamsLike {
  if (typeof v !== 'object' || v === null) return false;
  try {
    uspToString(v);
    return true;
  } catch {
    return false;
  }
}

/** application/x-www-form-urlencoded serialisation via the original method. */
export function urlSearchParamsToString(v: URLSearchParamsLike): string {
  return uspToString(v);
}

/** Parses `input` against `base` and returns the href, or null when it does not parse. */
export function parseHref(input: string, base?: string): string | null {
  try {
    return urlHref(base === undefined ? new URL(input) : new URL(input, base));
  } catch {
    return null;
  }
}

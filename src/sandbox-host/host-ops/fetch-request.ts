/** Validation of `fetch.start`'s argument, which comes straight from the guest. */
import { OpError } from './types.ts';

export interface FetchRequest {
  readonly id: number;
  readonly url: URL;
  readonly method: string;
  readonly headers: [string, string][];
  readonly body: ArrayBuffer | null;
  readonly redirect: 'follow' | 'manual' | 'error';
}

/** Sent when the guest names no User-Agent; some servers refuse requests without one. */
export const DEFAULT_USER_AGENT = 'Atoll';

// Framing and connection management belong to the host's HTTP client: a guest that set
// them could desynchronise a pooled connection or address another virtual host.
const HOST_OWNED_HEADERS = new Set([
  'host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer',
  'expect', 'proxy-connection', 'http2-settings',
]);

// Bounds on what a guest may hand the host in one call (Workers allows 16 KiB URLs and
// 128 KiB of request headers).
const MAX_URL_LENGTH = 16 * 1024;
const MAX_HEADER_BYTES = 128 * 1024;
const MAX_METHOD_LENGTH = 64;

const REDIRECT_MODES: ReadonlySet<string> = new Set(['follow', 'manual', 'error']);

const invalid = (message: string): OpError => new OpError('TypeError', message);

/** Checks a request id: a non-negative safe integer the runtime chose. */
export function parseFetchId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid('fetch: invalid request id');
  return value;
}

/** Checks and normalises `fetch.start`'s argument; throws a TypeError OpError. */
export function parseFetchRequest(arg: unknown): FetchRequest {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) throw invalid('fetch: invalid request');
  const { id, url, method, headers, body, redirect } = arg as Record<string, unknown>;
  return {
    id: parseFetchId(id),
    url: parseUrl(url),
    method: parseMethod(method),
    headers: parseHeaders(headers),
    body: parseBody(body),
    redirect: parseRedirect(redirect),
  };
}

function parseUrl(value: unknown): URL {
  if (typeof value !== 'string') throw invalid('fetch: the URL must be a string');
  if (value.length > MAX_URL_LENGTH) throw invalid(`fetch: the URL is longer than ${MAX_URL_LENGTH} characters`);
  const url = URL.parse(value);
  if (url === null) throw invalid(`fetch: invalid URL`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`fetch: ${url.protocol} URLs are not supported, only http: and https:`);
  return url;
}

function parseMethod(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_METHOD_LENGTH) throw invalid('fetch: invalid method');
  return value;
}

function parseHeaders(value: unknown): [string, string][] {
  if (!Array.isArray(value)) throw invalid('fetch: headers must be a list of [name, value] pairs');
  const kept: [string, string][] = [];
  let bytes = 0;
  let userAgent = false;
  for (const pair of value as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw invalid('fetch: headers must be a list of [name, value] pairs');
    }
    const [name, headerValue] = pair as [string, string];
    bytes += name.length + headerValue.length;
    if (bytes > MAX_HEADER_BYTES) throw invalid(`fetch: the request headers are larger than ${MAX_HEADER_BYTES} bytes`);
    const lower = name.toLowerCase();
    if (HOST_OWNED_HEADERS.has(lower)) continue;
    if (lower === 'user-agent') userAgent = true;
    kept.push([name, headerValue]);
  }
  if (!userAgent) kept.push(['user-agent', DEFAULT_USER_AGENT]);
  return kept;
}

function parseBody(value: unknown): ArrayBuffer | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof ArrayBuffer)) throw invalid('fetch: the body must be an ArrayBuffer or null');
  return value;
}

function parseRedirect(value: unknown): FetchRequest['redirect'] {
  if (typeof value !== 'string' || !REDIRECT_MODES.has(value)) throw invalid('fetch: redirect must be "follow", "manual" or "error"');
  return value as FetchRequest['redirect'];
}

/** Builds the API Gateway HTTP API payload format 2.0 event for a Lambda-style function. */

import type { GuestRequest } from '../bridge.ts';
import {
  ArrayPrototype,
  Date_,
  ObjectCreate,
  ObjectPrototype,
  ObjectSetPrototypeOf,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  String_,
  TypedArrayPrototypeGetByteLength,
  internalList,
  safeDecodeURIComponent,
} from '../primordials.ts';
import { base64Encode } from '../web/base64.ts';
import { decodeText } from '../web/body.ts';
import { asciiLowercase, trimHttpWhitespace } from '../web/infra.ts';

type HttpRequest = Extract<GuestRequest, { kind: 'http' }>;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

let timeCacheSecond = -1;
let timeCache = '';

/** requestContext.time in API Gateway's format, e.g. "12/Mar/2020:19:03:58 +0000". */
export function awsTime(epochMs: number): string {
  const second = (epochMs - (epochMs % 1000)) / 1000;
  if (second === timeCacheSecond) return timeCache;
  timeCache = formatAwsTime(epochMs);
  timeCacheSecond = second;
  return timeCache;
}

function formatAwsTime(epochMs: number): string {
  const d = new Date_(epochMs);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(
    d.getUTCMinutes(),
  )}:${pad2(d.getUTCSeconds())} +0000`;
}

/** Splits an absolute URL into its path and raw query (no fragment). */
export function splitUrl(url: string): { path: string; query: string } {
  const schemeEnd = StringPrototypeIndexOf(url, '://');
  const afterAuthority = StringPrototypeIndexOf(url, '/', schemeEnd < 0 ? 0 : schemeEnd + 3);
  let rest = afterAuthority < 0 ? '/' : StringPrototypeSlice(url, afterAuthority);
  const hash = StringPrototypeIndexOf(rest, '#');
  if (hash >= 0) rest = StringPrototypeSlice(rest, 0, hash);
  const q = StringPrototypeIndexOf(rest, '?');
  return q < 0 ? { path: rest, query: '' } : { path: StringPrototypeSlice(rest, 0, q), query: StringPrototypeSlice(rest, q + 1) };
}

/** Content types API Gateway passes as text; every other body is base64-encoded. */
export function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = StringPrototypeIndexOf(contentType, ';');
  const t = asciiLowercase(trimHttpWhitespace(semi < 0 ? contentType : StringPrototypeSlice(contentType, 0, semi)));
  if (StringPrototypeSlice(t, 0, 5) === 'text/') return true;
  if (t === 'application/json' || t === 'application/xml' || t === 'application/javascript') return true;
  return StringPrototypeSlice(t, -5) === '+json' || StringPrototypeSlice(t, -4) === '+xml';
}

/** Pieces of `s` between `sep` characters (String#split would look up a guest-patchable Symbol.split). */
function forEachPart(s: string, sep: string, each: (part: string) => void): void {
  let from = 0;
  for (;;) {
    const at = StringPrototypeIndexOf(s, sep, from);
    each(at < 0 ? StringPrototypeSlice(s, from) : StringPrototypeSlice(s, from, at));
    if (at < 0) return;
    from = at + 1;
  }
}

/** The payload 2.0 event for `req` (function-relative path, see bridge.ts) with body bytes. */
export function buildLambdaEvent(req: HttpRequest, body: Uint8Array | undefined): Record<string, unknown> {
  const { path, query } = splitUrl(req.url);
  // Built without a prototype so stores can't reach a setter a guest put on Object.prototype,
  // then given the ordinary prototypes the handler expects.
  const headers: Record<string, string> = ObjectCreate(null);
  const cookies: string[] = internalList();
  const pairs = req.headers;
  for (let i = 0; i < pairs.length; i++) {
    const name = asciiLowercase(String_(pairs[i]![0]));
    const value = String_(pairs[i]![1]);
    if (name === 'cookie') {
      forEachPart(value, ';', (part) => {
        const c = trimHttpWhitespace(part);
        if (c !== '') cookies[cookies.length] = c;
      });
      continue;
    }
    const prev = headers[name];
    headers[name] = prev === undefined ? value : `${prev},${value}`;
  }
  const host = headers['host'] ?? '';
  const userAgent = headers['user-agent'] ?? '';
  const contentType = headers['content-type'];
  ObjectSetPrototypeOf(headers, ObjectPrototype);
  const dot = StringPrototypeIndexOf(host, '.');
  const hasBody = body !== undefined && TypedArrayPrototypeGetByteLength(body) > 0;
  const textual = hasBody && isTextual(contentType);
  const event: Record<string, unknown> = ObjectCreate(null);
  event.version = '2.0';
  event.routeKey = '$default';
  event.rawPath = path;
  event.rawQueryString = query;
  if (cookies.length > 0) event.cookies = ObjectSetPrototypeOf(cookies, ArrayPrototype);
  event.headers = headers;
  if (query !== '') event.queryStringParameters = parseQuery(query);
  // Object literals define their properties (no [[Set]]), so they are safe as they are.
  event.requestContext = {
    accountId: 'anonymous',
    apiId: 'atoll',
    domainName: host,
    domainPrefix: dot < 0 ? host : StringPrototypeSlice(host, 0, dot),
    http: {
      method: req.method,
      path,
      protocol: 'HTTP/1.1',
      sourceIp: req.sourceIp,
      userAgent,
    },
    requestId: req.requestId,
    routeKey: '$default',
    stage: '$default',
    time: awsTime(req.timeEpochMs),
    timeEpoch: req.timeEpochMs,
  };
  if (hasBody) event.body = textual ? decodeText(body) : base64Encode(body);
  event.isBase64Encoded = hasBody && !textual;
  ObjectSetPrototypeOf(event, ObjectPrototype);
  return event;
}

/** queryStringParameters: percent-decoded, duplicates comma-joined, in first-seen order. */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = ObjectCreate(null);
  forEachPart(query, '&', (p) => {
    if (p === '') return;
    const eq = StringPrototypeIndexOf(p, '=');
    const k = safeDecodeURIComponent(eq < 0 ? p : StringPrototypeSlice(p, 0, eq));
    const v = eq < 0 ? '' : safeDecodeURIComponent(StringPrototypeSlice(p, eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : `${prev},${v}`;
  });
  return ObjectSetPrototypeOf(out, ObjectPrototype);
}

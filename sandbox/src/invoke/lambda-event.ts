/** Builds the API Gateway HTTP API payload format 2.0 event for a Lambda-style function. */

import type { GuestRequest } from '../bridge.ts';
import {
  ArrayPrototypeJoin,
  Date_,
  ObjectDefineProperty,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeSplit,
  dataDescriptor,
  listAppend,
  safeDecodeURIComponent,
  ObjectPrototypeHasOwn,
  TypedArrayPrototypeGetByteLength,
} from '../primordials.ts';
import { base64Encode } from '../web/base64.ts';
import { decodeText } from '../web/body.ts';
import { asciiLowercase, trimHttpWhitespace } from '../web/infra.ts';

type HttpRequest = Extract<GuestRequest, { kind: 'http' }>;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** requestContext.time in API Gateway's format, e.g. "12/Mar/2020:19:03:58 +0000". */
export function awsTime(epochMs: number): string {
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

function set(o: object, k: string, v: unknown): void {
  ObjectDefineProperty(o, k, dataDescriptor(v, true, true, true));
}

/** The payload 2.0 event for `req` (function-relative path, see bridge.ts) with body bytes. */
export function buildLambdaEvent(req: HttpRequest, body: Uint8Array | undefined): Record<string, unknown> {
  const { path, query } = splitUrl(req.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.headers.length; i++) {
    const name = asciiLowercase(req.headers[i]![0]);
    const value = req.headers[i]![1];
    if (name === 'cookie') {
      const parts = StringPrototypeSplit(value, ';');
      for (let j = 0; j < parts.length; j++) {
        const c = trimHttpWhitespace(parts[j]!);
        if (c !== '') listAppend(cookies, c);
      }
      continue;
    }
    const prev = headers[name];
    set(headers, name, prev === undefined || !hasOwn(headers, name) ? value : `${prev},${value}`);
  }
  const event: Record<string, unknown> = {};
  set(event, 'version', '2.0');
  set(event, 'routeKey', '$default');
  set(event, 'rawPath', path);
  set(event, 'rawQueryString', query);
  if (cookies.length > 0) set(event, 'cookies', cookies);
  set(event, 'headers', headers);
  if (query !== '') set(event, 'queryStringParameters', parseQuery(query));
  const host = hasOwn(headers, 'host') ? headers['host']! : '';
  const dot = StringPrototypeIndexOf(host, '.');
  set(event, 'requestContext', {
    accountId: 'anonymous',
    apiId: 'atoll',
    domainName: host,
    domainPrefix: dot < 0 ? host : StringPrototypeSlice(host, 0, dot),
    http: {
      method: req.method,
      path,
      protocol: 'HTTP/1.1',
      sourceIp: req.sourceIp,
      userAgent: hasOwn(headers, 'user-agent') ? headers['user-agent']! : '',
    },
    requestId: req.requestId,
    routeKey: '$default',
    stage: '$default',
    time: awsTime(req.timeEpochMs),
    timeEpoch: req.timeEpochMs,
  });
  const hasBody = body !== undefined && TypedArrayPrototypeGetByteLength(body) > 0;
  const textual = isTextual(hasOwn(headers, 'content-type') ? headers['content-type'] : undefined);
  if (hasBody) set(event, 'body', textual ? decodeText(body) : base64Encode(body));
  set(event, 'isBase64Encoded', hasBody && !textual);
  return event;
}

function hasOwn(o: object, k: string): boolean {
  return ObjectPrototypeHasOwn(o, k);
}

/** queryStringParameters: percent-decoded, duplicates comma-joined, in first-seen order. */
export function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lists: Record<string, string[]> = { __proto__: null } as never;
  const order: string[] = [];
  const parts = StringPrototypeSplit(query, '&');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '') continue;
    const eq = StringPrototypeIndexOf(p, '=');
    const k = safeDecodeURIComponent(eq < 0 ? p : StringPrototypeSlice(p, 0, eq));
    const v = eq < 0 ? '' : safeDecodeURIComponent(StringPrototypeSlice(p, eq + 1));
    if (lists[k] === undefined) {
      lists[k] = [];
      listAppend(order, k);
    }
    listAppend(lists[k]!, v);
  }
  for (let i = 0; i < order.length; i++) set(out, order[i]!, ArrayPrototypeJoin(lists[order[i]!]!, ','));
  return out;
}

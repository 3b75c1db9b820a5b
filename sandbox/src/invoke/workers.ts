/** Workers style: build the Request, call `fetch`, and serialise a genuine Response of this runtime. */

import type { GuestRequest, GuestResult } from '../bridge.ts';
import { ReflectApply, String_, TypeError_, TypedArrayPrototypeGetByteLength } from '../primordials.ts';
import { type BodyStreamReader, bodyStreamReader } from '../web/body.ts';
import { toArrayBuffer } from '../web/buffer-source.ts';
import { headersInternals } from '../web/headers.ts';
import { type Request, normaliseMethod, requestInternals } from '../web/request.ts';
import { isResponse, responseInternals } from '../web/response.ts';
import { utf8ByteLength } from '../web/utf8.ts';
import { settle } from './settle.ts';

type HttpRequest = Extract<GuestRequest, { kind: 'http' }>;

/** The Request a Workers-style fetch handler receives. */
export function buildRequest(req: HttpRequest, body: Uint8Array | undefined): Request {
  // The gateway serialised the URL with its own WHATWG parser: taken as is, parsed only if the handler asks.
  const method = normaliseMethod(req.method);
  const hasBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
  const headers = headersInternals.fromPairs(req.headers, 'request');
  return requestInternals.fromHost(String_(req.url), method, headers, hasBody ? body : null);
}

/** What an invocation's `ctx` reports to the runner. */
/** What `ctx.waitUntil` counts on its invocation. */
export interface WaitUntilCount {
  /** Promises passed to waitUntil that have not settled yet. */
  waits: number;
  /** The invocation is finished: later waitUntil calls are refused. */
  over: boolean;
}

/**
 * The ExecutionContext passed as `ctx`. `waitUntil` keeps the instance busy after the
 * response until its promise settles (within the wall-clock limit): `settled` hears of
 * each, with the error of a rejection. `passThroughOnException` is a no-op: there is no
 * origin to fall through to.
 */
export function executionContext<T extends WaitUntilCount>(count: T, settled: (count: T, error: unknown, failed: boolean) => void): object {
  return {
    waitUntil(p: unknown) {
      if (count.over) throw new TypeError_('waitUntil() called after the invocation finished');
      count.waits++;
      settle(p, () => settled(count, undefined, false), (e) => settled(count, e, true));
    },
    passThroughOnException() {},
  };
}

/** Calls `fetchFn` with this = `self` and reports the settled result through `onValue`/`onError`. */
export function callFetch(
  fetchFn: Function,
  self: unknown,
  args: unknown[],
  onValue: (v: unknown) => void,
  onError: (e: unknown) => void,
): void {
  let ret: unknown;
  try {
    ret = ReflectApply(fetchFn, self, args);
  } catch (e) {
    onError(e);
    return;
  }
  // A genuine Response needs no await (the brand check runs no guest code); anything else may be a thenable.
  if (isResponse(ret)) onValue(ret);
  else settle(ret, onValue, onError);
}

/** A serialised response; `reader` is set when the body is a stream to send chunk by chunk. */
export interface Serialised {
  result: GuestResult;
  reader: BodyStreamReader | null;
}

/** Serialises a returned value; anything but a usable Response of this runtime is 'invalid'. */
export function serialiseResponse(value: unknown, maxResponseBytes: number): Serialised {
  const result = serialiseBuffered(value, maxResponseBytes);
  if (result.kind !== 'response' || !result.stream) return { result, reader: null };
  return { result, reader: bodyStreamReader(responseInternals(value)!.body) };
}

function serialiseBuffered(value: unknown, maxResponseBytes: number): GuestResult {
  const r = responseInternals(value);
  if (r === null) return { kind: 'invalid', message: 'fetch handler did not return a Response' };
  if (r.type === 'error') return { kind: 'invalid', message: 'fetch handler returned Response.error()' };
  if (r.body.used) return { kind: 'invalid', message: "the Response's body was already used" };
  if (r.body.isStream) {
    const headers = headersInternals.list(r.headers) as [string, string][];
    return { kind: 'response', status: r.status, statusText: r.statusText, headers, body: null, stream: true };
  }
  // Text leaves as a string (the host encodes it); UTF-8 takes at most 3 bytes per code unit.
  const text = r.body.text;
  if (text !== null && text.length * 3 > maxResponseBytes) {
    const length = utf8ByteLength(text);
    if (length > maxResponseBytes) return { kind: 'tooLarge', bytes: length };
  }
  const bytes = text === null ? r.body.bytes : null;
  const length = bytes === null ? 0 : TypedArrayPrototypeGetByteLength(bytes);
  if (length > maxResponseBytes) return { kind: 'tooLarge', bytes: length };
  // The list has no prototype and is copied out by the host as it receives the result.
  const headers = headersInternals.list(r.headers) as [string, string][];
  return {
    kind: 'response',
    status: r.status,
    statusText: r.statusText,
    headers,
    body: text !== null ? (text === '' ? null : text) : bytes === null ? null : toArrayBuffer(bytes),
  };
}

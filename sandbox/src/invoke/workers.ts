/** Workers style: build the Request, call `fetch`, and serialise a genuine Response of this runtime. */

import type { GuestRequest, GuestResult } from '../bridge.ts';
import { ReflectApply, TypedArrayPrototypeGetByteLength, listAppend } from '../primordials.ts';
import { toArrayBuffer } from '../web/buffer-source.ts';
import { headersInternals } from '../web/headers.ts';
import { Request } from '../web/request.ts';
import { responseInternals } from '../web/response.ts';
import { settle } from './settle.ts';

type HttpRequest = Extract<GuestRequest, { kind: 'http' }>;

/** The Request a Workers-style fetch handler receives. */
export function buildRequest(req: HttpRequest, body: Uint8Array | undefined): Request {
  const hasBody = body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(req.url, { method: req.method, headers: req.headers, body: hasBody ? body : null });
}

/** The ExecutionContext passed as `ctx`. waitUntil promises only get a rejection sink for now. */
export function executionContext(): object {
  return {
    waitUntil(p: unknown) {
      settle(p, () => {}, () => {});
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
  settle(ret, onValue, onError);
}

/** Serialises a returned value; anything but a usable Response of this runtime is 'invalid'. */
export function serialiseResponse(value: unknown, maxResponseBytes: number): GuestResult {
  const r = responseInternals(value);
  if (r === null) return { kind: 'invalid', message: 'fetch handler did not return a Response' };
  if (r.type === 'error') return { kind: 'invalid', message: 'fetch handler returned Response.error()' };
  if (r.body.used) return { kind: 'invalid', message: "the Response's body was already used" };
  const bytes = r.body.bytes;
  const length = bytes === null ? 0 : TypedArrayPrototypeGetByteLength(bytes);
  if (length > maxResponseBytes) return { kind: 'tooLarge', bytes: length };
  const list = headersInternals.list(r.headers);
  const headers: [string, string][] = [];
  for (let i = 0; i < list.length; i++) listAppend(headers, [list[i]![0], list[i]![1]] as [string, string]);
  return {
    kind: 'response',
    status: r.status,
    statusText: r.statusText,
    headers,
    body: bytes === null ? null : toArrayBuffer(bytes),
  };
}

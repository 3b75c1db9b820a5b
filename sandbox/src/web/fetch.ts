/**
 * fetch() inside the isolate. The request is made by the sandbox host (undici, with the
 * address guard and the subrequest limit: src/sandbox-host/host-ops/fetch.ts); the
 * response body is pulled from the host one chunk at a time, only as the function reads
 * it, so it counts against the isolate's memory as it arrives and never sits whole in
 * the host.
 *
 * Where Fetch and Workers differ, Atoll does as Workers does: `redirect: 'manual'` gives
 * the 3xx response itself (with its Location), not an opaque-redirect filtered response;
 * there is no CORS, no cache and no cookie jar.
 */
import { callHost } from '../host-calls.ts';
import {
  ArrayIsArray,
  Promise_,
  PromisePrototypeThen,
  PromiseReject,
  TypeError_,
  Uint8Array_,
} from '../primordials.ts';
import { Body, bodyFromSource, consume } from './body.ts';
import { abortSignals } from './events-api.ts';
import { headersInternals } from './headers.ts';
import { Request, requestInternals } from './request.ts';
import { type Response, responseInternals } from './response.ts';

/** The response head the host answers `fetch.start` with. */
interface Head {
  status: number;
  statusText: string;
  headers: [string, string][];
  urlList: string[];
  redirected: boolean;
  hasBody: boolean;
}

let nextId = 1;
const NULL_BODY_STATUS = [101, 103, 204, 205, 304];

/** The global fetch(input, init). */
export function fetch(input: unknown, init: unknown = undefined): Promise<Response> {
  let request: Request;
  try {
    request = new Request(input, init as ConstructorParameters<typeof Request>[1]);
  } catch (e) {
    return PromiseReject(e) as Promise<Response>;
  }
  const { method, url, headers, redirect, signal } = requestInternals.parts(request);
  const body = requestInternals.body(request);
  const id = nextId++;
  return new Promise_<Response>((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    if (signal !== null) {
      const aborts = abortSignals();
      if (aborts.aborted(signal)) return fail(aborts.reason(signal));
      // Aborting stops the request on the host; a body being read then rejects with an AbortError.
      aborts.addAlgorithm(signal, () => {
        PromisePrototypeThen(callHost('fetch.abort', [id]), undefined, () => {});
        fail(aborts.reason(signal));
      });
    }
    const start = (bytes: ArrayBuffer | null) => {
      if (settled) return;
      const args = { id, url, method, headers: headersInternals.list(headers), body: bytes, redirect };
      PromisePrototypeThen(callHost('fetch.start', [args]), (head: unknown) => {
        if (settled) return;
        try {
          const response = responseOf(id, method, head as Head);
          settled = true;
          resolve(response);
        } catch (e) {
          fail(e);
        }
      }, fail);
    };
    // Request bodies are sent whole (a stream is read to its end first), up to the limits of the host op.
    if (body.isNull) start(null);
    else PromisePrototypeThen(consume.arrayBuffer(body), start, fail);
  });
}

function responseOf(id: number, method: string, head: Head): Response {
  if (typeof head !== 'object' || head === null || !ArrayIsArray(head.headers) || !ArrayIsArray(head.urlList)) {
    throw new TypeError_('fetch failed: the host answered with a malformed response');
  }
  let hasBody = head.hasBody === true && method !== 'HEAD';
  for (let i = 0; i < NULL_BODY_STATUS.length; i++) if (NULL_BODY_STATUS[i] === head.status) hasBody = false;
  const body: Body | null = hasBody ? bodyFromSource(hostSource(id)) : null;
  // A body the response may not have (HEAD, 204, 304) is not read: the host drops it.
  if (!hasBody && head.hasBody === true) PromisePrototypeThen(callHost('fetch.abort', [id]), undefined, () => {});
  return responseInternals.fromHost(head.status, head.statusText, head.headers, body, head.urlList, head.redirected === true);
}

/** The response body as the host serves it: one `fetch.read` per pull. */
function hostSource(id: number) {
  return {
    pull(): Promise<Uint8Array | null> {
      return PromisePrototypeThen(callHost('fetch.read', [id]), (chunk: unknown) =>
        chunk === null ? null : new Uint8Array_(chunk as ArrayBuffer),
      ) as Promise<Uint8Array | null>;
    },
    cancel(): void {
      PromisePrototypeThen(callHost('fetch.abort', [id]), undefined, () => {});
    },
  };
}

/**
 * Turning a function's answer into the HTTP response the client gets. The runtime in the
 * isolate already validated it, but that runtime shares a context with hostile code, so
 * the gateway checks again before anything reaches Node's HTTP writer: a header with CR or
 * LF would split the response, and Node throws on invalid characters.
 */
import { AtollError } from '../errors/index.ts';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, space and tab; no CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Hop-by-hop and framing headers are the gateway's business, not the function's. */
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'proxy-connection', 'trailer', 'te']);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * The headers of a response, by lowercase name. Nothing is inherited, so a header named
 * `__proto__` or `constructor` is just a header. Made with `new`, not Object.create(null):
 * that is a dictionary-mode object in V8, and each of its stores and each for-in over it
 * (here, in @hono/node-server and in Node's writeHead) goes through V8's runtime, about
 * 1 µs per response.
 */
class HeaderRecord {
  [name: string]: string | string[];
}
Object.setPrototypeOf(HeaderRecord.prototype, null);
delete (HeaderRecord.prototype as { constructor?: unknown }).constructor;

/** Build the client's Response; INVALID_FUNCTION_RESPONSE when the function's answer is unusable. */
export function functionResponse(status: number, headers: [string, string][], body: Uint8Array | ReadableStream<Uint8Array> | undefined, requestId: string): Response {
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new AtollError('INVALID_FUNCTION_RESPONSE', `status ${status} is not a valid response status`);
  }
  // A plain object, not a Headers: @hono/node-server hands it straight to writeHead.
  const out = new HeaderRecord();
  for (const pair of headers) {
    const [name, value] = pair;
    if (typeof name !== 'string' || typeof value !== 'string' || !TOKEN.test(name) || !FIELD_VALUE.test(value)) {
      throw new AtollError('INVALID_FUNCTION_RESPONSE', `the response has an invalid header ${JSON.stringify(String(name)).slice(0, 100)}`);
    }
    const lower = name.toLowerCase();
    if (DROPPED.has(lower)) continue;
    const existing = out[lower];
    if (existing === undefined) out[lower] = value;
    else if (lower === 'set-cookie') out[lower] = Array.isArray(existing) ? [...existing, value] : [existing, value];
    else out[lower] = `${existing as string}, ${value}`;
  }
  out['x-atoll-request-id'] = requestId;
  let payload: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null = body instanceof ReadableStream ? body : body === undefined || body.byteLength === 0 ? null : (body as Uint8Array<ArrayBuffer>);
  if (NULL_BODY_STATUS.has(status) && payload !== null) {
    if (payload instanceof ReadableStream) void payload.cancel().catch(() => {});
    payload = null;
  }
  return new Response(payload, { status, headers: out as unknown as Record<string, string> });
}

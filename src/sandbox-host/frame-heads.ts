/**
 * Binary heads for the two frames of every HTTP invocation: the request going to a host
 * (InvokeHttp) and the response coming back (Response). Every other frame has a JSON
 * head; these two cross the socket once per request each, and a fixed layout costs about
 * half of JSON.stringify plus JSON.parse (about 1 µs per frame, on each side).
 *
 * InvokeHttp: f64 id | f64 instanceId | f64 timeEpochMs | f64 deadlineMs |
 *             str requestId | str method | str url | str basePath | str sourceIp | u32 n | n × (str name | str value)
 * Response:   f64 id | f64 status | u8 flags | f64 cpuMs | f64 wallMs | u32 n | n × (str name | str value)
 * str := u32 byteLength | UTF-8 bytes. Little-endian, as every platform Node runs Atoll on.
 * Ids are doubles: they only grow (a busy host passes 2^32 invocations in a few days). The
 * status goes as a double, whatever it is: the gateway is where a status is judged
 * (function-response.ts), as it was when it came as JSON.
 */
import type { InvokeMessage, ResultMessage } from './messages.ts';

export type ResponseMessage = Extract<ResultMessage, { kind: 'response' }>;

const INVOKE_FIXED_BYTES = 32;
const RESPONSE_FIXED_BYTES = 33;
const STREAM = 1;
const OPEN = 2;
const COLD = 4;

/** A frame that does not decode: the process that wrote it is broken. */
export class MalformedFrameError extends Error {}

function capacity(strings: readonly string[], pairs: readonly [string, string][]): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit; each string has a 4-byte length.
  let n = 0;
  for (const s of strings) n += 4 + s.length * 3;
  for (const [name, value] of pairs) n += 8 + (name.length + value.length) * 3;
  return n + 4;
}

function writeString(buffer: Buffer, offset: number, text: string): number {
  const length = buffer.write(text, offset + 4, 'utf8');
  buffer.writeUInt32LE(length, offset);
  return offset + 4 + length;
}

function writePairs(buffer: Buffer, offset: number, pairs: readonly [string, string][]): number {
  buffer.writeUInt32LE(pairs.length, offset);
  offset += 4;
  for (const [name, value] of pairs) {
    offset = writeString(buffer, offset, name);
    offset = writeString(buffer, offset, value);
  }
  return offset;
}

/** Reads a head front to back; any read past its end is a MalformedFrameError. */
class HeadReader {
  readonly #head: Buffer;
  #offset: number;

  constructor(head: Buffer, offset: number) {
    this.#head = head;
    this.#offset = offset;
  }

  #take(bytes: number): number {
    const at = this.#offset;
    if (at + bytes > this.#head.length) throw new MalformedFrameError(`a frame head of ${this.#head.length} bytes ends early`);
    this.#offset = at + bytes;
    return at;
  }

  u32(): number {
    return this.#head.readUInt32LE(this.#take(4));
  }

  string(): string {
    const length = this.u32();
    const at = this.#take(length);
    return this.#head.toString('utf8', at, at + length);
  }

  pairs(): [string, string][] {
    const count = this.u32();
    // Each pair takes at least 8 bytes: a count beyond what is left is garbage, not an allocation to make.
    if (count * 8 > this.#head.length - this.#offset) throw new MalformedFrameError(`a frame head claims ${count} header pairs`);
    const pairs: [string, string][] = new Array(count);
    for (let i = 0; i < count; i++) pairs[i] = [this.string(), this.string()];
    return pairs;
  }

  end(): void {
    if (this.#offset !== this.#head.length) throw new MalformedFrameError(`a frame head has ${this.#head.length - this.#offset} bytes left over`);
  }
}

/** The head of an InvokeHttp frame; `message.request` must be an HTTP request. */
export function encodeInvokeHttp(message: InvokeMessage): Buffer {
  const { request } = message;
  if (request.kind !== 'http') throw new TypeError(`an InvokeHttp frame carries an HTTP request, not ${request.kind}`);
  const { requestId, method, url, basePath, sourceIp, headers } = request;
  const head = Buffer.allocUnsafe(INVOKE_FIXED_BYTES + capacity([requestId, method, url, basePath, sourceIp], headers));
  head.writeDoubleLE(message.id, 0);
  head.writeDoubleLE(message.instanceId, 8);
  head.writeDoubleLE(request.timeEpochMs, 16);
  head.writeDoubleLE(request.deadlineMs, 24);
  let offset = writeString(head, INVOKE_FIXED_BYTES, requestId);
  offset = writeString(head, offset, method);
  offset = writeString(head, offset, url);
  offset = writeString(head, offset, basePath);
  offset = writeString(head, offset, sourceIp);
  offset = writePairs(head, offset, headers);
  return head.subarray(0, offset);
}

export function decodeInvokeHttp(head: Buffer): InvokeMessage {
  if (head.length < INVOKE_FIXED_BYTES) throw new MalformedFrameError(`an InvokeHttp head of ${head.length} bytes`);
  const id = head.readDoubleLE(0);
  const instanceId = head.readDoubleLE(8);
  const timeEpochMs = head.readDoubleLE(16);
  const deadlineMs = head.readDoubleLE(24);
  const reader = new HeadReader(head, INVOKE_FIXED_BYTES);
  const requestId = reader.string();
  const method = reader.string();
  const url = reader.string();
  const basePath = reader.string();
  const sourceIp = reader.string();
  const headers = reader.pairs();
  reader.end();
  return { id, instanceId, request: { kind: 'http', requestId, method, url, basePath, headers, sourceIp, timeEpochMs, deadlineMs } };
}

/** The head of a Response frame; its headers must be string pairs (isHeaderPairs). */
export function encodeResponse(message: ResponseMessage): Buffer {
  const head = Buffer.allocUnsafe(RESPONSE_FIXED_BYTES + capacity([], message.headers));
  head.writeDoubleLE(message.id, 0);
  head.writeDoubleLE(message.status, 8);
  head.writeUInt8((message.stream ? STREAM : 0) | (message.open ? OPEN : 0) | (message.cold ? COLD : 0), 16);
  head.writeDoubleLE(message.cpuMs, 17);
  head.writeDoubleLE(message.wallMs, 25);
  return head.subarray(0, writePairs(head, RESPONSE_FIXED_BYTES, message.headers));
}

export function decodeResponse(head: Buffer): ResponseMessage {
  if (head.length < RESPONSE_FIXED_BYTES) throw new MalformedFrameError(`a Response head of ${head.length} bytes`);
  const flags = head.readUInt8(16);
  const reader = new HeadReader(head, RESPONSE_FIXED_BYTES);
  const headers = reader.pairs();
  reader.end();
  return {
    id: head.readDoubleLE(0),
    kind: 'response',
    status: head.readDoubleLE(8),
    headers,
    stream: (flags & STREAM) !== 0,
    open: (flags & OPEN) !== 0,
    cpuMs: head.readDoubleLE(17),
    wallMs: head.readDoubleLE(25),
    cold: (flags & COLD) !== 0,
  };
}

/** Whether `headers` is what a Response head can carry: an array of [string, string]. */
export function isHeaderPairs(headers: unknown): headers is [string, string][] {
  if (!Array.isArray(headers)) return false;
  for (const pair of headers) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return false;
  }
  return true;
}

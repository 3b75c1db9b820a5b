/**
 * The wire format between the gateway and its sandbox hosts: length-prefixed frames over
 * a Unix socket pair. Node's built-in child-process IPC serialises every message as JSON
 * and wakes the loop per message; here each frame carries a small JSON header and raw
 * bytes (bodies are never JSON-encoded), and writes are batched per tick.
 *
 * frame := u32 frameLength | u8 type | u32 headerLength | header | body bytes
 * The header is UTF-8 JSON, except for the two frames of every HTTP invocation (InvokeHttp,
 * Response), whose heads have a fixed binary layout (frame-heads.ts).
 */
import type { Socket } from 'node:net';
import { decodeInvokeHttp, decodeResponse, encodeInvokeHttp, encodeResponse, MalformedFrameError } from './frame-heads.ts';

export const FrameType = {
  /** gateway → host: boot the host (runtime script text in the body). */
  Init: 1,
  /** gateway → host: make a function version's code known to the host. */
  Define: 2,
  /** gateway → host: create an instance (isolate) of a defined function version. */
  Create: 3,
  /** gateway → host: run one invocation on an instance. */
  Invoke: 4,
  /** gateway → host: dispose an instance. */
  Destroy: 5,
  /** host → gateway: the outcome of an invocation. */
  Result: 6,
  /** host → gateway: console lines of guests. */
  Logs: 7,
  /** host → gateway: an instance was lost outside any invocation. */
  Lost: 8,
  /** host → gateway: the host is booted and ready. */
  Ready: 9,
  /** gateway → host: forget a function version (deleted or replaced). */
  Undefine: 10,
  /** host → gateway: statistics of the host (instances, heap). */
  Stats: 11,
  /** gateway → host: ask for statistics. */
  StatsRequest: 12,
  /** host → gateway: a chunk of a streamed response body (bytes in the body). */
  Chunk: 13,
  /** host → gateway: a streamed response body ended, maybe with an error. */
  End: 14,
  /** host → gateway: an invocation whose Result was `open` is over; its instance is free. */
  Finished: 15,
  /** gateway → host: the client can take one more chunk of a streamed body. */
  Pull: 16,
  /** gateway → host: the client went away; cancel the streamed body. */
  Cancel: 17,
  /** gateway → host: Invoke with an HTTP request, its head binary (frame-heads.ts). */
  InvokeHttp: 18,
  /** host → gateway: a Result of kind `response`, its head binary (frame-heads.ts). */
  Response: 19,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: FrameType;
  header: any;
  body: Buffer | undefined;
}

const PREFIX_BYTES = 9;

/** Bodies from this size on are written as they are, not copied into the frame's buffer. */
const SEPARATE_BODY_BYTES = 16 * 1024;

/** Serialise one frame. */
export function encodeFrame(type: FrameType, header: unknown, body?: Uint8Array): Buffer {
  const parts = encodeFrameParts(type, header, body);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * One frame as the buffers to write: the prefix and header, with a small body copied in,
 * or followed by a large body as it is (a streamed response's chunks are not copied again).
 */
function encodeFrameParts(type: FrameType, header: unknown, body?: Uint8Array): Buffer[] {
  const json = encodeHead(type, header);
  const bodyLength = body ? body.byteLength : 0;
  const separate = bodyLength >= SEPARATE_BODY_BYTES;
  const out = Buffer.allocUnsafe(PREFIX_BYTES + json.length + (separate ? 0 : bodyLength));
  out.writeUInt32LE(1 + 4 + json.length + bodyLength, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32LE(json.length, 5);
  json.copy(out, PREFIX_BYTES);
  if (separate) return [out, Buffer.from(body!.buffer, body!.byteOffset, bodyLength)];
  if (body && bodyLength > 0) out.set(body, PREFIX_BYTES + json.length);
  return [out];
}

function encodeHead(type: FrameType, header: unknown): Buffer {
  if (type === FrameType.InvokeHttp) return encodeInvokeHttp(header as Parameters<typeof encodeInvokeHttp>[0]);
  if (type === FrameType.Response) return encodeResponse(header as Parameters<typeof encodeResponse>[0]);
  return Buffer.from(JSON.stringify(header));
}

function decodeHead(type: FrameType, buffer: Buffer, start: number, end: number): unknown {
  if (type === FrameType.InvokeHttp) return decodeInvokeHttp(buffer.subarray(start, end));
  if (type === FrameType.Response) return decodeResponse(buffer.subarray(start, end));
  try {
    return JSON.parse(buffer.toString('utf8', start, end));
  } catch (error) {
    throw new MalformedFrameError(`a frame of type ${type} has a head that is not JSON: ${String(error)}`);
  }
}

/**
 * Incremental decoder: feed it socket chunks, it calls back once per whole frame. A frame
 * that does not decode throws a MalformedFrameError: its writer is broken, and nothing it
 * sends after can be trusted to be framed right.
 */
export class FrameReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes needed before the next frame can be decoded. */
  #needed = 4;
  readonly #onFrame: (frame: Frame) => void;

  constructor(onFrame: (frame: Frame) => void) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    // A large frame arrives in many chunks: join them once it is whole, not at every chunk.
    if (this.#pendingBytes < this.#needed) return;
    let buffer = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    let offset = 0;
    this.#needed = 4;
    while (buffer.length - offset >= 4) {
      const frameLength = buffer.readUInt32LE(offset);
      if (buffer.length - offset - 4 < frameLength) {
        this.#needed = 4 + frameLength;
        break;
      }
      if (frameLength < 5) throw new MalformedFrameError(`a frame of ${frameLength} bytes`);
      const start = offset + 4;
      const type = buffer.readUInt8(start) as FrameType;
      const headerLength = buffer.readUInt32LE(start + 1);
      const headerStart = start + 5;
      const bodyStart = headerStart + headerLength;
      const end = start + frameLength;
      if (bodyStart > end) throw new MalformedFrameError(`a frame of ${frameLength} bytes with a head of ${headerLength}`);
      const header = decodeHead(type, buffer, headerStart, bodyStart);
      // A small body is copied out so the big receive buffer can be released; a body that is
      // most of that buffer keeps it (no copy of a streamed chunk).
      const bodyLength = end - bodyStart;
      const body = bodyLength <= 0 ? undefined : bodyLength * 2 >= buffer.length ? buffer.subarray(bodyStart, end) : Buffer.from(buffer.subarray(bodyStart, end));
      offset = end;
      this.#onFrame({ type, header, body });
    }
    buffer = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
    this.#pending = buffer.length ? [buffer] : [];
    this.#pendingBytes = buffer.length;
  }
}

/** Batches frames written in the same tick into one socket write. */
export class FrameWriter {
  readonly #socket: Socket;
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  #scheduled = false;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  send(type: FrameType, header: unknown, body?: Uint8Array): void {
    for (const part of encodeFrameParts(type, header, body)) {
      this.#queue.push(part);
      this.#queuedBytes += part.length;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Nothing is waiting to be written by this writer (the socket may still hold some). */
  get empty(): boolean {
    return this.#queue.length === 0;
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const queue = this.#queue;
    const bytes = this.#queuedBytes;
    if (queue.length === 0 || this.#socket.destroyed) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (queue.length === 1) this.#socket.write(queue[0]!);
    // Small frames are joined (one copy is cheaper than a long writev); large bodies go as they are.
    else if (bytes < 4 * SEPARATE_BODY_BYTES) this.#socket.write(Buffer.concat(queue, bytes));
    else {
      this.#socket.cork();
      for (const part of queue) this.#socket.write(part);
      this.#socket.uncork();
    }
  };
}

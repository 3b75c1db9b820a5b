/**
 * Reading request bodies under a byte limit. A declared Content-Length over the limit is
 * refused before a byte is read; a chunked body is counted as it arrives and abandoned
 * the moment it passes the limit, so an oversized upload never sits in memory whole.
 */
import type { IncomingMessage } from 'node:http';
import { AtollError } from '../errors/index.ts';

function tooLarge(limit: number): AtollError {
  return new AtollError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`);
}

/** How much of a refused body is read and thrown away so the client can read the 413. */
const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * Refuse the rest of a body: read and discard it, so a client still uploading gets to read
 * the 413 instead of a reset connection, and cut the connection if it keeps on sending.
 */
function drain(incoming: IncomingMessage): void {
  let drained = 0;
  incoming.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) incoming.socket.destroy();
  });
  incoming.resume();
}

/** The body of a Node request, or undefined when there is none. */
export async function readIncomingBody(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (length > limit) {
      drain(incoming);
      throw tooLarge(limit);
    }
    if (length === 0) return undefined;
  } else if (incoming.headers['transfer-encoding'] === undefined) {
    return undefined;
  }
  // Events rather than `for await`: leaving an async iterator early destroys the stream,
  // and the refused rest of the body must be drained instead (see drain()).
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        drain(incoming);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(total === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new AtollError('BAD_REQUEST', 'the client closed the connection before the body was complete'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** The body of a Web Request (used by `app.request()` in tests and non-Node adapters). */
export async function readRequestBody(request: Request, limit: number): Promise<Buffer | undefined> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (total === 0) return undefined;
  return Buffer.concat(chunks, total);
}

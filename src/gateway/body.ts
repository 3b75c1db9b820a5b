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

/** The body of a Node request, or undefined when there is none. */
export async function readIncomingBody(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = incoming.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (length > limit) throw tooLarge(limit);
    if (length === 0) return undefined;
  } else if (incoming.headers['transfer-encoding'] === undefined) {
    return undefined;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      // Stop reading; the response closes the connection so the rest is never buffered.
      incoming.pause();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  if (total === 0) return undefined;
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
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

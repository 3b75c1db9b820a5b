import { randomBytes } from 'node:crypto';

// Request ids come from a pooled random buffer: one syscall per 4096 ids instead of one each.
let pool = Buffer.alloc(0);
let offset = 0;

/** A 32-hex-digit random request id. */
export function newRequestId(): string {
  if (offset + 16 > pool.length) {
    pool = randomBytes(16 * 4096);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + 16);
  offset += 16;
  return id;
}

/**
 * The one place where error codes become HTTP responses (design.md §4): JSON
 * `{"error": {"code", "message", "requestId"}}` with an `x-atoll-request-id` header.
 */
import { AtollError, ERROR_STATUS, type ErrorCode } from '../errors/index.ts';

export const REQUEST_ID_HEADER = 'x-atoll-request-id';

/** An error response for `code`. `details` are included for deploy errors (file, line, column). */
export function errorResponse(code: ErrorCode, message: string, requestId: string, details?: Record<string, unknown>): Response {
  const error: Record<string, unknown> = { code, message, requestId };
  if (details !== undefined) error.details = details;
  return new Response(JSON.stringify({ error }), {
    status: ERROR_STATUS[code],
    headers: { 'content-type': 'application/json; charset=utf-8', [REQUEST_ID_HEADER]: requestId },
  });
}

/** Turn anything thrown while handling a request into an error response; never rethrows. */
export function responseForThrown(thrown: unknown, requestId: string): Response {
  if (thrown instanceof AtollError) return errorResponse(thrown.code, thrown.message, requestId, thrown.details);
  process.stderr.write(`atoll: unexpected error in request ${requestId}: ${thrown instanceof Error ? thrown.stack : String(thrown)}\n`);
  return errorResponse('INTERNAL_ERROR', 'internal error', requestId);
}

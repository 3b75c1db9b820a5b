/**
 * The one error class of Atoll. Every error the platform (not the function) produces
 * carries a literal code from design.md §4; the gateway maps codes to HTTP statuses.
 * This module imports nothing so every layer can use it.
 */

export const ERROR_STATUS = {
  FUNCTION_NOT_FOUND: 404,
  INVALID_FUNCTION_NAME: 400,
  INVALID_CONFIG: 400,
  COMPILE_ERROR: 400,
  INVALID_BUNDLE: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  FUNCTION_ERROR: 500,
  INTERNAL_ERROR: 500,
  INVALID_FUNCTION_RESPONSE: 502,
  WORKER_CRASHED: 502,
  CPU_LIMIT_EXCEEDED: 503,
  MEMORY_LIMIT_EXCEEDED: 503,
  NOT_READY: 503,
  FUNCTION_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Codes caused by what the caller or the function did, as opposed to a platform fault. */
const USER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FUNCTION_NOT_FOUND', 'INVALID_FUNCTION_NAME', 'INVALID_CONFIG', 'COMPILE_ERROR',
  'INVALID_BUNDLE', 'BAD_REQUEST', 'UNAUTHORIZED', 'NOT_FOUND',
  'PAYLOAD_TOO_LARGE', 'TOO_MANY_REQUESTS', 'FUNCTION_ERROR', 'INVALID_FUNCTION_RESPONSE',
  'CPU_LIMIT_EXCEEDED', 'MEMORY_LIMIT_EXCEEDED', 'FUNCTION_TIMEOUT',
]);

export class AtollError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AtollError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  get isUserError(): boolean {
    return USER_CODES.has(this.code);
  }
}

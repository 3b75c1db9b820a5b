/**
 * Failures the CLI reports. A CliError prints as one line, `error: CODE: message`;
 * server errors keep the server's code, local ones use the codes below.
 */

/** Local codes, for failures that never reached the server or came back unreadable. */
export type LocalCode = 'USAGE' | 'INVALID_INPUT' | 'CONNECTION_FAILED' | 'BAD_RESPONSE';

export class CliError extends Error {
  readonly code: string;
  readonly details: unknown;
  /** Process exit code: 2 for usage errors, 1 for everything else. */
  readonly exitCode: number;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.details = details;
    this.exitCode = code === 'USAGE' ? 2 : 1;
  }
}

/** A usage error: the command line itself is wrong (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError('USAGE', message);
}

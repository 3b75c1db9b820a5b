import { AtollError } from '../errors/index.ts';

/** design.md §3: lowercase, digits and dashes, 1-63 characters, not starting with a dash. */
export const FUNCTION_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Throws INVALID_FUNCTION_NAME unless `name` is a valid function name. */
export function validateFunctionName(name: string): void {
  if (typeof name !== 'string' || !FUNCTION_NAME_PATTERN.test(name)) {
    throw new AtollError(
      'INVALID_FUNCTION_NAME',
      `invalid function name ${JSON.stringify(name)}: expected ${FUNCTION_NAME_PATTERN.source}`,
      { name },
    );
  }
}

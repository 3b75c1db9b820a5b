/** Reads a deploy's source files from disk: the bundler's reader, with the CLI's error code. */
import type { DeployFile } from '../config/index.ts';
import { AtollError } from '../errors/index.ts';
import { readSources as readSourceTree } from '../bundler/sources.ts';
import { CliError } from './errors.ts';

export { isBinary } from '../bundler/sources.ts';

/** `{relative/path: source}` of a file or directory (binary files as `{base64}`); unreadable input is INVALID_INPUT. */
export async function readSources(path: string): Promise<Record<string, DeployFile>> {
  try {
    return await readSourceTree(path);
  } catch (error) {
    if (error instanceof AtollError) throw new CliError('INVALID_INPUT', error.message);
    throw error;
  }
}

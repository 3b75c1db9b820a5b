import { posix } from 'node:path';
import { AtollError } from '../errors/index.ts';

/** Files esbuild can bundle as the entry module. */
export const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const INDEX_FILES = ['index.ts', 'index.js', 'index.mjs', 'index.mts'];

/**
 * Picks the entry module (design.md §2): the explicit `entry`, else the only file, else
 * index.ts|index.js|index.mjs|index.mts in that order, else the only JS/TS module among
 * the files (e.g. one handler.ts beside data.json); anything else is INVALID_BUNDLE.
 */
export function resolveEntry(files: Readonly<Record<string, string>>, entry?: string): string {
  const paths = Object.keys(files);
  let chosen: string | undefined;
  if (entry !== undefined) {
    chosen = posix.normalize(entry);
    if (!Object.hasOwn(files, chosen)) {
      throw new AtollError('INVALID_BUNDLE', `entry "${entry}" is not one of the deploy's files`, { entry, files: paths });
    }
  } else if (paths.length === 1) {
    chosen = paths[0]!;
  } else {
    chosen = INDEX_FILES.find((p) => Object.hasOwn(files, p));
    if (chosen === undefined) {
      const modules = paths.filter((p) => MODULE_FILE.test(p));
      if (modules.length === 1) chosen = modules[0]!;
    }
  }
  if (chosen === undefined) {
    throw new AtollError(
      'INVALID_BUNDLE',
      'cannot tell which file is the entry: name it with "entry" or call it index.ts (or index.js, index.mjs, index.mts)',
      { files: paths },
    );
  }
  if (!MODULE_FILE.test(chosen)) {
    throw new AtollError('INVALID_BUNDLE', `entry "${chosen}" is not a JavaScript or TypeScript module`, { entry: chosen });
  }
  return chosen;
}

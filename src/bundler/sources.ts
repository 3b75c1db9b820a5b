/** Reads a deploy's source files from disk into `{relative/path: source}`. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AtollError } from '../errors/index.ts';

/** Directory names never deployed: dependencies and VCS data are not function code. */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a file, or a directory recursively (skipping node_modules, .git and dotfiles),
 * with '/'-separated paths relative to the directory. Binary or non-UTF-8 files are refused:
 * the API carries sources as JSON strings.
 */
export async function readSources(path: string): Promise<Record<string, string>> {
  const info = await statOrThrow(path);
  if (info.isFile()) return { [basename(path)]: await readText(path, basename(path)) };
  if (!info.isDirectory()) throw new AtollError('INVALID_BUNDLE', `${path} is neither a file nor a directory`);

  const files: Record<string, string> = {};
  await walk(path, '', files);
  if (Object.keys(files).length === 0) throw new AtollError('INVALID_BUNDLE', `${path} contains no files to deploy`);
  return files;
}

async function walk(root: string, prefix: string, files: Record<string, string>): Promise<void> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  // Sorted so the request body, and so the bundle hash, does not depend on readdir order.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const full = join(root, rel);
    if (entry.isDirectory()) {
      await walk(root, rel, files);
    } else if (entry.isFile()) {
      files[rel] = await readText(full, rel);
    } else if (entry.isSymbolicLink()) {
      // Follow links to files; links to directories are skipped because they can loop.
      const target = await stat(full).catch(() => undefined);
      if (target?.isFile()) files[rel] = await readText(full, rel);
    }
  }
}

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AtollError('INVALID_BUNDLE', code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${code}`);
  }
}

async function readText(full: string, rel: string): Promise<string> {
  const bytes = await readFile(full);
  if (isBinary(bytes)) {
    throw new AtollError('INVALID_BUNDLE', `${rel} is binary or not UTF-8 text; only source files can be deployed`);
  }
  return utf8.decode(bytes);
}

/** NUL bytes never occur in source text; invalid UTF-8 cannot travel as a JSON string. */
export function isBinary(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return true;
  try {
    utf8.decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Reads a deploy's source files from disk into `{relative/path: source}`. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DeployFile } from '../config/index.ts';
import { AtollError } from '../errors/index.ts';

/** Directory names never deployed: dependencies and VCS data are not function code. */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a file, or a directory recursively (skipping node_modules, .git and dotfiles),
 * with '/'-separated paths relative to the directory. UTF-8 text comes as a string; any
 * other file (a compiled `bootstrap`) as `{base64}`, which only worker runtimes accept.
 */
export async function readSources(path: string): Promise<Record<string, DeployFile>> {
  const info = await statOrThrow(path);
  if (info.isFile()) return { [basename(path)]: await readContent(path) };
  if (!info.isDirectory()) throw new AtollError('INVALID_BUNDLE', `${path} is neither a file nor a directory`);

  const files: Record<string, DeployFile> = {};
  await walk(path, '', files);
  if (Object.keys(files).length === 0) throw new AtollError('INVALID_BUNDLE', `${path} contains no files to deploy`);
  return files;
}

async function walk(root: string, prefix: string, files: Record<string, DeployFile>): Promise<void> {
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
      files[rel] = await readContent(full);
    } else if (entry.isSymbolicLink()) {
      // Follow links to files; links to directories are skipped because they can loop.
      const target = await stat(full).catch(() => undefined);
      if (target?.isFile()) files[rel] = await readContent(full);
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

async function readContent(full: string): Promise<DeployFile> {
  const bytes = await readFile(full);
  return isBinary(bytes) ? { base64: bytes.toString('base64') } : utf8.decode(bytes);
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

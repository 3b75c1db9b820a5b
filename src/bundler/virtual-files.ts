/**
 * An esbuild plugin that serves a deploy's files from memory: relative imports resolve
 * among them, anything else (npm packages, `node:` builtins) is refused, and nothing is
 * ever read from the gateway's own disk.
 */
import { posix } from 'node:path';
import type { Loader, Plugin } from 'esbuild';

export const NAMESPACE = 'atoll';

/** Suffixes tried, in order, for an import without an extension or naming a directory. */
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.js', '.jsx', '.mts', '.mjs', '.cts', '.cjs', '.json'];
const INDEX_SUFFIXES = ['/index.ts', '/index.tsx', '/index.js', '/index.jsx', '/index.mts', '/index.mjs', '/index.json'];

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx',
  '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx',
  '.json': 'json', '.txt': 'text', '.html': 'text', '.css': 'text', '.md': 'text',
};

/** An import the plugin refused, so the caller can report INVALID_BUNDLE rather than a compile error. */
export interface RejectedImport {
  readonly specifier: string;
  readonly importer: string;
  readonly reason: 'package' | 'builtin' | 'missing';
}

/** Finds the file an import names among `files`, the way Node and TypeScript would. */
export function resolveAmong(files: Readonly<Record<string, string>>, fromDir: string, specifier: string): string | undefined {
  const base = posix.normalize(posix.join(fromDir, specifier));
  if (base.startsWith('../') || base === '..') return undefined;
  const candidates = [...RESOLVE_SUFFIXES.map((s) => base + s), ...INDEX_SUFFIXES.map((s) => base + s)];
  // TypeScript's ESM convention: `import './x.js'` names the source `x.ts`.
  const ext = posix.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  if (ext === '.js') candidates.push(`${stem}.ts`, `${stem}.tsx`);
  if (ext === '.mjs') candidates.push(`${stem}.mts`);
  if (ext === '.cjs') candidates.push(`${stem}.cts`);
  return candidates.find((c) => Object.hasOwn(files, c));
}

/** The plugin; refused imports are pushed to `rejected` as well as reported to esbuild. */
export function virtualFiles(files: Readonly<Record<string, string>>, rejected: RejectedImport[]): Plugin {
  return {
    name: 'atoll-virtual-files',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: args.path, namespace: NAMESPACE };
        const specifier = args.path;
        const importer = args.importer;
        const isRelative = specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
        const isRooted = specifier.startsWith('/');
        if (isRelative || isRooted) {
          const found = resolveAmong(files, isRooted ? '' : posix.dirname(importer), isRooted ? specifier.slice(1) : specifier);
          if (found !== undefined) return { path: found, namespace: NAMESPACE };
          rejected.push({ specifier, importer, reason: 'missing' });
          return { errors: [{ text: `cannot resolve "${specifier}" from ${importer}: no such file in the deploy` }] };
        }
        const builtin = specifier.startsWith('node:');
        rejected.push({ specifier, importer, reason: builtin ? 'builtin' : 'package' });
        return {
          errors: [{
            text: builtin
              ? `import of Node builtin "${specifier}" is not available inside a function`
              : `import of package "${specifier}" is not supported: npm packages are not installed at deploy yet; include the code in the deploy's files`,
          }],
        };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: files[args.path],
        loader: LOADERS[posix.extname(args.path)] ?? 'text',
      }));
    },
  };
}

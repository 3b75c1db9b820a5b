/**
 * Deploy-time compile and bundle (design.md §2): TypeScript and multi-file code become one
 * CommonJS script plus a source map, so errors surface at deploy, never at first request.
 */
import { build, type BuildFailure, type BuildOptions, type Message } from 'esbuild';
import { AtollError } from '../errors/index.ts';
import { resolveEntry } from './entry.ts';
import { NAMESPACE, virtualFiles, type RejectedImport } from './virtual-files.ts';

export { resolveEntry } from './entry.ts';

export interface BundleResult {
  /** CJS without `require`: evaluable as the body of `(function (exports, module) { ... })`. */
  readonly code: string;
  /** Source map v3 JSON whose `sources` are the user's own file paths, with `sourcesContent`. */
  readonly sourceMap: string;
  readonly entry: string;
  readonly style: 'workers' | 'lambda';
}

/** One compile error, located in the user's own file. */
export interface CompileErrorLocation {
  readonly file: string | null;
  /** 1-based. */
  readonly line: number | null;
  /** 1-based, in UTF-16 code units (as editors and V8 stack traces count). */
  readonly column: number | null;
  readonly message: string;
}

const NAMESPACE_PREFIX = `${NAMESPACE}:`;
const OUTFILE = 'bundle.js';

/** Compiles and bundles a deploy's files; throws COMPILE_ERROR or INVALID_BUNDLE with details. */
export async function bundleFunction(files: Record<string, string>, entry?: string): Promise<BundleResult> {
  const entryPath = resolveEntry(files, entry);
  const rejected: RejectedImport[] = [];
  const common: BuildOptions = {
    entryPoints: [entryPath],
    bundle: true,
    platform: 'neutral',
    target: 'es2022',
    outfile: OUTFILE,
    write: false,
    logLevel: 'silent',
    plugins: [virtualFiles(files, rejected)],
  };
  // The CJS build's metafile lists no exports, so a second, ESM build (run in parallel,
  // no source map) reads the entry's export names to detect the style.
  const [cjs, esm] = await Promise.allSettled([
    build({ ...common, format: 'cjs', sourcemap: 'external', sourcesContent: true }),
    build({ ...common, format: 'esm', metafile: true, plugins: [virtualFiles(files, [])] }),
  ]);
  if (cjs.status === 'rejected') throw toAtollError(cjs.reason, rejected);
  if (esm.status === 'rejected') throw toAtollError(esm.reason, []);

  const code = cjs.value.outputFiles!.find((f) => f.path.endsWith(OUTFILE))!.text;
  const rawMap = cjs.value.outputFiles!.find((f) => f.path.endsWith(`${OUTFILE}.map`))!.text;
  const metafile = esm.value.metafile!;
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  if (metafile.inputs[NAMESPACE_PREFIX + entryPath]?.format === 'cjs') {
    throw new AtollError(
      'INVALID_BUNDLE',
      `entry "${entryPath}" uses CommonJS (module.exports); export with ES module syntax: "export default { fetch }" or "export function handler"`,
      { entry: entryPath },
    );
  }
  const exports = output.exports;
  let style: BundleResult['style'];
  if (exports.includes('default')) style = 'workers';
  else if (exports.includes('handler')) style = 'lambda';
  else {
    throw new AtollError(
      'INVALID_BUNDLE',
      `entry "${entryPath}" exports neither a default object (Workers style) nor a "handler" function (Lambda style)`,
      { entry: entryPath, exports },
    );
  }
  return { code, sourceMap: userPathsInMap(rawMap), entry: entryPath, style };
}

/** Rewrites `atoll:lib/x.ts` to `lib/x.ts` so mapped stacks show the user's own paths. */
function userPathsInMap(rawMap: string): string {
  const map = JSON.parse(rawMap) as { sources: string[]; file?: string };
  map.sources = map.sources.map(stripNamespace);
  map.file = OUTFILE;
  return JSON.stringify(map);
}

function stripNamespace(path: string): string {
  return path.startsWith(NAMESPACE_PREFIX) ? path.slice(NAMESPACE_PREFIX.length) : path;
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}

/** esbuild's column is a 0-based UTF-8 byte offset into lineText; users count characters from 1. */
function locate(message: Message): CompileErrorLocation {
  const loc = message.location;
  if (!loc) return { file: null, line: null, column: null, message: message.text };
  const column = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length + 1;
  return { file: stripNamespace(loc.file), line: loc.line, column, message: message.text };
}

function describe(errors: readonly CompileErrorLocation[]): string {
  const [first] = errors;
  if (!first) return 'build failed';
  const where = first.file ? `${first.file}${first.line ? `:${first.line}:${first.column}` : ''}: ` : '';
  return `${where}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`;
}

function toAtollError(error: unknown, rejected: readonly RejectedImport[]): Error {
  if (!isBuildFailure(error)) return error instanceof Error ? error : new Error(String(error));
  const errors = error.errors.map(locate);
  if (rejected.length > 0) {
    const imports = rejected.map(({ specifier, importer, reason }) => ({ specifier, importer: stripNamespace(importer), reason }));
    return new AtollError('INVALID_BUNDLE', describe(errors), { imports, errors });
  }
  return new AtollError('COMPILE_ERROR', describe(errors), { errors });
}

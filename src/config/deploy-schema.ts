/**
 * The deploy body of `PUT /api/functions/{name}` (design.md §3), validated once at the
 * gateway with a strict schema; everything after trusts the resulting DeploySpec.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { AtollError } from '../errors/index.ts';
import {
  DEFAULT_CONCURRENCY, DEFAULT_FUNCTION_LIMITS, DEFAULT_MAX_FUNCTION_LIMITS, MAX_CONCURRENCY, MAX_DEPLOY_BYTES,
  MIN_FUNCTION_LIMITS, type ConcurrencyLimits, type FunctionLimits,
} from '../limits/index.ts';
import type { Runtime } from '../registry/index.ts';
import { UNSAFE_ENV } from '../workers/unsafe-env.ts';

/** Environment variables are small config, not payload: names plus values, in bytes. */
export const MAX_ENV_BYTES = 64 * 1024;
export const MAX_DEPLOY_FILES = 10_000;
const MAX_PATH_LENGTH = 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const JS_MODULE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Lambda's default handler for Python functions. */
export const DEFAULT_PYTHON_HANDLER = 'lambda_function.lambda_handler';

/**
 * A file of a deploy body: its text, or `{base64}` for bytes that are not UTF-8 text (a
 * compiled `bootstrap`), which only worker runtimes take.
 */
export type DeployFile = string | { base64: string };

// One flat character class: a grouped pattern would recurse once per 4 characters in V8's
// regexp engine and overflow its stack on a deploy-sized string.
const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (v: string): boolean => v.length % 4 === 0 && BASE64_CHARS.test(v);

/** Bytes a deploy file holds, without decoding it. */
function fileBytes(content: DeployFile): number {
  if (typeof content === 'string') return Buffer.byteLength(content, 'utf8');
  const b64 = content.base64;
  return (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

/** A validated deploy, defaults filled in, paths normalized. Text files are strings, `{base64}` ones bytes. */
export interface DeploySpec {
  readonly files: Readonly<Record<string, string | Uint8Array>>;
  /** The entry module; undefined lets the bundler pick (the only file, or index.*). */
  readonly entry: string | undefined;
  /** Lambda's `file.function` for python3 and provided; null when not given. */
  readonly handler: string | null;
  readonly runtime: Runtime;
  readonly limits: FunctionLimits;
  readonly env: Readonly<Record<string, string>>;
  readonly concurrency: ConcurrencyLimits;
  /** python3 and provided: the workers may reach the network (otherwise only the Runtime API, where the server can isolate them). */
  readonly outboundNetwork: boolean;
}

/** Why a relative path is unacceptable, or undefined if it is fine. */
function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash: use forward slashes';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute: paths are relative to the function root';
  if (path.split('/').includes('..')) return 'contains "..": paths stay inside the function root';
  const normal = posix.normalize(path);
  if (normal === '.' || normal.endsWith('/')) return 'names a directory, not a file';
  return undefined;
}

const relativePath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: `path ${JSON.stringify(path)} ${problem}` });
});

/** Own `__proto__` keys, which JSON.parse creates and a record schema would silently drop. */
function hasProtoKey(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__');
}

const limitField = (key: keyof FunctionLimits, maxima: FunctionLimits) =>
  z.number().int().min(MIN_FUNCTION_LIMITS[key]).max(maxima[key]).optional();

function buildSchema(maxima: FunctionLimits) {
  return z.strictObject({
    files: z
      .record(z.string(), z.union([z.string(), z.strictObject({ base64: z.string().refine(isBase64, 'not canonical base64') })]))
      .superRefine((files, ctx) => {
        const paths = Object.keys(files);
        for (const p of paths) {
          const problem = pathProblem(p);
          if (problem) ctx.addIssue({ code: 'custom', path: [p], message: `path ${JSON.stringify(p)} ${problem}` });
        }
        if (paths.length === 0) ctx.addIssue({ code: 'custom', message: 'files must hold at least one file' });
        if (paths.length > MAX_DEPLOY_FILES) {
          ctx.addIssue({ code: 'custom', message: `at most ${MAX_DEPLOY_FILES} files per deploy` });
        }
        const seen = new Set<string>();
        for (const p of paths) {
          const normal = posix.normalize(p);
          if (seen.has(normal)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(p)} names the same file twice` });
          seen.add(normal);
        }
        let bytes = 0;
        for (const content of Object.values(files)) bytes += fileBytes(content);
        if (bytes > MAX_DEPLOY_BYTES) {
          ctx.addIssue({
            code: 'custom',
            message: `files total ${bytes} bytes, over the ${MAX_DEPLOY_BYTES}-byte deploy limit`,
            params: { payloadTooLarge: true },
          });
        }
      }),
    entry: relativePath.optional(),
    handler: z.string().min(1).max(256).regex(/^[A-Za-z0-9_./-]+$/).optional(),
    runtime: z.enum(['js', 'python3', 'provided']).optional(),
    outboundNetwork: z.boolean().optional(),
    limits: z
      .strictObject({
        memoryMb: limitField('memoryMb', maxima),
        cpuMs: limitField('cpuMs', maxima),
        timeoutMs: limitField('timeoutMs', maxima),
      })
      .optional(),
    env: z
      .record(z.string().regex(ENV_NAME, 'environment variable names match ^[A-Za-z_][A-Za-z0-9_]*$'), z.string())
      .superRefine((env, ctx) => {
        let bytes = 0;
        for (const [k, v] of Object.entries(env)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
        if (bytes > MAX_ENV_BYTES) {
          ctx.addIssue({ code: 'custom', message: `environment totals ${bytes} bytes, over ${MAX_ENV_BYTES}` });
        }
      })
      .optional(),
    concurrency: z
      .strictObject({
        max: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
        minWarm: z.number().int().min(0).max(MAX_CONCURRENCY).optional(),
      })
      .superRefine((c, ctx) => {
        const max = c.max ?? DEFAULT_CONCURRENCY.max;
        if ((c.minWarm ?? DEFAULT_CONCURRENCY.minWarm) > max) {
          ctx.addIssue({ code: 'custom', path: ['minWarm'], message: `minWarm must not exceed max (${max})` });
        }
      })
      .optional(),
  });
}

type DeployBody = z.infer<ReturnType<typeof buildSchema>>;

// One schema per maxima object: building it costs more than parsing a small body.
const schemas = new WeakMap<FunctionLimits, ReturnType<typeof buildSchema>>();

/**
 * No runtime given: 'js', unless the files hold no JS/TS module but a `bootstrap`
 * ('provided') or .py files ('python3'), so a plain Python deploy needs no flag.
 */
function inferRuntime(paths: readonly string[]): Runtime {
  if (paths.some((p) => JS_MODULE.test(p))) return 'js';
  if (paths.includes('bootstrap')) return 'provided';
  if (paths.some((p) => p.endsWith('.py'))) return 'python3';
  return 'js';
}

function invalid(message: string, issues: { path: string; message: string }[]): AtollError {
  return new AtollError('INVALID_CONFIG', message, { issues });
}

/**
 * Validates a parsed JSON deploy body against the server maxima and fills in defaults.
 * Throws INVALID_CONFIG with `details.issues`, or PAYLOAD_TOO_LARGE when the files are over
 * the deploy size limit (design.md §4).
 */
export function parseDeployBody(json: unknown, maxima: FunctionLimits = DEFAULT_MAX_FUNCTION_LIMITS): DeploySpec {
  let schema = schemas.get(maxima);
  if (!schema) schemas.set(maxima, (schema = buildSchema(maxima)));
  if (typeof json === 'object' && json !== null && (hasProtoKey((json as Record<string, unknown>).files) || hasProtoKey((json as Record<string, unknown>).env))) {
    throw invalid('invalid deploy: "__proto__" is not allowed as a file path or variable name', [
      { path: '', message: '"__proto__" key' },
    ]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    const tooLarge = parsed.error.issues.find((i) => i.code === 'custom' && i.params?.payloadTooLarge === true);
    if (tooLarge) throw new AtollError('PAYLOAD_TOO_LARGE', tooLarge.message, { issues });
    const first = issues[0]!;
    throw invalid(`invalid deploy: ${first.path ? `${first.path}: ` : ''}${first.message}`, issues);
  }
  return toSpec(parsed.data, maxima);
}

function toSpec(body: DeployBody, maxima: FunctionLimits): DeploySpec {
  const files: Record<string, string | Uint8Array> = {};
  for (const [path, content] of Object.entries(body.files)) {
    files[posix.normalize(path)] = typeof content === 'string' ? content : new Uint8Array(Buffer.from(content.base64, 'base64'));
  }
  const paths = Object.keys(files);
  const runtime = body.runtime ?? inferRuntime(paths);
  const binary = paths.filter((p) => typeof files[p] !== 'string');
  if (runtime === 'js' && binary.length > 0) {
    throw invalid('binary files ({"base64": ...}) are for the python3 and provided runtimes; JavaScript and TypeScript deploy their sources as text', binary.map((p) => ({ path: `files.${p}`, message: 'binary file in a js deploy' })));
  }
  // Lambda's default for Python; `provided` runtimes read _HANDLER as they please.
  const handler = body.handler ?? (runtime === 'python3' ? DEFAULT_PYTHON_HANDLER : null);
  if (runtime === 'python3' && !/^[A-Za-z0-9_./-]+\.[A-Za-z_][A-Za-z0-9_]*$/.test(handler!)) {
    throw invalid('runtime python3 needs "handler" as file.function, e.g. "app.handler"', [
      { path: 'handler', message: 'expected file.function' },
    ]);
  }
  const unsafe = runtime === 'js' ? [] : Object.keys(body.env ?? {}).filter((name) => UNSAFE_ENV.test(name));
  if (unsafe.length > 0) {
    throw invalid(`runtime ${runtime} does not take these environment variables: ${unsafe.join(', ')} (the loader's, glibc's and Perl's act on the processes that start workers)`, unsafe.map((name) => ({ path: `env.${name}`, message: 'not allowed for worker runtimes' })));
  }
  if (runtime === 'provided' && !Object.hasOwn(files, 'bootstrap')) {
    throw invalid('runtime provided needs an executable file named "bootstrap" at the root', [
      { path: 'files', message: 'bootstrap is missing' },
    ]);
  }
  return Object.freeze({
    files: Object.freeze(files),
    entry: body.entry === undefined ? undefined : posix.normalize(body.entry),
    handler,
    runtime,
    // A server whose maxima sit below the defaults caps the defaults too.
    limits: Object.freeze({
      memoryMb: body.limits?.memoryMb ?? Math.min(DEFAULT_FUNCTION_LIMITS.memoryMb, maxima.memoryMb),
      cpuMs: body.limits?.cpuMs ?? Math.min(DEFAULT_FUNCTION_LIMITS.cpuMs, maxima.cpuMs),
      timeoutMs: body.limits?.timeoutMs ?? Math.min(DEFAULT_FUNCTION_LIMITS.timeoutMs, maxima.timeoutMs),
    }),
    env: Object.freeze({ ...body.env }),
    outboundNetwork: body.outboundNetwork ?? false,
    concurrency: Object.freeze({
      max: body.concurrency?.max ?? DEFAULT_CONCURRENCY.max,
      minWarm: body.concurrency?.minWarm ?? DEFAULT_CONCURRENCY.minWarm,
    }),
  });
}

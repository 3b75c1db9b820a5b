/** A thin JSON client of the management API (design.md §3) over undici. */
import { request } from 'undici';
import { CliError, usageError } from './errors.ts';
import { stringOption, type ParsedArgs } from './args.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8787';

export interface Connection {
  readonly url: string;
  readonly token: string | undefined;
}

/** Server URL and token from --url/--token, else ATOLL_URL/ATOLL_TOKEN, else defaults. */
export function connectionFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): Connection {
  const raw = stringOption(args, 'url') ?? (env.ATOLL_URL || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`invalid server URL "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`server URL must be http or https, got "${raw}"`);
  }
  const token = stringOption(args, 'token') ?? (env.ATOLL_TOKEN || undefined);
  return { url: url.href.replace(/\/+$/, ''), token };
}

export interface CallOptions {
  readonly body?: unknown;
  /** Raw JSON text to send as-is (invoke forwards the user's event untouched). */
  readonly rawBody?: string;
  /** Disable undici's 300 s header timeout: the server enforces function timeouts itself. */
  readonly longRunning?: boolean;
}

/** Calls the API and returns the parsed JSON body; any failure throws a CliError. */
export async function call(conn: Connection, method: string, path: string, opts: CallOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (conn.token) headers.authorization = `Bearer ${conn.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers['content-type'] = 'application/json';

  let res;
  try {
    res = await request(conn.url + path, {
      method: method as 'GET',
      headers,
      body,
      ...(opts.longRunning ? { headersTimeout: 0, bodyTimeout: 0 } : {}),
    });
  } catch (err) {
    throw connectionError(conn, err);
  }
  const text = await res.body.text();
  const json = parseJson(text);
  if (res.statusCode >= 400) throw apiError(conn, res.statusCode, json, text);
  if (text === '') return undefined;
  if (json === NOT_JSON) {
    throw new CliError('BAD_RESPONSE', `server answered ${method} ${path} with non-JSON (HTTP ${res.statusCode})`);
  }
  return json;
}

const NOT_JSON = Symbol('not json');

function parseJson(text: string): unknown {
  if (text === '') return NOT_JSON;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function apiError(conn: Connection, status: number, json: unknown, text: string): CliError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    let message = typeof error.message === 'string' ? error.message : `HTTP ${status}`;
    if (error.code === 'UNAUTHORIZED' && !conn.token) message += ' (pass --token or set ATOLL_TOKEN)';
    return new CliError(error.code, message, error.details);
  }
  // Not an Atoll error body: a proxy in between, or not an Atoll server at all.
  const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 120);
  return new CliError(`HTTP_${status}`, snippet || 'no body');
}

function connectionError(conn: Connection, err: unknown): CliError {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const reason = e.code ?? e.cause?.code ?? e.message ?? String(err);
  return new CliError('CONNECTION_FAILED', `cannot reach ${conn.url}: ${reason}`);
}

/** `/api/functions/{name}` with the name escaped, so a bad name reaches the server's validation intact. */
export function functionPath(name: string, suffix = ''): string {
  return `/api/functions/${encodeURIComponent(name)}${suffix}`;
}

/**
 * Outbound fetch for guests, in three ops the runtime's `fetch()` is built on:
 *   fetch.start [request]  → the response head, once it arrives (redirects followed here)
 *   fetch.read  [id]       → the next chunk of the body (≤ 64 KiB ArrayBuffer), null at the end
 *   fetch.abort [id]       → ends the request or its body; a pending start or read rejects
 * Body bytes are pulled from undici only as the guest reads, so the host holds at most a
 * chunk or two per open body. Everything an invocation opened ends with it, or at its
 * wall-clock deadline, whichever comes first.
 */
import { BarredDestinationError } from '../outbound/addresses.ts';
import { parseFetchId, parseFetchRequest } from './fetch-request.ts';
import { OpError, type HostOpHandler, type OpContext } from './types.ts';

/** Largest body chunk one fetch.read returns. */
export const MAX_CHUNK_BYTES = 64 * 1024;

/** What fetch.start resolves to. */
export interface FetchResponseHead {
  status: number;
  statusText: string;
  headers: [string, string][];
  url: string;
  /** Every URL requested, the redirects followed included (without fragments). */
  urlList: string[];
  redirected: boolean;
  hasBody: boolean;
}

interface OpenFetch {
  readonly controller: AbortController;
  reader: ReadableStreamDefaultReader<Uint8Array> | null;
  /** What is left of the last chunk read, handed out MAX_CHUNK_BYTES at a time. */
  rest: Uint8Array | null;
  reading: boolean;
  /** `start` has settled: the head arrived, or the request failed. */
  settled: boolean;
  /** Why the request or its body failed; later reads fail the same way. */
  failure: OpError | null;
}

/** Per-invocation state, in `ctx.state`. */
interface FetchState {
  started: number;
  readonly open: Map<number, OpenFetch>;
  /** Aborted when the invocation ends or reaches its deadline: ends everything it opened. */
  readonly scope: AbortController;
  timedOut: boolean;
}

const STATE_KEY = 'fetch';
// setTimeout fires at once for longer delays; no invocation runs that long anyway.
const MAX_TIMER_MS = 2 ** 31 - 1;

function stateOf(ctx: OpContext): FetchState {
  const existing = ctx.state.get(STATE_KEY) as FetchState | undefined;
  if (existing) return existing;
  const state: FetchState = { started: 0, open: new Map(), scope: new AbortController(), timedOut: false };
  const deadline = setTimeout(() => {
    state.timedOut = true;
    state.scope.abort();
  }, Math.min(Math.max(0, ctx.deadlineMs - Date.now()), MAX_TIMER_MS));
  deadline.unref();
  ctx.signal.addEventListener('abort', () => {
    clearTimeout(deadline);
    state.scope.abort();
    state.open.clear();
  }, { once: true });
  ctx.state.set(STATE_KEY, state);
  return state;
}

const fetchStart: HostOpHandler = async (ctx, args) => {
  const request = parseFetchRequest(args[0]);
  if (ctx.signal.aborted) throw invocationOver();
  const state = stateOf(ctx);
  if (state.open.has(request.id)) throw new OpError('TypeError', `fetch: request id ${request.id} is already in use`);
  const limit = ctx.settings.maxSubrequests;
  if (state.started >= limit) {
    throw new OpError('TypeError', `fetch: too many subrequests (this invocation may make ${limit})`);
  }
  state.started += 1;
  const entry: OpenFetch = { controller: new AbortController(), reader: null, rest: null, reading: false, settled: false, failure: null };
  state.open.set(request.id, entry);
  const urlList: string[] = [];
  try {
    const { outboundFetch } = await import('../outbound/agent.ts');
    const response = await outboundFetch(ctx.settings.fetchAllow, request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: request.redirect,
      signal: AbortSignal.any([state.scope.signal, entry.controller.signal]),
    }, urlList);
    entry.reader = response.body?.getReader() ?? null;
    entry.settled = true;
    return {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      url: response.url,
      urlList,
      redirected: response.redirected,
      hasBody: entry.reader !== null,
    } satisfies FetchResponseHead;
  } catch (err) {
    entry.settled = true;
    entry.failure = guestError(err, state, entry);
    throw entry.failure;
  }
};

const fetchRead: HostOpHandler = async (ctx, args) => {
  const id = parseFetchId(args[0]);
  const state = ctx.state.get(STATE_KEY) as FetchState | undefined;
  const entry = state?.open.get(id);
  if (state === undefined || entry === undefined) {
    throw ctx.signal.aborted ? invocationOver() : new OpError('TypeError', `fetch: no request with id ${id}`);
  }
  if (entry.controller.signal.aborted) throw aborted();
  if (entry.failure) throw entry.failure;
  if (!entry.settled) throw new OpError('TypeError', 'fetch: the response has not arrived yet');
  // Reads are serial: a second one in flight could overtake the first's leftover bytes.
  if (entry.reading) throw new OpError('TypeError', 'fetch: a read of this body is already pending');
  if (entry.rest) return takeChunk(entry);
  if (entry.reader === null) return null;
  entry.reading = true;
  try {
    for (;;) {
      const { done, value } = await entry.reader.read();
      if (done) {
        entry.reader = null;
        return null;
      }
      if (value.byteLength === 0) continue;
      entry.rest = value;
      return takeChunk(entry);
    }
  } catch (err) {
    entry.reader = null;
    entry.failure = guestError(err, state, entry);
    throw entry.failure;
  } finally {
    entry.reading = false;
  }
};

const fetchAbort: HostOpHandler = (ctx, args) => {
  const id = parseFetchId(args[0]);
  const entry = (ctx.state.get(STATE_KEY) as FetchState | undefined)?.open.get(id);
  // Unknown ids are ignored: the runtime may abort a request whose start it never sent.
  if (entry === undefined) return;
  entry.controller.abort();
  entry.rest = null;
  entry.reader = null;
};

/** The fetch ops, for the table in index.ts. */
export const fetchOps: ReadonlyMap<string, HostOpHandler> = new Map([
  ['fetch.start', fetchStart],
  ['fetch.read', fetchRead],
  ['fetch.abort', fetchAbort],
]);

/** The next piece of the chunk being handed out, as an ArrayBuffer of its own. */
function takeChunk(entry: OpenFetch): ArrayBuffer {
  const chunk = entry.rest!;
  const piece = chunk.byteLength > MAX_CHUNK_BYTES ? chunk.subarray(0, MAX_CHUNK_BYTES) : chunk;
  entry.rest = piece === chunk ? null : chunk.subarray(MAX_CHUNK_BYTES);
  const whole = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength && piece.buffer instanceof ArrayBuffer;
  return whole ? piece.buffer as ArrayBuffer : piece.slice().buffer;
}

const aborted = (): OpError => new OpError('AbortError', 'the fetch was aborted');
const invocationOver = (): OpError => new OpError('AbortError', 'the invocation that started the fetch is over');

/**
 * The error the guest sees. Barred destinations keep their reason; network failures say
 * what failed without host details (no resolved addresses of allow-listed hosts).
 */
function guestError(err: unknown, state: FetchState, entry: OpenFetch): OpError {
  if (err instanceof OpError) return err;
  if (entry.controller.signal.aborted) return aborted();
  if (state.timedOut) return new OpError('TimeoutError', 'the fetch outlived the invocation\'s wall-clock limit');
  if (state.scope.signal.aborted) return invocationOver();
  for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof BarredDestinationError) return new OpError('TypeError', cause.message);
  }
  if (!(err instanceof TypeError)) return new OpError('TypeError', 'fetch failed');
  const cause = err.cause;
  if (!(cause instanceof Error)) return new OpError('TypeError', err.message);
  // Network errors' messages name the addresses tried (of allow-listed hosts too); their code says enough.
  const code = (cause as { code?: unknown }).code;
  return new OpError('TypeError', `${err.message}: ${typeof code === 'string' ? code : cause.message}`);
}

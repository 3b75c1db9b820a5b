/**
 * The contract between the sandbox host (src/sandbox-host) and the runtime that runs
 * inside every isolate: types, and the few constants of the calls' encoding. Both sides import it.
 *
 * Boot sequence, per isolate:
 *   1. the host sets `globalThis.__atollBridge` to a HostBridge of isolated-vm Callbacks;
 *   2. the host runs the runtime bundle (sandbox/dist/runtime.js); it captures the bridge
 *      in a closure, deletes the global, installs the Web API globals, and its completion
 *      value is a RuntimeEntry, which the host keeps as References. Nothing of the bridge
 *      or the entry stays reachable from guest code;
 *   3. the host compiles the user's bundle wrapped as `(function (exports, module) {...})`
 *      and passes that function to `entry.load`, under the start-up CPU budget;
 *   4. per invocation the host calls `entry.invoke` (`entry.invokeHttp` for an HTTP
 *      request); the runtime answers through `bridge.done` (`bridge.respond` for an HTTP
 *      response), at once or after timers fire (`entry.fireTimer`).
 *
 * The two calls of every HTTP invocation pass their fields as separate arguments, the
 * headers as one string of header lines (below): isolated-vm copies strings and numbers directly,
 * while an object or array goes through V8's structured serialiser on one side and its
 * deserialiser on the other, which for a small request and response took ~3 µs of the
 * ~6 µs a call into the guest and back costs.
 */

/**
 * Header lists cross the boundary as `name\nvalue\nname\nvalue`: LF can be in neither a
 * header name nor a value (Node's parser refuses it in a request, and the runtime's
 * Headers in a response), and the receiving side checks the result all the same.
 */
export const HEADER_LINE_SEPARATOR = '\n';

/** Host functions reachable from the runtime (never from user code). */
export interface HostBridge {
  /** Fire and forget. `text` is already formatted (util.inspect-like) by the runtime. */
  log(level: LogLevel, text: string): void;
  /** Arm a host timer; when it fires the host calls `entry.fireTimer(id)`. */
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
  /** Cryptographically strong random bytes from the host; length ≤ 65536. */
  randomBytes(length: number): ArrayBuffer;
  /** Deliver the outcome of invocation `invocationId`. Called exactly once per invocation: this or `respond`. */
  done(invocationId: number, result: GuestResult): void;
  /**
   * `done` with an HTTP response (GuestResult `kind: 'response'`), field by field.
   * `headerLines`: the headers as header lines (HEADER_LINE_SEPARATOR); `flags`: RESPONSE_STREAM | RESPONSE_FINISH_LATER.
   */
  respond(invocationId: number, status: number, statusText: string, headerLines: string, body: ArrayBuffer | string | null, flags: number): void;
  /**
   * The source of lazy module `name` (built by sandbox/build.ts: a function expression
   * `(function (require, module, exports) {...})`), or undefined for an unknown name.
   */
  lazySource(name: string): string | undefined;
  /**
   * Lazy module `name`, asked for with `lazySource`, is evaluated. The CPU time in between
   * was the runtime's, not the function's: it is not charged to the invocation.
   */
  lazyLoaded(name: string): void;
  /**
   * Start asynchronous host operation `op` (see src/sandbox-host/host-ops/) for the
   * invocation in progress and return its call id. The host answers later with
   * `entry.settle(callId, ok, value)`; an op of an invocation that has ended is dropped.
   * Throws a TypeError for an unknown op. Arguments are copied (structured clone).
   */
  call(op: string, args: unknown[]): number;
  /** A chunk of a streamed response body (see GuestResult `stream`). Bytes or text (the host encodes text as UTF-8). */
  chunk(invocationId: number, chunk: ArrayBuffer | string): void;
  /** The streamed body is complete; `error` set when the stream errored (the client sees a truncated body). */
  end(invocationId: number, error: string | null): void;
  /**
   * Everything invocation `invocationId` started is over: its response is out (and its
   * stream ended) and every promise passed to `ctx.waitUntil` settled. Only then is the
   * instance free for the next invocation.
   */
  finished(invocationId: number): void;
}

export type LogLevel = 'debug' | 'log' | 'info' | 'warn' | 'error';

export interface FunctionMeta {
  name: string;
  version: number;
  memoryMb: number;
  /** Largest response body the runtime may hand to `done`, in bytes. */
  maxResponseBytes: number;
}

/** The runtime bundle's completion value. */
export interface RuntimeEntry {
  /**
   * Run the module's top level. Returns the detected style, or an error result
   * (`kind: 'error'` for a throw at top level, `kind: 'invalid'` when it exports neither
   * a `default` object with `fetch` nor a `handler` function).
   */
  load(factory: ModuleFactory, env: Record<string, string>, meta: FunctionMeta): LoadResult;
  invoke(invocationId: number, request: GuestRequest, body: ArrayBuffer | undefined): void;
  /** `invoke` with an HTTP request (GuestRequest `kind: 'http'`), field by field; `headerLines` as header lines (HEADER_LINE_SEPARATOR). */
  invokeHttp(
    invocationId: number, requestId: string, method: string, url: string, basePath: string, headerLines: string,
    sourceIp: string, timeEpochMs: number, deadlineMs: number, body: ArrayBuffer | undefined,
  ): void;
  fireTimer(id: number): void;
  /** The answer to `bridge.call`: `value` is the result, or `{name, message}` of the error when `ok` is false. */
  settle(callId: number, ok: boolean, value: unknown): void;
  /** The host has room for `n` more chunks of invocation `invocationId`'s streamed body: send them through `bridge.chunk` as they come. */
  pull(invocationId: number, n: number): void;
  /** The client went away: abort invocation `invocationId`'s `request.signal`, and cancel its response stream. */
  cancel(invocationId: number): void;
}

export type ModuleFactory = (exports: object, module: { exports: unknown }) => void;

export type LoadResult =
  | { kind: 'loaded'; style: 'workers' | 'lambda' }
  | { kind: 'error'; name: string; message: string; stack: string }
  | { kind: 'invalid'; message: string };

/**
 * An invocation as the runtime receives it.
 * `http`: an HTTP request. `url` is absolute and relative to the function: a request to
 * `/fn/hello/a/b?x=1` arrives as `http://{host}/a/b?x=1` (the prefix is in `basePath`).
 * Workers-style functions get a Request; Lambda-style ones an API Gateway HTTP API
 * payload 2.0 event, built by the runtime, and their result is mapped back as API
 * Gateway does. `event`: a direct invoke; `payload` is the JSON text of the event.
 */
export type GuestRequest =
  | {
      kind: 'http';
      requestId: string;
      method: string;
      url: string;
      basePath: string;
      headers: [string, string][];
      sourceIp: string;
      /** Epoch milliseconds at which the gateway received the request. */
      timeEpochMs: number;
      deadlineMs: number;
    }
  | {
      kind: 'event';
      requestId: string;
      payload: string;
      timeEpochMs: number;
      deadlineMs: number;
      /** Lambda's client context (JSON text) from a direct invoke's X-Amz-Client-Context; language workers get it as Lambda-Runtime-Client-Context. */
      clientContext?: string;
    };

/** `respond` flags: the body is a stream (GuestResult `stream`). */
export const RESPONSE_STREAM = 1;
/** `respond` flags: `bridge.finished` follows later (GuestResult `finishLater`). */
export const RESPONSE_FINISH_LATER = 2;

export type GuestResult =
  /**
   * HTTP response. `body` is null for no body; a string is text the host encodes as UTF-8
   * (lone surrogates become U+FFFD), which spares the guest encoding large text itself.
   */
  | {
      kind: 'response';
      status: number;
      statusText: string;
      headers: [string, string][];
      body: ArrayBuffer | string | null;
      /**
       * True when the body is a stream: `body` is null and the chunks follow through
       * `bridge.chunk` (as many as `entry.pull` granted), then `bridge.end`.
       */
      stream?: boolean;
      /** True when `bridge.finished` follows later (a stream, or `ctx.waitUntil` work); otherwise `done` finishes the invocation. */
      finishLater?: boolean;
    }
  /** Direct-invoke result: JSON text of what the handler returned (`undefined` → "null"). */
  | { kind: 'result'; payload: string; finishLater?: boolean }
  /** Uncaught exception or rejection in the function. `stack` is V8's, unmapped. */
  | { kind: 'error'; name: string; message: string; stack: string }
  /** The function returned something unusable (not a Response, bad header, bad status...). */
  | { kind: 'invalid'; message: string }
  /** The response body exceeded `maxResponseBytes`; it was not copied. */
  | { kind: 'tooLarge'; bytes: number };

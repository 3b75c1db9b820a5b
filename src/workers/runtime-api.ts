/**
 * The AWS Lambda Runtime API (version 2018-06-01) as one worker sees it: a loopback HTTP
 * listener of its own on an ephemeral port. A worker reaches only its own invocations
 * because it only knows its own port and, when workers run under their own uid, the
 * listener drops every connection whose client socket belongs to another uid (peer.ts):
 * a guest that scans loopback ports finds listeners it cannot talk to.
 *
 * Status codes follow AWS: 202 for an accepted response or error, 400 InvalidRequestID
 * for an id that is not the invocation in progress, 403 InvalidStateTransition for a
 * second answer or an init error after init, 413 for a response over the limit, 404 for
 * any other path or method.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chmodSync, chownSync } from 'node:fs';
import { socketUid } from './peer.ts';

const PREFIX = '/2018-06-01/runtime/';
/** Where the relay listens inside a worker's own network namespace (AWS uses the same port). */
export const NAMESPACE_PORT = 9001;
/** Error reports are small; anything past this is cut (the stack trace goes to the logs). */
const MAX_ERROR_BYTES = 1024 * 1024;
/** Answered ids remembered for 403 on a second answer (the runtime only ever holds one). */
const REMEMBERED_IDS = 16;

/** One invocation as the runtime receives it from /next. */
export interface ApiInvocation {
  readonly requestId: string;
  /** Epoch ms. */
  readonly deadlineMs: number;
  readonly functionArn: string;
  readonly traceId: string;
  readonly clientContext: string | undefined;
  readonly cognitoIdentity: string | undefined;
  readonly body: Buffer;
}

/** An error as a runtime reports it through /error or /init/error. */
export interface ReportedError {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
}

/** What the runtime did, for the worker that owns this listener. */
export interface RuntimeApiEvents {
  /** The runtime asked for an invocation: the first call ends its init phase. */
  next(): void;
  response(requestId: string, body: Buffer): void;
  error(requestId: string, error: ReportedError): void;
  initError(error: ReportedError): void;
  /** A response over the limit was refused with 413: the invocation failed. */
  tooLarge(requestId: string, bytes: number): void;
  /** The runtime called /next again without answering the invocation it had. */
  abandoned(requestId: string): void;
}

export interface RuntimeApiOptions {
  maxResponseBytes: number;
  /** When set, only sockets owned by this uid may talk to the listener. */
  uid: number | undefined;
  /**
   * Listen on this Unix socket instead of loopback TCP: for a worker in its own network
   * namespace, reached through the relay there (netns-bridge.pl). The socket file belongs
   * to the worker's uid, mode 0600: no other uid can connect.
   */
  socketPath?: string;
  events: RuntimeApiEvents;
}

/** The Runtime API listener of one worker. */
export class RuntimeApi {
  readonly #server: Server;
  readonly #options: RuntimeApiOptions;
  #port = 0;
  /** Dispatched and not yet handed to the runtime. */
  #pending: ApiInvocation | undefined;
  /** Handed to the runtime and not yet answered. */
  #current: ApiInvocation | undefined;
  #waiter: ServerResponse | undefined;
  #answered: string[] = [];
  #initDone = false;
  #closed = false;

  private constructor(options: RuntimeApiOptions) {
    this.#options = options;
    this.#server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 10_000 }, (req, res) => this.#route(req, res));
    this.#server.on('connection', (socket: Socket) => {
      if (options.socketPath === undefined && options.uid !== undefined && socketUid(socket.remotePort ?? 0, this.#port) !== options.uid) socket.destroy();
    });
    this.#server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Start listening on 127.0.0.1 with an ephemeral port. */
  static async listen(options: RuntimeApiOptions): Promise<RuntimeApi> {
    const api = new RuntimeApi(options);
    await new Promise<void>((resolve, reject) => {
      api.#server.once('error', reject);
      if (options.socketPath !== undefined) api.#server.listen(options.socketPath, () => resolve());
      else api.#server.listen(0, '127.0.0.1', () => resolve());
    });
    // Past listen, an error (EMFILE on accept) must not become an uncaught one in the gateway.
    api.#server.on('error', () => {});
    if (options.socketPath !== undefined) {
      chmodSync(options.socketPath, 0o600);
      if (options.uid !== undefined) chownSync(options.socketPath, options.uid, 0);
      api.#port = NAMESPACE_PORT;
    } else {
      api.#port = (api.#server.address() as AddressInfo).port;
    }
    return api;
  }

  /** `127.0.0.1:PORT`, the value of AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** The runtime is waiting in /next (it finished init and its last invocation). */
  get waiting(): boolean {
    return this.#waiter !== undefined;
  }

  /** Hand an invocation to the runtime: now if it is waiting in /next, else on its next call. */
  dispatch(invocation: ApiInvocation): void {
    this.#pending = invocation;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#deliver(waiter);
    }
  }

  /** Forget the invocation in progress (it timed out or broke a limit): later answers get 403. */
  abandon(requestId: string): void {
    if (this.#pending?.requestId === requestId) this.#pending = undefined;
    if (this.#current?.requestId === requestId) this.#finish(requestId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server.close();
    this.#server.closeAllConnections();
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : undefined;
    if (path === 'invocation/next' && req.method === 'GET') return this.#next(req, res);
    if (path === 'init/error' && req.method === 'POST') return this.#initError(req, res);
    const match = path === undefined ? null : /^invocation\/([^/?#]+)\/(response|error)$/.exec(path);
    if (match && req.method === 'POST') {
      const id = decodeURIComponent(match[1]!);
      return match[2] === 'response' ? this.#response(id, req, res) : this.#error(id, req, res);
    }
    req.resume();
    reply(res, 404, 'NotFound', `no route ${req.method} ${url.slice(0, 200)}`);
  }

  #next(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    if (this.#waiter) return reply(res, 403, 'InvalidStateTransition', 'another /next call is already waiting');
    this.#initDone = true;
    // Asking for the next event without answering the current one abandons it.
    const current = this.#current;
    if (current) {
      this.#finish(current.requestId);
      this.#options.events.abandoned(current.requestId);
    }
    this.#options.events.next();
    if (this.#pending) return this.#deliver(res);
    this.#waiter = res;
    res.on('close', () => {
      if (this.#waiter === res) this.#waiter = undefined;
    });
  }

  #deliver(res: ServerResponse): void {
    const inv = this.#pending!;
    this.#pending = undefined;
    this.#current = inv;
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': inv.body.byteLength,
      'lambda-runtime-aws-request-id': inv.requestId,
      'lambda-runtime-deadline-ms': String(inv.deadlineMs),
      'lambda-runtime-invoked-function-arn': inv.functionArn,
      'lambda-runtime-trace-id': inv.traceId,
    };
    // As in AWS, these two are sent only when the invocation carries them.
    if (inv.clientContext !== undefined) headers['lambda-runtime-client-context'] = inv.clientContext;
    if (inv.cognitoIdentity !== undefined) headers['lambda-runtime-cognito-identity'] = inv.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.body);
  }

  /** 400 for an id that was never the runtime's, 403 for one already answered. */
  #checkId(requestId: string, req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#current?.requestId === requestId) return true;
    req.resume();
    if (this.#answered.includes(requestId)) reply(res, 403, 'InvalidStateTransition', `invocation ${requestId} was already answered`);
    else reply(res, 400, 'InvalidRequestID', `${requestId.slice(0, 100)} is not the invocation in progress`);
    return false;
  }

  #response(requestId: string, req: IncomingMessage, res: ServerResponse): void {
    if (!this.#checkId(requestId, req, res)) return;
    const max = this.#options.maxResponseBytes;
    readBody(req, max, (body, bytes) => {
      if (this.#current?.requestId !== requestId) return reply(res, 403, 'InvalidStateTransition', `invocation ${requestId} was already answered`);
      this.#finish(requestId);
      if (body === undefined) {
        this.#options.events.tooLarge(requestId, bytes);
        // The rest of an oversized body is not read: the connection goes.
        res.setHeader('connection', 'close');
        reply(res, 413, 'RequestEntityTooLarge', `the response is over the ${max}-byte limit`);
        res.on('finish', () => req.socket.destroy());
        return;
      }
      reply(res, 202, undefined, undefined);
      this.#options.events.response(requestId, body);
    });
  }

  #error(requestId: string, req: IncomingMessage, res: ServerResponse): void {
    if (!this.#checkId(requestId, req, res)) return;
    readBody(req, MAX_ERROR_BYTES, (body) => {
      if (this.#current?.requestId !== requestId) return reply(res, 403, 'InvalidStateTransition', `invocation ${requestId} was already answered`);
      this.#finish(requestId);
      reply(res, 202, undefined, undefined);
      this.#options.events.error(requestId, parseError(body, req.headers['lambda-runtime-function-error-type']));
    });
  }

  #initError(req: IncomingMessage, res: ServerResponse): void {
    if (this.#initDone) {
      req.resume();
      return reply(res, 403, 'InvalidStateTransition', 'init/error after the runtime finished its init');
    }
    readBody(req, MAX_ERROR_BYTES, (body) => {
      this.#initDone = true;
      reply(res, 202, undefined, undefined);
      this.#options.events.initError(parseError(body, req.headers['lambda-runtime-function-error-type']));
    });
  }

  #finish(requestId: string): void {
    if (this.#current?.requestId === requestId) this.#current = undefined;
    this.#answered.push(requestId);
    if (this.#answered.length > REMEMBERED_IDS) this.#answered.shift();
  }
}

/** AWS answers with a JSON body `{errorMessage, errorType}` on failures and `{status: "OK"}` on 202. */
function reply(res: ServerResponse, status: number, errorType: string | undefined, errorMessage: string | undefined): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(errorType === undefined ? { status: 'OK' } : { errorMessage, errorType });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The body, or undefined (with the bytes seen) once it is over `max`. */
function readBody(req: IncomingMessage, max: number, done: (body: Buffer | undefined, bytes: number) => void): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return done(undefined, declared);
  const chunks: Buffer[] = [];
  let bytes = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    bytes += chunk.byteLength;
    if (bytes > max) {
      over = true;
      req.pause();
      done(undefined, bytes);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (!over) done(Buffer.concat(chunks, bytes), bytes);
  });
  req.on('error', () => {});
}

/**
 * AWS's error format; a body that is not one is still accepted (AWS builds the error from
 * the Lambda-Runtime-Function-Error-Type header when the payload is missing or unusable).
 */
function parseError(body: Buffer | undefined, typeHeader: string | string[] | undefined): ReportedError {
  const headerType = typeof typeHeader === 'string' && typeHeader !== '' ? typeHeader.slice(0, 200) : undefined;
  let parsed: unknown;
  try {
    parsed = body && body.byteLength > 0 ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const stack = Array.isArray(fields.stackTrace) ? fields.stackTrace.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))) : [];
  return {
    errorMessage: text(fields.errorMessage) ?? (parsed === undefined && body ? body.toString('utf8', 0, Math.min(body.byteLength, 4096)) : ''),
    errorType: text(fields.errorType) ?? headerType ?? 'Runtime.Unknown',
    stackTrace: stack.slice(0, 200),
  };
}

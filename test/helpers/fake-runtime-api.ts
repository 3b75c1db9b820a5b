/**
 * A minimal AWS Lambda Runtime API for testing runtimes on their own: the four calls a
 * runtime makes (`/invocation/next` as a long poll, `/response`, `/error`, `/init/error`),
 * invocations handed out one at a time in the order `invoke` was called, and every
 * request recorded. Not Atoll's Runtime API server (src/workers/): no limits, no ids
 * checked beyond "is this invocation outstanding".
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const PREFIX = '/2018-06-01/runtime';

/** Atoll's python3 runtime, as a worker starts it. */
export const PYTHON_BOOTSTRAP = resolve(import.meta.dirname, '../../sandbox/python3/bootstrap.py');

/** What a runtime posted for one invocation. */
export interface Outcome {
  kind: 'response' | 'error';
  requestId: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request the runtime made, in arrival order. */
export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request's headers arrived. */
  at: number;
}

export interface InvokeOptions {
  requestId?: string;
  /** Deadline as milliseconds from now (Lambda-Runtime-Deadline-Ms). */
  timeoutMs?: number;
  /** Extra Lambda-Runtime-* headers (client context, identity, trace id). */
  headers?: Record<string, string>;
  /** The event body as sent, instead of JSON.stringify(event). */
  rawBody?: string;
}

export interface FakeRuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  calls: RecordedCall[];
  /** Queues an invocation; resolves with what the runtime posts for it. */
  invoke(event: unknown, options?: InvokeOptions): Promise<Outcome>;
  /** Resolves with the body and headers of the first POST /init/error. */
  initError: Promise<RecordedCall>;
  /** Resolves when a GET /invocation/next arrives while nothing is queued (the runtime is idle). */
  nextWaiting(): Promise<void>;
  /** Closes the server and every connection to it. */
  close(): Promise<void>;
}

let counter = 0;

export interface FakeRuntimeApiOptions {
  functionArn?: string;
  /** Close a connection idle this long after a response (Node's keepAliveTimeout); default never. */
  keepAliveTimeoutMs?: number;
}

/** Starts a fake Runtime API on 127.0.0.1 on a random port. */
export async function startFakeRuntimeApi(options: FakeRuntimeApiOptions = {}): Promise<FakeRuntimeApi> {
  const functionArn = options.functionArn ?? 'arn:aws:lambda:local:000000000000:function:test';
  const calls: RecordedCall[] = [];
  const queue: { id: string; body: string; headers: Record<string, string> }[] = [];
  const outstanding = new Map<string, (o: Outcome) => void>();
  const polls: ServerResponse[] = [];
  const idleWaiters: (() => void)[] = [];
  let reportInitError!: (c: RecordedCall) => void;
  const initError = new Promise<RecordedCall>((r) => (reportInitError = r));

  // Events go out with a Content-Length (as AWS sends them), other replies chunked (Node's
  // default): a runtime's client meets both.
  const dispatch = (res: ServerResponse, item: (typeof queue)[number]) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(item.body), ...item.headers });
    res.end(item.body);
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '').startsWith(PREFIX) ? req.url!.slice(PREFIX.length) : (req.url ?? '');
    const call: RecordedCall = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at };
    calls.push(call);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

    if (req.method === 'GET' && path === '/invocation/next') {
      const item = queue.shift();
      if (item) return dispatch(res, item);
      polls.push(res);
      // A runtime killed mid-poll must not be handed the next invocation.
      res.on('close', () => {
        const at = polls.indexOf(res);
        if (at >= 0) polls.splice(at, 1);
      });
      for (const wake of idleWaiters.splice(0)) wake();
      return;
    }
    if (req.method === 'POST' && path === '/init/error') {
      reportInitError(call);
      return reply(202, { status: 'OK' });
    }
    const match = /^\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === 'POST' && match) {
      const done = outstanding.get(match[1]!);
      if (!done) return reply(400, { errorType: 'InvalidRequestID', errorMessage: 'not an outstanding invocation' });
      outstanding.delete(match[1]!);
      done({ kind: match[2] as Outcome['kind'], requestId: match[1]!, headers: req.headers, body: call.body });
      return reply(202, { status: 'OK' });
    }
    reply(404, { errorType: 'NotFound', errorMessage: `${req.method} ${path}` });
  });
  // A long poll and a long-running handler both leave the connection quiet for a while.
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 0;
  // Node adds a second to keepAliveTimeout by default; a test of the timeout wants it exact.
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeoutBuffer = 0;
  server.requestTimeout = 0;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    calls,
    initError,
    invoke(event, options = {}) {
      const id = options.requestId ?? `req-${process.pid}-${++counter}`;
      const headers: Record<string, string> = {
        'lambda-runtime-aws-request-id': id,
        'lambda-runtime-deadline-ms': String(Date.now() + (options.timeoutMs ?? 30_000)),
        'lambda-runtime-invoked-function-arn': functionArn,
        ...options.headers,
      };
      const result = new Promise<Outcome>((r) => outstanding.set(id, r));
      const item = { id, body: options.rawBody ?? JSON.stringify(event), headers };
      const poll = polls.shift();
      if (poll) dispatch(poll, item);
      else queue.push(item);
      return result;
    },
    nextWaiting() {
      if (polls.length > 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let python: string | undefined;

/**
 * The interpreter itself, not a launcher in front of it (pyenv's `python3` shim is a
 * shell script that costs ~150 ms a start). ATOLL_TEST_PYTHON picks another one.
 */
export function pythonExecutable(): string {
  python ??= process.env.ATOLL_TEST_PYTHON || execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  return python;
}

/** A running bootstrap process and what it printed. */
export interface RuntimeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** The Lambda environment a worker gives its process, for function `name`. */
export function lambdaEnv(api: FakeRuntimeApi, taskRoot: string, handler: string | undefined, name = 'test'): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: api.address,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '3',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: `/atoll/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'worker-1',
    AWS_REGION: 'local',
  };
  if (handler !== undefined) env._HANDLER = handler;
  return env;
}

/** Starts `python bootstrap.py` with `env`; extra interpreter flags before the script. */
export function spawnBootstrap(env: Record<string, string>, flags: string[] = []): RuntimeProcess {
  const child = spawn(pythonExecutable(), [...flags, PYTHON_BOOTSTRAP], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((r) => child.on('close', (code, signal) => r(code ?? signal ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

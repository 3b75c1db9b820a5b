/**
 * Atoll's python3 runtime (sandbox/python3/bootstrap.py) as a real python3 process against
 * a fake Runtime API: what it posts, what the handler sees, and how it fails.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PYTHON_BOOTSTRAP,
  lambdaEnv,
  pythonExecutable,
  spawnBootstrap,
  startFakeRuntimeApi,
  type FakeRuntimeApi,
  type FakeRuntimeApiOptions,
  type RuntimeProcess,
} from '../helpers/fake-runtime-api.ts';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  api: FakeRuntimeApi;
  proc: RuntimeProcess;
  taskRoot: string;
}

/** A task root with `files`, a fake Runtime API and the bootstrap running against it; `handler` null leaves _HANDLER unset. */
async function start(
  files: Record<string, string>,
  handler: string | null = 'app.handler',
  extraEnv: Record<string, string> = {},
  apiOptions: FakeRuntimeApiOptions = {},
): Promise<Started> {
  const taskRoot = mkdtempSync(join(tmpdir(), 'atoll-py-'));
  cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(taskRoot, path)), { recursive: true });
    writeFileSync(join(taskRoot, path), source);
  }
  const api = await startFakeRuntimeApi(apiOptions);
  cleanups.push(() => api.close());
  const proc = spawnBootstrap({ ...lambdaEnv(api, taskRoot, handler ?? undefined), ...extraEnv });
  cleanups.push(() => {
    proc.child.kill('SIGKILL');
  });
  // A runtime that dies fails the invocation at once, with its stderr, not at the test timeout.
  const invoke = api.invoke.bind(api);
  const died = proc.exited.then((code) => {
    throw new Error(`bootstrap exited (${code}): ${proc.stderr()}`);
  });
  died.catch(() => {});
  api.invoke = (event, options) => Promise.race([invoke(event, options), died]);
  return { api, proc, taskRoot };
}

const json = (body: string): any => JSON.parse(body);

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('python3 bootstrap: invocations', () => {
  it("posts the handler's result to /response", async () => {
    const { api } = await start({ 'app.py': 'def handler(event, context):\n    return {"ok": True, "got": event}\n' });
    const outcome = await api.invoke({ a: [1, 2, 'three'], b: null });
    expect(outcome.kind).toBe('response');
    expect(json(outcome.body)).toEqual({ ok: true, got: { a: [1, 2, 'three'], b: null } });
    const call = api.calls.find((c) => c.path.endsWith('/response'))!;
    expect(call.headers['content-type']).toBe('application/json');
  });

  it('hands the event and a Lambda context to the handler', async () => {
    const { api } = await start({
      'app.py': `import time

def handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(0.03)
    second = context.get_remaining_time_in_millis()
    cc = context.client_context
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "functionVersion": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "logGroup": context.log_group_name,
        "logStream": context.log_stream_name,
        "remaining": [first, second],
        "clientCustom": cc.custom if cc else None,
        "clientApp": cc.client.app_title if cc and cc.client else None,
        "identityId": context.identity.cognito_identity_id,
        "identityPool": context.identity.cognito_identity_pool_id,
    }
`,
    });
    const outcome = await api.invoke(
      { hello: 'world' },
      {
        requestId: 'req-context-1',
        timeoutMs: 5000,
        headers: {
          'lambda-runtime-client-context': JSON.stringify({ custom: { k: 'v' }, env: {}, client: { app_title: 'app' } }),
          'lambda-runtime-cognito-identity': JSON.stringify({ cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' }),
        },
      },
    );
    expect(outcome.kind).toBe('response');
    const seen = json(outcome.body);
    expect(seen).toMatchObject({
      event: { hello: 'world' },
      requestId: 'req-context-1',
      functionName: 'test',
      functionVersion: '3',
      memory: '128',
      arn: 'arn:aws:lambda:local:000000000000:function:test',
      logGroup: '/atoll/test',
      logStream: 'worker-1',
      clientCustom: { k: 'v' },
      clientApp: 'app',
      identityId: 'id-1',
      identityPool: 'pool-1',
    });
    const [first, second] = seen.remaining as [number, number];
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(5000);
    expect(second).toBeLessThan(first);
  });

  it('imports several files and a package relative to the task root', async () => {
    const { api } = await start(
      {
        'pkg/__init__.py': 'PREFIX = "pkg"\n',
        'pkg/util.py': 'from . import PREFIX\n\ndef tag(x):\n    return PREFIX + ":" + x\n',
        'pkg/handlers.py': 'import helper\nfrom pkg.util import tag\n\ndef main(event, context):\n    return {"tag": tag(helper.shout(event["word"]))}\n',
        'helper.py': 'def shout(x):\n    return x.upper()\n',
        // A module named like the runtime's own file is the function's.
        'bootstrap.py': 'NAME = "the function\'s bootstrap"\n',
      },
      'pkg/handlers.main',
    );
    const outcome = await api.invoke({ word: 'hi' });
    expect(json(outcome.body)).toEqual({ tag: 'pkg:HI' });
  });

  it("finds a module named by a dotted path and the module's own file via __file__", async () => {
    const { api, taskRoot } = await start(
      {
        'lib/__init__.py': '',
        'lib/fn.py': 'import os\n\ndef go(event, context):\n    return {"file": __file__, "cwd": os.getcwd()}\n',
      },
      'lib.fn.go',
    );
    const seen = json((await api.invoke({})).body);
    expect(seen.file).toBe(join(taskRoot, 'lib/fn.py'));
    expect(seen.cwd).toBe(taskRoot);
  });

  it('uses lambda_function.lambda_handler when _HANDLER is not set', async () => {
    const { api } = await start({ 'lambda_function.py': 'def lambda_handler(event, context):\n    return "default"\n' }, null);
    expect(json((await api.invoke({})).body)).toBe('default');
  });

  it('keeps module globals between warm invocations, in one process', async () => {
    const { api } = await start({
      'app.py': 'import os\ncount = 0\n\ndef handler(event, context):\n    global count\n    count += 1\n    return {"count": count, "pid": os.getpid()}\n',
    });
    const a = json((await api.invoke({})).body);
    const b = json((await api.invoke({})).body);
    const c = json((await api.invoke({})).body);
    expect([a.count, b.count, c.count]).toEqual([1, 2, 3]);
    expect(new Set([a.pid, b.pid, c.pid]).size).toBe(1);
  });

  it('serves invocations queued before the runtime asked for them, in order', async () => {
    const { api } = await start({ 'app.py': 'def handler(event, context):\n    return event["n"] * 2\n' });
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => api.invoke({ n })));
    expect(outcomes.map((o) => json(o.body))).toEqual([2, 4, 6, 8, 10]);
  });

  it('sends a large event and result over the kept connection', async () => {
    const { api } = await start({ 'app.py': 'def handler(event, context):\n    return {"len": len(event["s"]), "s": event["s"]}\n' });
    const s = 'x'.repeat(3 * 1024 * 1024);
    const seen = json((await api.invoke({ s })).body);
    expect(seen.len).toBe(s.length);
    expect(seen.s).toBe(s);
  });

  it("passes print output to the process's stdout, a line at a time, in UTF-8", async () => {
    const { api, proc } = await start(
      {
        'app.py': 'import sys\n\ndef handler(event, context):\n    print("hello from", context.aws_request_id, "\\u2713")\n    sys.stderr.write("to stderr\\n")\n    print("no newline", end="")\n    return 1\n',
      },
      'app.handler',
      { PYTHONIOENCODING: 'ascii' },
    );
    await api.invoke({}, { requestId: 'req-print' });
    await until(() => proc.stdout().includes('no newline'));
    expect(proc.stdout()).toContain('hello from req-print \u2713\n');
    await until(() => proc.stderr().includes('to stderr\n'));
  });

  it('writes logging records with the level and request id once the function imports logging', async () => {
    const { api, proc } = await start({
      'app.py': 'import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\n\ndef handler(event, context):\n    logger.info("from logging")\n    return 1\n',
    });
    await api.invoke({}, { requestId: 'req-logging' });
    await until(() => proc.stdout().includes('from logging'));
    expect(proc.stdout()).toMatch(/^\[INFO\]\t\S+Z\treq-logging\tfrom logging$/m);
  });

  it('sets _X_AMZN_TRACE_ID from the trace header for the invocation', async () => {
    const { api } = await start({ 'app.py': 'import os\n\ndef handler(event, context):\n    return os.environ.get("_X_AMZN_TRACE_ID")\n' });
    expect(json((await api.invoke({}, { headers: { 'lambda-runtime-trace-id': 'Root=1-abc' } })).body)).toBe('Root=1-abc');
    expect(json((await api.invoke({})).body)).toBe(null);
  });
});

describe('python3 bootstrap: errors', () => {
  it("reports an exception to /error with its type, message and the user's frames", async () => {
    const { api, proc } = await start({
      'app.py': 'import helper\n\ndef handler(event, context):\n    return helper.fail(event["why"])\n',
      'helper.py': 'def fail(why):\n    raise ValueError("boom: " + why)\n',
    });
    const outcome = await api.invoke({ why: 'because' }, { requestId: 'req-error' });
    expect(outcome.kind).toBe('error');
    expect(outcome.headers['lambda-runtime-function-error-type']).toBe('ValueError');
    const report = json(outcome.body);
    expect(report.errorType).toBe('ValueError');
    expect(report.errorMessage).toBe('boom: because');
    expect(report.requestId).toBe('req-error');
    expect(Array.isArray(report.stackTrace)).toBe(true);
    expect(report.stackTrace).toHaveLength(2);
    expect(report.stackTrace[0]).toMatch(/app\.py", line 4, in handler/);
    expect(report.stackTrace[1]).toMatch(/helper\.py", line 2, in fail/);
    expect(report.stackTrace.join('')).not.toContain('bootstrap.py');
    // The traceback also reaches the logs.
    await until(() => proc.stderr().includes('helper.py", line 2'));
    expect(proc.stderr()).toContain('[ERROR] ValueError: boom: because');
    // And the process keeps serving.
    expect((await api.invoke({ why: 'again' })).kind).toBe('error');
  });

  it('reports a result that is not JSON-serialisable as Runtime.MarshalError, then keeps serving', async () => {
    const { api } = await start({
      'app.py': 'def handler(event, context):\n    if event.get("bad") == "set":\n        return {1, 2}\n    if event.get("bad") == "nan":\n        return float("nan")\n    return "fine"\n',
    });
    for (const bad of ['set', 'nan']) {
      const outcome = await api.invoke({ bad });
      expect(outcome.kind).toBe('error');
      expect(json(outcome.body).errorType).toBe('Runtime.MarshalError');
      expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Runtime.MarshalError');
    }
    expect(json((await api.invoke({})).body)).toBe('fine');
  });

  it('decodes events and encodes results as the json module does', async () => {
    const { api } = await start({
      'app.py': `import json

def handler(event, context):
    if event == "circular":
        loop = []
        loop.append(loop)
        return loop
    # The same document through the json module, for comparison.
    return {"seen": event, "again": json.loads(json.dumps(event)), "types": [type(v).__name__ for v in event["values"]]}
`,
    });
    const raw = ' {"values": [12345678901234567890123, -0.5, 1e-7, "h\\u00e9 \\ud83d\\ude00", true, null, {"k": []}], "t": "\u2713"} \n';
    const seen = JSON.parse((await api.invoke(null, { rawBody: raw })).body);
    expect(seen.seen).toEqual(seen.again);
    expect(seen.types).toEqual(['int', 'float', 'float', 'str', 'bool', 'NoneType', 'dict']);
    expect(seen.seen.t).toBe('\u2713');
    expect(seen.seen.values[3]).toBe('h\u00e9 \u{1F600}');
    const circular = await api.invoke('circular');
    expect(JSON.parse(circular.body).errorType).toBe('Runtime.MarshalError');
    for (const extra of ['{"a": 1} x', '', '[1,']) {
      expect(JSON.parse((await api.invoke(null, { rawBody: extra })).body).errorType).toBe('Runtime.UnmarshalError');
    }
    expect((await api.invoke({ values: [1] })).kind).toBe('response');
  });

  it('works on the json module where the interpreter has no _json', async () => {
    const taskRoot = mkdtempSync(join(tmpdir(), 'atoll-py-'));
    cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));
    writeFileSync(join(taskRoot, 'app.py'), 'def handler(event, context):\n    return {1} if event == "set" else {"got": event}\n');
    const api = await startFakeRuntimeApi();
    cleanups.push(() => api.close());
    const withoutCJson = "import runpy, sys; sys.modules['_json'] = None; runpy.run_path(sys.argv[1], run_name='__main__')";
    const proc = spawnBootstrap(lambdaEnv(api, taskRoot, 'app.handler'), ['-c', withoutCJson]);
    cleanups.push(() => void proc.child.kill('SIGKILL'));
    expect(JSON.parse((await api.invoke({ a: '\u00e9' })).body)).toEqual({ got: { a: '\u00e9' } });
    expect(JSON.parse((await api.invoke('set')).body).errorType).toBe('Runtime.MarshalError');
    expect(JSON.parse((await api.invoke(null, { rawBody: '{x' })).body).errorType).toBe('Runtime.UnmarshalError');
  });

  it('writes a Decimal result as a number, as AWS does', async () => {
    const { api } = await start({ 'app.py': 'from decimal import Decimal\n\ndef handler(event, context):\n    return {"i": Decimal("12"), "f": Decimal("1.5")}\n' });
    expect(json((await api.invoke({})).body)).toEqual({ i: 12, f: 1.5 });
  });

  it('reports an event that is not JSON as Runtime.UnmarshalError', async () => {
    const { api } = await start({ 'app.py': 'def handler(event, context):\n    return "called"\n' });
    const outcome = await api.invoke(null, { rawBody: '{not json' });
    expect(outcome.kind).toBe('error');
    expect(json(outcome.body).errorType).toBe('Runtime.UnmarshalError');
  });

  it('reports sys.exit and BaseException subclasses as errors and keeps serving', async () => {
    const { api, proc } = await start({
      'app.py': `import sys

class Escape(BaseException):
    pass

def handler(event, context):
    if event == "exit":
        sys.exit(3)
    if event == "interrupt":
        raise KeyboardInterrupt()
    if event == "base":
        raise Escape("out")
    return "alive"
`,
    });
    const exit = await api.invoke('exit');
    expect(exit.kind).toBe('error');
    expect(json(exit.body).errorType).toBe('SystemExit');
    expect((await api.invoke('interrupt')).kind).toBe('error');
    expect(json((await api.invoke('base')).body).errorType).toBe('Escape');
    expect(json((await api.invoke('ok')).body)).toBe('alive');
    expect(proc.child.exitCode).toBe(null);
  });
});

describe('python3 bootstrap: init errors', () => {
  async function initFailure(files: Record<string, string>, handler: string) {
    const { api, proc } = await start(files, handler);
    const call = await api.initError;
    const code = await proc.exited;
    return { report: json(call.body), headers: call.headers, code, api, proc };
  }

  it('an import error is Runtime.ImportModuleError on /init/error, and the process exits non-zero', async () => {
    const { report, headers, code, api } = await initFailure({ 'app.py': 'import no_such_module_here\n\ndef handler(e, c):\n    return 1\n' }, 'app.handler');
    expect(report.errorType).toBe('Runtime.ImportModuleError');
    expect(headers['lambda-runtime-function-error-type']).toBe('Runtime.ImportModuleError');
    expect(Array.isArray(report.stackTrace)).toBe(true);
    expect(code).not.toBe(0);
    expect(api.calls.some((c) => c.path === '/invocation/next')).toBe(false);
  });

  it('a missing module is Runtime.ImportModuleError', async () => {
    const { report, code } = await initFailure({ 'app.py': '' }, 'nothere.handler');
    expect(report.errorType).toBe('Runtime.ImportModuleError');
    expect(code).not.toBe(0);
  });

  it('a missing handler function is Runtime.HandlerNotFound, and the process exits non-zero', async () => {
    const { report, headers, code } = await initFailure({ 'app.py': 'def other(e, c):\n    return 1\n' }, 'app.handler');
    expect(report.errorType).toBe('Runtime.HandlerNotFound');
    expect(headers['lambda-runtime-function-error-type']).toBe('Runtime.HandlerNotFound');
    expect(code).not.toBe(0);
  });

  it('a handler that is not callable is Runtime.HandlerNotFound', async () => {
    const { report } = await initFailure({ 'app.py': 'handler = 42\n' }, 'app.handler');
    expect(report.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('a handler name without a function is Runtime.MalformedHandlerName', async () => {
    const { report } = await initFailure({ 'app.py': '' }, 'app');
    expect(report.errorType).toBe('Runtime.MalformedHandlerName');
  });

  it('a syntax error is Runtime.UserCodeSyntaxError naming the file and line', async () => {
    const { report, code } = await initFailure({ 'app.py': 'def handler(e, c):\n    return (\n\nx = = 1\n' }, 'app.handler');
    expect(report.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(report.stackTrace.join('')).toContain('app.py');
    expect(code).not.toBe(0);
  });

  it("an exception at the module's top level is reported with its class and the user's frames", async () => {
    const { report, code } = await initFailure({ 'app.py': 'import json\n\nCONFIG = json.loads("{}")["missing"]\n' }, 'app.handler');
    expect(report.errorType).toBe('KeyError');
    expect(report.stackTrace[0]).toMatch(/app\.py", line 3, in <module>/);
    expect(report.stackTrace.join('')).not.toMatch(/bootstrap\.py|importlib/);
    expect(code).not.toBe(0);
  });

  it('sys.exit at import is reported, not a silent exit', async () => {
    const { report, code } = await initFailure({ 'app.py': 'import sys\nsys.exit(0)\n' }, 'app.handler');
    expect(report.errorType).toBe('SystemExit');
    expect(code).not.toBe(0);
  });
});

describe('python3 bootstrap: the Runtime API connection', () => {
  it('exits non-zero when the Runtime API goes away', async () => {
    const { api, proc } = await start({ 'app.py': 'def handler(event, context):\n    return 1\n' });
    expect((await api.invoke({})).kind).toBe('response');
    await api.nextWaiting();
    await api.close();
    expect(await proc.exited).not.toBe(0);
  });

  it('sends the response again on a new connection when the server closed the idle one while the handler ran', async () => {
    const { api, proc } = await start(
      { 'app.py': 'import time\n\ndef handler(event, context):\n    time.sleep(event)\n    return "done"\n' },
      'app.handler',
      {},
      { keepAliveTimeoutMs: 50 },
    );
    expect(json((await api.invoke(0.3)).body)).toBe('done');
    expect(json((await api.invoke(0.3)).body)).toBe('done');
    expect(json((await api.invoke(0)).body)).toBe('done');
    expect(proc.child.exitCode).toBe(null);
  });

  it('reads responses however the server frames and splits them', async () => {
    // A raw server: a Content-Length event written a byte at a time, a chunked event with
    // chunk extensions and a trailer, replies delimited by closing the connection.
    const events = [
      (id: string, body: string) => `HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: ${id}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      (id: string, body: string) =>
        `HTTP/1.1 200 OK\r\nlambda-runtime-aws-request-id:${id}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `3;ext=1\r\n${body.slice(0, 3)}\r\n${Buffer.byteLength(body.slice(3)).toString(16)}\r\n${body.slice(3)}\r\n0\r\nX-Trailer: 1\r\n\r\n`,
    ];
    const posted: string[] = [];
    let served = 0;
    const server = createNetServer((socket) => {
      socket.setNoDelay(true);
      let pending = Buffer.alloc(0);
      socket.on('data', async (data) => {
        pending = Buffer.concat([pending, data]);
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const body = pending.subarray(end + 4, end + 4 + length).toString();
        pending = pending.subarray(end + 4 + length);
        if (head.startsWith('GET /2018-06-01/runtime/invocation/next') && served < events.length) {
          const reply = Buffer.from(events[served]!(`raw-${served}`, JSON.stringify({ n: served, text: 'h\u00e9llo' })));
          served++;
          for (const byte of reply) {
            socket.write(Buffer.of(byte));
            await new Promise((r) => setImmediate(r));
          }
        } else if (head.startsWith('POST ')) {
          posted.push(`${head.split(' ')[1]} ${body}`);
          socket.end('HTTP/1.1 202 Accepted\r\nConnection: close\r\n\r\n{"status":"OK"}');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const api = { address: `127.0.0.1:${(server.address() as AddressInfo).port}` } as FakeRuntimeApi;
    const taskRoot = mkdtempSync(join(tmpdir(), 'atoll-py-'));
    cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));
    writeFileSync(join(taskRoot, 'app.py'), 'def handler(event, context):\n    return [context.aws_request_id, event]\n');
    const proc = spawnBootstrap(lambdaEnv(api, taskRoot, 'app.handler'));
    cleanups.push(() => void proc.child.kill('SIGKILL'));
    await until(() => posted.length === 2);
    expect(posted).toEqual([
      '/2018-06-01/runtime/invocation/raw-0/response ["raw-0",{"n":0,"text":"h\\u00e9llo"}]',
      '/2018-06-01/runtime/invocation/raw-1/response ["raw-1",{"n":1,"text":"h\\u00e9llo"}]',
    ]);
  });

  it('exits non-zero when nothing listens at AWS_LAMBDA_RUNTIME_API', async () => {
    const { api, proc } = await start({ 'app.py': 'import time\ntime.sleep(0.2)\n\ndef handler(event, context):\n    return 1\n' });
    await api.close();
    expect(await proc.exited).not.toBe(0);
  });

  it('runs under -S and when started by a relative path from another directory', async () => {
    const taskRoot = mkdtempSync(join(tmpdir(), 'atoll-py-'));
    cleanups.push(() => rmSync(taskRoot, { recursive: true, force: true }));
    writeFileSync(join(taskRoot, 'app.py'), 'def handler(event, context):\n    if event:\n        raise RuntimeError("x")\n    return "ok"\n');
    const api = await startFakeRuntimeApi();
    cleanups.push(() => api.close());
    const repo = resolve(dirname(PYTHON_BOOTSTRAP), '../..');
    const child = spawn(pythonExecutable(), ['-S', relative(repo, PYTHON_BOOTSTRAP)], { cwd: repo, env: lambdaEnv(api, taskRoot, 'app.handler'), stdio: 'ignore' });
    cleanups.push(() => void child.kill('SIGKILL'));
    expect(JSON.parse((await api.invoke(false)).body)).toBe('ok');
    const report = JSON.parse((await api.invoke(true)).body);
    expect(report.errorType).toBe('RuntimeError');
    expect(report.stackTrace).toHaveLength(1);
    expect(report.stackTrace[0]).toMatch(/app\.py", line 3, in handler/);
  });

  it('is written in Python 3.8 syntax', () => {
    const check = 'import ast, sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 8))';
    expect(() => execFileSync(pythonExecutable(), ['-c', check, PYTHON_BOOTSTRAP], { stdio: 'pipe' })).not.toThrow();
  });
});

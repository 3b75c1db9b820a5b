/**
 * The python3 runtime as the server wires it: handler `file.function` (default
 * lambda_function.lambda_handler), several files and packages imported from the function's
 * root, HTTP and direct invokes, function and init errors, the memory limit, all through
 * Atoll's own runtime (sandbox/python3/bootstrap.py) as users get it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startTestServer, type TestServer } from '../helpers/server.ts';
import { FIXTURES } from '../helpers/workers.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

const APP = `
import os
from lib.greet import greeting
from helpers import shout

calls = 0

def handler(event, context):
    global calls
    calls += 1
    print("python handling", context.aws_request_id)
    if event.get("rawPath") is not None:
        return {"statusCode": 201, "headers": {"x-calls": str(calls)}, "body": shout(greeting(event["rawPath"]))}
    return {"echo": event, "calls": calls, "pid": os.getpid(), "name": context.function_name, "memory": context.memory_limit_in_mb,
            "env": os.environ.get("COLOR"), "token": os.environ.get("ATOLL_ADMIN_TOKEN")}
`;

async function deploy(name: string, body: Record<string, unknown>): Promise<void> {
  const res = await server.api('PUT', `/functions/${name}`, { limits: { cpuMs: 2000 }, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

describe('python3 runtime', () => {
  beforeAll(async () => {
    await deploy('py', {
      runtime: 'python3',
      handler: 'app.handler',
      env: { COLOR: 'teal' },
      files: { 'app.py': APP, 'helpers.py': 'def shout(s):\n    return s.upper()\n', 'lib/__init__.py': '', 'lib/greet.py': 'def greeting(path):\n    return "hello " + path\n' },
    });
  });

  it('HTTP: payload 2.0 event in, API Gateway mapping out, modules and packages imported from the root', async () => {
    const res = await server.fn('py/world');
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('HELLO /WORLD');
  });

  it('direct invoke: the event as it is, the context, the env; warm: module state and PID persist', async () => {
    const first = await server.api('POST', '/functions/py/invoke', { a: [1, 2] });
    const second = await server.api('POST', '/functions/py/invoke', { b: true });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ echo: { a: [1, 2] }, name: 'py', memory: '128', env: 'teal', token: null });
    expect(second.body.calls).toBe(first.body.calls + 1);
    expect(second.body.pid).toBe(first.body.pid);
  });

  it('print() lines are logged with the request id', async () => {
    const res = await server.fn('py/x');
    const requestId = res.headers.get('x-atoll-request-id');
    const { body } = await server.api('GET', '/functions/py/logs?limit=1000');
    expect(body.logs).toContainEqual(expect.objectContaining({ requestId, level: 'info', message: `python handling ${requestId}` }));
  });

  it('the default handler is lambda_function.lambda_handler', async () => {
    await deploy('py-default', { files: { 'lambda_function.py': 'def lambda_handler(event, context):\n    return {"ok": event}\n' } });
    expect((await server.api('GET', '/functions/py-default')).body.live).toMatchObject({ runtime: 'python3', handler: 'lambda_function.lambda_handler' });
    expect((await server.api('POST', '/functions/py-default/invoke', 7)).body).toEqual({ ok: 7 });
  });

  it('an exception in the handler: 500 FUNCTION_ERROR, the traceback in the logs, the worker kept', async () => {
    await deploy('py-raise', { files: { 'app.py': 'def handler(event, context):\n    raise ValueError("bad input " + str(event))\n' }, handler: 'app.handler' });
    const res = await server.fn('py-raise');
    expect(res.status).toBe(500);
    expect(((await res.json()) as any).error.code).toBe('FUNCTION_ERROR');
    const { body } = await server.api('GET', '/functions/py-raise/logs');
    const lines = body.logs.filter((l: any) => l.requestId === res.headers.get('x-atoll-request-id'));
    expect(lines.some((l: any) => l.level === 'error' && /ValueError: bad input/.test(l.message))).toBe(true);
    // The traceback names the user's own file.
    expect(lines.some((l: any) => l.message.includes('app.py'))).toBe(true);
    expect(body.invocations).toEqual([expect.objectContaining({ outcome: 'FUNCTION_ERROR' })]);
  });

  it('an import that fails at init: 500 FUNCTION_ERROR (as a JS module throwing at top level), in the logs', async () => {
    await deploy('py-init', { files: { 'app.py': 'import no_such_module\n\ndef handler(event, context):\n    return 1\n' }, handler: 'app.handler' });
    const res = await server.api('POST', '/functions/py-init/invoke', {});
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('FUNCTION_ERROR');
    const { body } = await server.api('GET', '/functions/py-init/logs');
    expect(body.logs.some((l: any) => /no_such_module/.test(l.message))).toBe(true);
  });

  it('MemoryError under the memory limit: 503 MEMORY_LIMIT_EXCEEDED, and the next invocation runs on a new worker', async () => {
    await deploy('py-mem', { files: { 'app.py': 'import os\n\ndef handler(event, context):\n    if event.get("grow"):\n        b = bytearray(1024 * 1024 * 1024)\n    return os.getpid()\n' }, handler: 'app.handler', limits: { memoryMb: 64, cpuMs: 2000 } });
    const before = (await server.api('POST', '/functions/py-mem/invoke', {})).body;
    const res = await server.api('POST', '/functions/py-mem/invoke', { grow: true });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('MEMORY_LIMIT_EXCEEDED');
    const after = (await server.api('POST', '/functions/py-mem/invoke', {})).body;
    expect(after).not.toBe(before);
  });
});

describe('python3 runtime from the CLI', () => {
  /** `atoll ...` as a subprocess (asynchronous: the server runs in this process). */
  function atoll(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [join(REPO_ROOT, 'bin/atoll.js'), ...args], { env: { ...process.env, ATOLL_URL: server.url, ATOLL_TOKEN: server.token } }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it('atoll deploy ./fn --runtime python3 --handler app.handler, then atoll invoke', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atoll-py-fn-'));
    try {
      mkdirSync(join(dir, 'pkg'));
      writeFileSync(join(dir, 'app.py'), 'from pkg.double import double\n\ndef handler(event, context):\n    return {"doubled": double(event["n"])}\n');
      writeFileSync(join(dir, 'pkg/__init__.py'), '');
      writeFileSync(join(dir, 'pkg/double.py'), 'def double(n):\n    return n * 2\n');
      const deployed = await atoll(['deploy', dir, '--name', 'py-cli', '--runtime', 'python3', '--handler', 'app.handler', '--cpu-ms', '2000']);
      expect(deployed.code, deployed.stderr).toBe(0);
      const invoked = await atoll(['invoke', 'py-cli', '--data', '{"n": 21}']);
      expect(invoked.code, invoked.stderr).toBe(0);
      expect(JSON.parse(invoked.stdout)).toEqual({ doubled: 42 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

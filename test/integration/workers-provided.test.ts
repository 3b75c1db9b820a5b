/**
 * The `provided` runtime end to end: a deploy's own `bootstrap` speaking the Lambda
 * Runtime API, deployed as JSON (no file modes), invoked over HTTP and directly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { curlBootstrap, fixture, settledWorkerProcesses } from '../helpers/workers.ts';

let server: TestServer;

/** The C runtime compiled here, as a user would build a bootstrap before deploying it. */
function compiledBootstrap(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'atoll-c-'));
  try {
    writeFileSync(join(dir, 'runtime.c'), fixture('c-runtime.c'));
    execFileSync('cc', ['-O1', '-o', join(dir, 'bootstrap'), join(dir, 'runtime.c')]);
    return readFileSync(join(dir, 'bootstrap'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  server = await startTestServer();
  const sh = await server.api('PUT', '/functions/sh', { files: { bootstrap: curlBootstrap() }, runtime: 'provided', handler: 'function.handler', env: { GREETING: 'hello' }, limits: { cpuMs: 1000 } });
  expect(sh.status, JSON.stringify(sh.body)).toBe(201);
  const perl = await server.api('PUT', '/functions/perl', { files: { bootstrap: fixture('perl-bootstrap.pl') }, limits: { cpuMs: 1000 } });
  expect(perl.status, JSON.stringify(perl.body)).toBe(201);
  // A compiled executable travels as {base64} in the JSON deploy, and runs as it is.
  const c = await server.api('PUT', '/functions/c', { runtime: 'provided', files: { bootstrap: { base64: compiledBootstrap().toString('base64') } }, limits: { memoryMb: 256, cpuMs: 1000 } });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
});

afterAll(async () => {
  await server?.close();
});

/** `key=value` pairs of the curl bootstrap's answer. */
function fields(text: string): Record<string, string> {
  return Object.fromEntries(text.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

describe('provided runtime: a shell bootstrap using curl in a loop', () => {
  it('deploy: stored as it came, without bundling; a bootstrap without a runtime is inferred as provided', async () => {
    const { body } = await server.api('GET', '/functions/sh');
    expect(body.live).toMatchObject({ runtime: 'provided', style: 'lambda', handler: 'function.handler', entry: 'bootstrap', sha256: null });
    expect((await server.api('GET', '/functions/perl')).body.live).toMatchObject({ runtime: 'provided', handler: null });
  });

  it('HTTP: the event is API Gateway payload 2.0 and the result is mapped back', async () => {
    const res = await server.fn('sh/a/b?x=1&y=2', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":1}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const event = JSON.parse(Buffer.from(res.headers.get('x-event')!, 'base64').toString('utf8'));
    expect(event).toMatchObject({
      version: '2.0', rawPath: '/a/b', rawQueryString: 'x=1&y=2', queryStringParameters: { x: '1', y: '2' },
      body: '{"k":1}', isBase64Encoded: false, requestContext: { http: { method: 'POST', path: '/a/b' } },
    });
    expect(event.requestContext.requestId).toBe(res.headers.get('x-atoll-request-id'));
  });

  it('the Lambda environment and the function env are visible, nothing of the gateway', async () => {
    const res = await server.fn('sh');
    const env = fields(await res.text());
    expect(env).toMatchObject({ fn: 'sh', v: '1', mem: '128', handler: 'function.handler', greeting: 'hello', token: 'none', region: 'atoll', tz: ':UTC' });
    expect(env.root).toMatch(/workers\/code\/sh@1$/);
    expect(env.arn).toBe('arn:aws:lambda:atoll:000000000000:function:sh:1');
    expect(env.context).toBe('');
    expect(Number(env.deadline)).toBeGreaterThan(Date.now());
  });

  it('direct invoke: the event goes in as it is and the response comes back as JSON', async () => {
    const res = await server.api('POST', '/functions/sh/invoke', { direct: true });
    expect(res.status).toBe(200);
    expect(JSON.parse(Buffer.from(res.body.headers['x-event'], 'base64').toString('utf8'))).toEqual({ direct: true });
  });

  it('direct invoke with X-Amz-Client-Context: the runtime gets it as Lambda-Runtime-Client-Context', async () => {
    const context = { custom: { tenant: 't1' }, client: { app_title: 'atoll' } };
    const res = await fetch(`${server.url}/api/functions/sh/invoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'x-amz-client-context': Buffer.from(JSON.stringify(context)).toString('base64') },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const env = fields(((await res.json()) as { body: string }).body);
    expect(JSON.parse(Buffer.from(env.context!, 'base64').toString('utf8'))).toEqual(context);
    const bad = await fetch(`${server.url}/api/functions/sh/invoke`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'x-amz-client-context': 'bm90IGpzb24=' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('BAD_REQUEST');
  });

  it('warm reuse: one worker process serves invocation after invocation', async () => {
    const pids = new Set<string>();
    for (let i = 0; i < 4; i++) pids.add(fields(await (await server.fn('sh')).text()).pid!);
    expect(pids.size).toBe(1);
  });

  it('logs: stdout and stderr lines carry the request id; records say cold then warm', async () => {
    const first = await server.fn('sh');
    await first.text();
    const requestId = first.headers.get('x-atoll-request-id')!;
    const { body } = await server.api('GET', '/functions/sh/logs?limit=1000');
    const lines = body.logs.filter((l: any) => l.requestId === requestId).map((l: any) => [l.level, l.message]);
    expect(lines).toEqual(expect.arrayContaining([['info', `handling ${requestId}`], ['error', `to stderr ${requestId}`]]));
    const record = body.invocations.find((r: any) => r.requestId === requestId);
    expect(record).toMatchObject({ function: 'sh', version: 1, outcome: 'OK', cold: false });
    expect(record.cpuMs).toBeGreaterThanOrEqual(0);
    expect(record.wallMs).toBeGreaterThan(0);
    expect(record.billedMs).toBeGreaterThanOrEqual(record.wallMs);
    expect(body.invocations[0]).toMatchObject({ cold: true, outcome: 'OK' });
  });

  it('delete: the function\'s workers are killed, nothing is left behind', async () => {
    const fn = await server.api('PUT', '/functions/gone', { files: { bootstrap: curlBootstrap() }, limits: { cpuMs: 1000 } });
    expect(fn.status).toBe(201);
    expect((await server.fn('gone')).status).toBe(200);
    expect((await server.api('DELETE', '/functions/gone')).status).toBe(200);
    expect(await settledWorkerProcesses('gone')).toEqual([]);
  });
});

describe('provided runtime: a bootstrap in another language (Perl, one kept-alive socket, no curl)', () => {
  it('answers over HTTP and directly, from the same warm process', async () => {
    const a = await server.fn('perl');
    expect(a.status).toBe(200);
    const textA = await a.text();
    expect(textA).toMatch(/^perl pid=\d+ event=\d+ fn=perl$/);
    const b = await server.api('POST', '/functions/perl/invoke', [1, 2, 3]);
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ statusCode: 200 });
    expect(b.body.body).toBe(`${textA.split(' event=')[0]} event=7 fn=perl`);
  });
});

describe('provided runtime: a compiled program deployed as a binary (C over plain sockets)', () => {
  it('answers over HTTP and directly, from the same warm process, its output in the logs', async () => {
    const a = await server.fn('c');
    expect(a.status).toBe(200);
    const textA = await a.text();
    expect(textA).toMatch(/^c pid=\d+ event=\d+$/);
    const b = await server.api('POST', '/functions/c/invoke', { n: 1 });
    expect(b.status).toBe(200);
    expect(b.body).toEqual({ statusCode: 200, body: `${textA.split(' event=')[0]} event=7` });
    const { body } = await server.api('GET', '/functions/c/logs');
    expect(body.logs.map((l: any) => l.message)).toContain(`c runtime handling ${a.headers.get('x-atoll-request-id')}`);
  });
});

/** One tenant's changes to its own realm (prototypes, globals) never reach another function, version or the host. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectSurvives, startAttackServer, worker } from './attack.ts';

describe('cross-function isolation', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('prototype pollution in function A is invisible to function B and to the host', async () => {
    await deployOk(server, 'polluter', worker(`
      Object.prototype.polluted = 1;
      Object.prototype.statusCode = 666;
      Array.prototype.push = function () { throw new Error('hijacked push'); };
      JSON.stringify = () => '"hijacked"';
      JSON.parse = () => ({ hijacked: true });
      Object.defineProperty(Object.prototype, 'headers', { get() { return { 'set-cookie': 'evil=1' }; }, configurable: true });
      return new Response(String(({}).polluted));
    `));
    const polluted = await server.fn('polluter');
    expect(polluted.status).toBe(200);
    expect(await polluted.text()).toBe('1');

    await deployOk(server, 'bystander', worker(`
      const a = []; a.push(1);
      return new Response(JSON.stringify({ polluted: ({}).polluted === undefined, statusCode: ({}).statusCode === undefined, headers: ({}).headers === undefined, push: a.length, parse: JSON.parse('{"x":1}').x }));
    `));
    const bystander = await server.fn('bystander');
    expect(bystander.status).toBe(200);
    expect(await bystander.json()).toEqual({ polluted: true, statusCode: true, headers: true, push: 1, parse: 1 });

    // The host: the management API still answers, and a Lambda-style function's event
    // mapping (request → API Gateway event → result → response) is untouched.
    const listed = await server.api('GET', '/functions');
    expect(listed.status).toBe(200);
    expect(listed.body.functions.map((f: { name: string }) => f.name)).toContain('polluter');
    await deployOk(server, 'lambda-mapper', `export async function handler(event) {
      return { statusCode: 201, headers: { 'x-path': event.rawPath, 'x-method': event.requestContext.http.method }, body: JSON.stringify({ q: event.queryStringParameters, polluted: ({}).polluted === undefined }) };
    }`);
    const mapped = await server.fn('lambda-mapper/some/path?q=1', { method: 'POST', body: 'x' });
    expect(mapped.status).toBe(201);
    expect(mapped.headers.get('x-path')).toBe('/some/path');
    expect(mapped.headers.get('x-method')).toBe('POST');
    expect(mapped.headers.get('set-cookie')).toBeNull();
    expect(await mapped.json()).toEqual({ q: { q: '1' }, polluted: true });
    await expectSurvives(server, pid);
  });

  it('one function cannot read another function\'s globals (globalThis.secret)', async () => {
    await deployOk(server, 'secret-keeper', worker('globalThis.secret = "s3cret"; return new Response(typeof globalThis.secret);'));
    await deployOk(server, 'secret-reader', worker('return new Response(typeof globalThis.secret);'));
    const keeper = await server.fn('secret-keeper');
    expect(await keeper.text()).toBe('string');
    const reader = await server.fn('secret-reader');
    expect(reader.status).toBe(200);
    expect(await reader.text()).toBe('undefined');
    await expectSurvives(server, pid);
  });

  it('two versions of the same function do not share globals', async () => {
    const source = (tag: string) => worker(`const seen = typeof globalThis.secret === 'string' ? globalThis.secret : 'none'; globalThis.secret = '${tag}'; return new Response(seen);`);
    const v1 = await deployOk(server, 'versioned', source('v1'));
    const v2 = await deployOk(server, 'versioned', source('v2'));
    expect(v2).toBe(v1 + 1);
    expect(await (await server.fn(`versioned@${v1}`)).text()).toBe('none');
    // Globals persist between warm invocations of one instance: the test does reach it again.
    expect(await (await server.fn(`versioned@${v1}`)).text()).toBe('v1');
    expect(await (await server.fn(`versioned@${v2}`)).text()).toBe('none');
    expect(await (await server.fn(`versioned@${v2}`)).text()).toBe('v2');
    expect(await (await server.fn(`versioned@${v1}`)).text()).toBe('v1');
    await expectSurvives(server, pid);
  });
});

/** Function names as a path-traversal and injection vector, on both the invoke and the deploy routes. */
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { CANARY_SOURCE, expectSurvives, rawRequest, startAttackServer } from './attack.ts';

/** Names as they appear in the URL path, already percent-encoded where it matters. */
const HOSTILE_NAMES: [string, string][] = [
  ['..%2F..%2Fetc', 'an encoded ../../etc'],
  ['%2e%2e', 'an encoded ..'],
  ['..%2F..%2F..%2Ftmp%2Fpwned', 'an encoded ../../../tmp/pwned'],
  ['a%00b', 'a NUL byte'],
  ['a'.repeat(64), '64 characters'],
  ['Hello', 'uppercase'],
  ['-leading-dash', 'a leading dash'],
  ['a%2Fb', 'an encoded slash'],
  ['%', 'a broken escape'],
];

function listTree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('function name traversal', () => {
  let server: ServerProcess;
  let pid: number;
  let parentBefore: string[];
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
    parentBefore = readdirSync(dirname(server.dataDir));
  });
  afterAll(async () => server?.close());

  for (const [name, what] of HOSTILE_NAMES) {
    it(`a function name with ${what} (${name.slice(0, 20)}): 400 INVALID_FUNCTION_NAME on /fn/ and on PUT /api/functions/`, async () => {
      const invoked = await rawRequest(server.url, 'GET', `/fn/${name}/x`);
      expect({ status: invoked.status, code: invoked.body?.error?.code }).toEqual({ status: 400, code: 'INVALID_FUNCTION_NAME' });
      const body = JSON.stringify({ files: { 'index.ts': CANARY_SOURCE } });
      const deployed = await rawRequest(server.url, 'PUT', `/api/functions/${name}`, {
        authorization: `Bearer ${server.token}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      }, body);
      expect({ status: deployed.status, code: deployed.body?.error?.code }).toEqual({ status: 400, code: 'INVALID_FUNCTION_NAME' });
      await expectSurvives(server, pid);
    });
  }

  it('an encoded dot segment after a name (/fn/x/%2e%2e/canary) cannot hop to another function: 400 BAD_REQUEST', async () => {
    const hopped = await rawRequest(server.url, 'GET', '/fn/x/%2e%2e/canary');
    expect({ status: hopped.status, code: hopped.body?.error?.code }).toEqual({ status: 400, code: 'BAD_REQUEST' });
    await expectSurvives(server, pid);
  });

  it('after every hostile name, only the canary exists and nothing was written outside the data directory', async () => {
    const listed = await server.api('GET', '/functions');
    expect(listed.body.functions.map((f: { name: string }) => f.name)).toEqual(['canary']);
    const tree = listTree(server.dataDir);
    // Atoll's own directory for language workers' temporary files is the one expected `tmp`.
    expect(tree.filter((path) => path !== 'workers/tmp' && /etc|pwned|tmp|\.\.|\0/.test(path))).toEqual([]);
    const parentAfter = readdirSync(dirname(server.dataDir));
    const created = parentAfter.filter((entry) => !parentBefore.includes(entry));
    expect(created.filter((entry) => /etc|pwned/.test(entry))).toEqual([]);
    await expectSurvives(server, pid);
  });
});

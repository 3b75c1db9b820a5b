/**
 * A worker looks for the host's secrets: other processes' environments (/proc/1/environ,
 * the gateway's), the data directory (registry, admin token, other functions' code).
 * Workers run under a uid of their own: every read fails or shows nothing of the host's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { TEST_TOKEN } from '../helpers/server.ts';
import { curlBootstrap } from '../helpers/workers.ts';
import { startAttackServer } from './attack.ts';
import { deployBootstrap, expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

const PROBE = `
  set +e
  DATA=$(cd "$LAMBDA_TASK_ROOT/../../.." && pwd)
  {
    echo "== /proc/1/environ"; tr '\\0' '\\n' < /proc/1/environ
    echo "== gateway environ"; tr '\\0' '\\n' < /proc/$GATEWAY_PID/environ
    echo "== every environ"; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f"; done | grep ATOLL
    echo "== data dir"; ls -la "$DATA"
    echo "== registry"; head -c 200 "$DATA/registry.db"
    echo "== admin token"; cat "$DATA/admin-token"
    echo "== blobs"; ls -R "$DATA/blobs" | head
    echo "== code"; ls "$DATA/workers/code"; cat "$DATA/workers/code/other@1/bootstrap"
  } > "$TMPDIR/probe" 2>&1
  curl -sS -o /dev/null "$API/invocation/$REQUEST_ID/response" --data-binary @"$TMPDIR/probe"
  set -e
  continue`;

it('worker reading /proc/1/environ, the gateway\'s environment and the data directory: nothing of the host\'s', async () => {
  const other = await server.api('PUT', '/functions/other', { files: { bootstrap: curlBootstrap('  RESPONSE="secret-code-of-other"') }, limits: { cpuMs: 5000 } });
  expect(other.status).toBe(201);
  expect((await server.fn('other')).status).toBe(200);
  await deployBootstrap(server, 'snoop', curlBootstrap(PROBE.replace('$GATEWAY_PID', String(pid))), { cpuMs: 10_000 });
  const res = await server.api('POST', '/functions/snoop/invoke', {});
  expect(res.status).toBe(200);
  const report = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  expect(report).toContain('== /proc/1/environ');
  expect(report).not.toContain(TEST_TOKEN);
  expect(report).not.toContain('ATOLL_ADMIN_TOKEN');
  expect(report).not.toContain('secret-code-of-other');
  expect(report).not.toContain('SQLite format');
  expect(report).toMatch(/== data dir\n[^\n]*Permission denied/);
  await expectCleanAfter(server, pid, 'snoop', true);
});

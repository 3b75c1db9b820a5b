/** Writing without end: RLIMIT_FSIZE stops the writer (SIGXFSZ), and the deploy's files are read-only. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { curlBootstrap } from '../helpers/workers.ts';
import { expectError, startAttackServer } from './attack.ts';
import { deployBootstrap, expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

it('worker writing a huge file: the worker is stopped at the file-size limit, 502 WORKER_CRASHED, canary after, nothing left', async () => {
  const fill = '  block=0123456789abcdef; block="$block$block$block$block$block$block$block$block"; block="$block$block$block$block$block$block$block$block"\n  while :; do printf %s "$block"; done > "$TMPDIR/huge"';
  await deployBootstrap(server, 'fill', curlBootstrap(fill), { cpuMs: 30_000, timeoutMs: 30_000 });
  await expectError(await server.fn('fill'), 502, 'WORKER_CRASHED');
  await expectCleanAfter(server, pid, 'fill');
});

it('worker writing into its own code: refused, the files stay as deployed', async () => {
  const write = '  if echo tampered > "$LAMBDA_TASK_ROOT/bootstrap" 2>/dev/null || touch "$LAMBDA_TASK_ROOT/new" 2>/dev/null; then R=writable; else R=read-only; fi\n  RESPONSE="$R"';
  await deployBootstrap(server, 'tamper', curlBootstrap(write));
  const res = await server.fn('tamper');
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('read-only');
  await expectCleanAfter(server, pid, 'tamper', true);
});

/**
 * A worker tries the network: the gateway's own port on loopback and an outside address.
 * Without `outboundNetwork` it runs in a network namespace of its own (this machine: root,
 * unshare, perl) where the Runtime API, relayed, is all there is; with it, it shares the host's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { curlBootstrap } from '../helpers/workers.ts';
import { startAttackServer } from './attack.ts';
import { expectCleanAfter } from './worker-attack.ts';

let server: ServerProcess;
let pid: number;

beforeAll(async () => {
  ({ server, pid } = await startAttackServer());
});
afterAll(() => server?.close());

function probe(gatewayUrl: string): string {
  return `  set +e
  GW=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' ${gatewayUrl}/healthz 2>/dev/null)
  OUT=$(curl -sS -m 3 -o /dev/null -w '%{http_code}' http://1.1.1.1/ 2>/dev/null)
  IFS_=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ,)
  set -e
  RESPONSE="gateway=$GW outside=$OUT interfaces=$IFS_"`;
}

it('worker without outbound network: reaches neither the gateway on loopback nor the outside; only lo exists', async () => {
  const res = await server.api('PUT', '/functions/netless', { files: { bootstrap: curlBootstrap(probe(server.url)) }, limits: { cpuMs: 2000 } });
  expect(res.status).toBe(201);
  expect(res.body.outboundNetwork).toBe(false);
  const answer = await server.fn('netless');
  expect(answer.status).toBe(200);
  expect(await answer.text()).toBe('gateway=000 outside=000 interfaces=lo,');
  await expectCleanAfter(server, pid, 'netless', true);
});

it('worker with outboundNetwork: true shares the host network (the gateway answers it)', async () => {
  const res = await server.api('PUT', '/functions/netful', { files: { bootstrap: curlBootstrap(probe(server.url)) }, outboundNetwork: true, limits: { cpuMs: 2000 } });
  expect(res.status).toBe(201);
  const answer = await server.fn('netful');
  expect(answer.status).toBe(200);
  expect(await answer.text()).toMatch(/^gateway=200 /);
  await expectCleanAfter(server, pid, 'netful', true);
});

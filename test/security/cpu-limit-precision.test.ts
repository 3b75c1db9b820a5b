/** Limits are measured, not assumed: the CPU time recorded for a killed runaway is close to its limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer, worker } from './attack.ts';

describe('CPU limit precision', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('Limits are measured, not assumed: while(true){} with cpuMs 50 is recorded at 50-75 ms of CPU, five times out of five', async () => {
    await deployOk(server, 'precise-spin', worker('while (true) {}'), { limits: { cpuMs: 50 } });
    const requestIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = await expectError(await server.fn('precise-spin'), 503, 'CPU_LIMIT_EXCEEDED');
      requestIds.push(body.error.requestId);
    }
    const logs = await server.api('GET', '/functions/precise-spin/logs');
    expect(logs.status).toBe(200);
    const records = logs.body.invocations.filter((r: { requestId: string }) => requestIds.includes(r.requestId));
    expect(records).toHaveLength(5);
    for (const record of records) {
      expect(record.outcome).toBe('CPU_LIMIT_EXCEEDED');
      expect(record.cpuMs, JSON.stringify(record)).toBeGreaterThanOrEqual(50);
      expect(record.cpuMs, JSON.stringify(record)).toBeLessThanOrEqual(75);
    }
    await expectSurvives(server, pid);
  });
});

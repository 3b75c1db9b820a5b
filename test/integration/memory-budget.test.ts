/**
 * The global memory budget (design.md §1, the "Pools"): when a new instance would
 * not fit, the least recently used idle instances are evicted first, whatever function
 * they belong to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { StartedAtoll } from '../../src/gateway/index.ts';

// Each new instance is charged 2 MiB until its host reports its real heap: 6 MiB holds three.
const BUDGET_MB = 6;
const COUNTER = 'let n = 0; export default { fetch() { n += 1; return Response.json({ n }); } };';

describe('memory budget', () => {
  let server: TestServer & { atoll: StartedAtoll };
  beforeAll(async () => {
    server = await startTestServer({ memoryBudgetMb: BUDGET_MB });
    for (const name of ['f1', 'f2', 'f3', 'f4', 'f5']) expect((await server.deploy(name, COUNTER)).status).toBe(201);
  });
  afterAll(async () => server?.close());

  const count = async (name: string) => ((await (await server.fn(name)).json()) as { n: number }).n;

  it('evicts the least recently used idle instances to make room, across functions', async () => {
    for (const name of ['f1', 'f2', 'f3']) expect(await count(name)).toBe(1);
    expect(server.atoll.context.scheduler.stats().instances).toBe(3);
    // f4 and f5 need room: f1 and f2, the least recently used, give it up.
    expect(await count('f4')).toBe(1);
    expect(await count('f5')).toBe(1);
    expect(server.atoll.context.scheduler.stats().instances).toBe(3);
    // f3 kept its instance (its global counts on); f1 starts again from a cold instance.
    expect(await count('f3')).toBe(2);
    expect(await count('f1')).toBe(1);
  });
});

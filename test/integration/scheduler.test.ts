/**
 * The scheduler seen from outside (design.md §1): pools grow with concurrent load up to
 * concurrency.max, queue briefly, then refuse with TOO_MANY_REQUESTS; idle instances scale
 * to zero (minWarm excepted); no two functions or versions ever share an instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import type { StartedAtoll } from '../../src/gateway/index.ts';

/** A response's JSON body, untyped: the tests check its shape. */
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();


/** Reports which instance answered (a random id fixed at module load) and how often it has. */
const INSTANCE = (sleepMs: number) => `
const instance = Math.random().toString(36).slice(2);
let count = 0;
export default {
  async fetch(): Promise<Response> {
    count += 1;
    const started = Date.now();
    ${sleepMs > 0 ? `await new Promise((r) => setTimeout(r, ${sleepMs}));` : ''}
    return Response.json({ instance, count, started, ended: Date.now() });
  },
};
`;

type Server = TestServer & { atoll: StartedAtoll };

async function statuses(responses: Promise<Response>[]): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for (const res of await Promise.all(responses)) {
    const body = await json(res);
    if (res.status === 429) expect(body.error.code).toBe('TOO_MANY_REQUESTS');
    counts[res.status] = (counts[res.status] ?? 0) + 1;
  }
  return counts;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return condition();
}

describe('concurrency', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ queueDepth: 1, queueWaitMs: 2_000 });
  });
  afterAll(async () => server?.close());

  it('concurrency: two concurrent requests run in parallel on two instances', async () => {
    await server.deploy('pair', INSTANCE(300), { concurrency: { max: 2 } });
    const [a, b] = await Promise.all([server.fn('pair'), server.fn('pair')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [ja, jb] = [await json(a), await json(b)];
    expect(ja.instance).not.toBe(jb.instance);
    // Each ran while the other was running.
    expect(ja.started).toBeLessThan(jb.ended);
    expect(jb.started).toBeLessThan(ja.ended);
  });

  it('concurrency: a burst beyond max + queue depth is refused with TOO_MANY_REQUESTS', async () => {
    await server.deploy('burst', INSTANCE(300), { concurrency: { max: 2 } });
    // 2 run, 1 waits in the queue and then runs, 3 are refused at once.
    const counts = await statuses(Array.from({ length: 6 }, () => server.fn('burst')));
    expect(counts).toEqual({ 200: 3, 429: 3 });
  });

  it('concurrency: never more instances than max, even under a burst', async () => {
    await server.deploy('capped', INSTANCE(200), { concurrency: { max: 2 } });
    const responses = await Promise.all(Array.from({ length: 3 }, () => server.fn('capped')));
    const instances = new Set<string>();
    for (const res of responses) if (res.status === 200) instances.add((await json(res)).instance);
    expect(instances.size).toBeLessThanOrEqual(2);
  });

  it('concurrency: a request that waits in the queue longer than the queue wait is refused', async () => {
    const quick = await startTestServer({ queueDepth: 5, queueWaitMs: 200 });
    try {
      await quick.deploy('slow', INSTANCE(1000), { concurrency: { max: 1 } });
      const first = quick.fn('slow');
      await new Promise((r) => setTimeout(r, 100));
      // Had it waited for the instance, it would have been served after the first.
      const second = await quick.fn('slow');
      expect(second.status).toBe(429);
      expect((await json(second)).error.code).toBe('TOO_MANY_REQUESTS');
      expect((await first).status).toBe(200);
    } finally {
      await quick.close();
    }
  });
});

describe('scale to zero', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ idleMs: 300 });
  });
  afterAll(async () => server?.close());
  const instances = () => server.atoll.context.scheduler.stats().instances;

  async function coldFlags(name: string, n: number): Promise<boolean[]> {
    for (let i = 0; i < 40; i++) {
      const records = (await server.api('GET', `/functions/${name}/logs`)).body.invocations as any[];
      if (records.length >= n) return records.map((r) => r.cold);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`fewer than ${n} invocation records for ${name}`);
  }

  it('scale to zero: after idleMs the instances are gone and the next request is cold', async () => {
    await server.deploy('idle', INSTANCE(0));
    const first = await json(server.fn('idle'));
    const second = await json(server.fn('idle'));
    expect(second.instance).toBe(first.instance);
    expect(instances()).toBe(1);
    expect(await waitFor(() => instances() === 0, 3_000)).toBe(true);
    const third = await json(server.fn('idle'));
    expect(third.instance).not.toBe(first.instance);
    expect(third.count).toBe(1);
    expect(await coldFlags('idle', 3)).toEqual([true, false, true]);
  });

  it('minWarm: one instance stays after idle, and keeps its state', async () => {
    await server.deploy('kept-warm', INSTANCE(0), { concurrency: { max: 5, minWarm: 1 } });
    const first = await json(server.fn('kept-warm'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(instances()).toBe(1);
    const second = await json(server.fn('kept-warm'));
    expect(second.instance).toBe(first.instance);
    expect(second.count).toBe(first.count + 1);
    expect((await coldFlags('kept-warm', 2)).at(-1)).toBe(false);
  });
});

describe('isolation between functions', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('isolation: two functions with the same code never share an instance', async () => {
    await server.deploy('twin-a', INSTANCE(0));
    await server.deploy('twin-b', INSTANCE(0));
    const a1 = await json(server.fn('twin-a'));
    const b1 = await json(server.fn('twin-b'));
    const a2 = await json(server.fn('twin-a'));
    const b2 = await json(server.fn('twin-b'));
    expect(a1.instance).not.toBe(b1.instance);
    expect([a1.count, b1.count, a2.count, b2.count]).toEqual([1, 1, 2, 2]);
    expect(a2.instance).toBe(a1.instance);
    expect(b2.instance).toBe(b1.instance);
  });

  it('isolation: two versions of one function never share an instance', async () => {
    await server.deploy('versions', INSTANCE(0));
    await server.deploy('versions', INSTANCE(0));
    const v1 = await json(server.fn('versions@1'));
    const v2 = await json(server.fn('versions@2'));
    expect(v1.instance).not.toBe(v2.instance);
    expect([v1.count, v2.count]).toEqual([1, 1]);
  });
});

describe('scaling evidence', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({ sandboxHosts: 1 });
  });
  afterAll(async () => server?.close());

  it('a function that answers at once but keeps its instance busy with waitUntil work scales out like one that runs that long', async () => {
    const source = `export default {
      fetch(request: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }): Response {
        ctx.waitUntil(new Promise((r) => setTimeout(r, 500)));
        return new Response('ok');
      },
    };`;
    await server.deploy('lingering', source, { concurrency: { max: 8 } });
    // Its leases are observed when the waitUntil work is over, not when the response is out.
    expect((await server.fn('lingering')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 600));
    const burst = await Promise.all(Array.from({ length: 8 }, () => server.fn('lingering')));
    expect(burst.map((r) => r.status)).toEqual(Array(8).fill(200));
    // One sandbox host: four instances come without waiting, the other four only from the
    // evidence that the instances are busy running the function (not waiting on the host).
    expect(server.atoll.context.scheduler.stats().instances).toBe(8);
  });
});

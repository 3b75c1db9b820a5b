/**
 * How a function version's pool decides between an idle instance, a new one and the
 * queue. Pure logic: instances are plain records, no sandbox host is involved.
 */
import { describe, expect, it } from 'vitest';
import { FunctionPool, type Instance, type Lease } from '../../src/scheduler/function-pool.ts';
import type { FunctionVersion } from '../../src/scheduler/types.ts';
import type { InstanceHandle } from '../../src/scheduler/executors.ts';

const SCALE_OUT_DELAY_MS = 5;

function makePool(max: number, eagerInstances: number, queueDepth = 10, queueWaitMs = 1000) {
  const version = {
    fnKey: 'f@1', name: 'f', version: 1, runtime: 'js', handler: null, style: 'workers', env: {}, code: '', sourceMap: undefined, files: {},
    limits: { memoryMb: 128, cpuMs: 50, timeoutMs: 1000 },
    concurrency: { max, minWarm: 0 },
  } as FunctionVersion;
  let nextId = 1;
  const pool: FunctionPool = new FunctionPool(version, {
    spawn: (p) => ({ id: nextId++, handle: {} as InstanceHandle, pool: p, lastUsedMs: 0, busy: true, heapBytes: 0 }) as Instance,
    idle: () => {},
    taken: () => {},
  }, queueDepth, queueWaitMs, { eagerInstances, scaleOutDelayMs: SCALE_OUT_DELAY_MS });
  return pool;
}

const settle = (value: Lease | Promise<Lease>) => Promise.resolve(value);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('function pool', () => {
  it('creates instances without waiting up to the eager count', async () => {
    const pool = makePool(10, 2);
    const a = pool.acquire();
    const b = pool.acquire();
    expect(a).not.toBeInstanceOf(Promise);
    expect(b).not.toBeInstanceOf(Promise);
    expect(pool.size).toBe(2);
  });

  it('reuses an idle instance before creating one', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    pool.release(first, false);
    const again = await settle(pool.acquire());
    expect(again).toEqual({ instance: first, created: false });
    expect(pool.size).toBe(1);
  });

  it('scales out after the delay while instances spend their leases running the function', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(300, 290); // a slow function: leases are nearly all run time
    const waiting = pool.acquire();
    expect(waiting).toBeInstanceOf(Promise);
    const lease = await waiting;
    expect(lease.created).toBe(true);
    expect(lease.instance).not.toBe(first);
    expect(pool.size).toBe(2);
  });

  it('does not scale out while leases are mostly spent waiting on a saturated host', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(10, 0.1); // a short function whose instances wait on a busy host
    let served: Lease | undefined;
    void settle(pool.acquire()).then((lease) => (served = lease));
    await sleep(SCALE_OUT_DELAY_MS * 4);
    expect(served).toBeUndefined();
    expect(pool.size).toBe(1);
    pool.release(first, false);
    await sleep(0);
    expect(served).toEqual({ instance: first, created: false });
  });

  it('before any lease is observed, a burst waits for the instances there are, and scales out only after 50 ms', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    const started = performance.now();
    const waiting = Array.from({ length: 3 }, () => settle(pool.acquire()));
    await sleep(SCALE_OUT_DELAY_MS * 4);
    // Several scale-out delays later, no evidence yet: nobody got a new instance.
    expect(pool.size).toBe(1);
    // The instance comes back (its lease not observed): the first waiter takes it.
    pool.release(first, false);
    expect(await waiting[0]).toEqual({ instance: first, created: false });
    // The others get new instances once they have waited 50 ms.
    const rest = await Promise.all(waiting.slice(1));
    expect(rest.every((lease) => lease.created)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect(pool.size).toBe(3);
  });

  it('a cold lease is evidence only until the first warm one, which replaces it', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(40, 1, true); // cold: mostly start-up, so it says a new instance would not help
    let served: Lease | undefined;
    void settle(pool.acquire()).then((lease) => (served = lease));
    await sleep(SCALE_OUT_DELAY_MS * 4);
    expect(served).toBeUndefined();
    pool.observe(100, 95, true); // a second cold lease does not move the evidence
    await sleep(SCALE_OUT_DELAY_MS * 4);
    expect(served).toBeUndefined();
    pool.observe(100, 95); // the first warm lease: the function spends its leases running
    await sleep(SCALE_OUT_DELAY_MS * 4);
    expect(served?.created).toBe(true);
    expect(served?.instance).not.toBe(first);
  });

  it('a request that waits past queueWaitMs gets TOO_MANY_REQUESTS and leaves the queue', async () => {
    const pool = makePool(1, 1, 10, 40);
    await settle(pool.acquire());
    const waiting = pool.acquire();
    expect(pool.queued).toBe(1);
    await expect(waiting).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(pool.queued).toBe(0);
  });

  it('answers TOO_MANY_REQUESTS past max plus the queue depth', async () => {
    const pool = makePool(1, 1, 1);
    await settle(pool.acquire());
    const queued = pool.acquire();
    expect(queued).toBeInstanceOf(Promise);
    expect(() => pool.acquire()).toThrow(expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }));
    pool.rejectQueued(Object.assign(new Error('closing'), { code: 'NOT_READY' }) as never);
    await expect(queued).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});

/**
 * How a function version's pool decides between an idle instance, a new one and the
 * queue. Pure logic: instances are plain records, no sandbox host is involved.
 */
import { describe, expect, it } from 'vitest';
import { FunctionPool, type Instance, type Lease } from '../../src/scheduler/function-pool.ts';
import type { FunctionVersion } from '../../src/scheduler/types.ts';
import type { InstanceHandle } from '../../src/scheduler/executors.ts';

const SCALE_OUT_DELAY_MS = 5;

function makePool(max: number, eagerInstances: number, queueDepth = 10, queueWaitMs = 1000, aheadDepth = 1, sharedThread = false) {
  const version = {
    fnKey: 'f@1', name: 'f', version: 1, runtime: 'js', handler: null, style: 'workers', env: {}, code: '', sourceMap: undefined, files: {},
    limits: { memoryMb: 128, cpuMs: 50, timeoutMs: 1000 },
    concurrency: { max, minWarm: 0 },
  } as FunctionVersion;
  let nextId = 1;
  const pool: FunctionPool = new FunctionPool(version, {
    spawn: (p) => ({ id: nextId++, handle: {} as InstanceHandle, pool: p, lastUsedMs: 0, leases: 1, served: false, heapBytes: 0 }) as Instance,
    idle: () => {},
    taken: () => {},
  }, queueDepth, queueWaitMs, { eagerInstances, scaleOutDelayMs: SCALE_OUT_DELAY_MS, aheadDepth, sharedThread });
  return pool;
}

const settle = (value: Lease | Promise<Lease>) => Promise.resolve(value);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request to a pool whose one instance (`first`) is busy gets no new instance: it waits, and gets `first` when it is back. */
async function expectNoScaleOut(pool: FunctionPool, first: Instance): Promise<void> {
  let served: Lease | undefined;
  void settle(pool.acquire()).then((lease) => (served = lease));
  await sleep(SCALE_OUT_DELAY_MS * 4);
  expect(served).toBeUndefined();
  expect(pool.size).toBe(1);
  pool.release(first, false);
  await sleep(0);
  expect(served).toEqual({ instance: first, created: false, ahead: false });
}

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
    expect(again).toEqual({ instance: first, created: false, ahead: false });
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
    await expectNoScaleOut(pool, first);
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
    expect(await waiting[0]).toEqual({ instance: first, created: false, ahead: false });
    // The others get new instances once they have waited 50 ms.
    const rest = await Promise.all(waiting.slice(1));
    expect(rest.every((lease) => lease.created)).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect(pool.size).toBe(3);
  });

  it('a cold lease is evidence only until the first warm one, which replaces it', async () => {
    const pool = makePool(10, 1);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(40, 1, true); // cold: mostly start-up, no evidence either way
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

  it('isolates: runs that are long on CPU (a JIT still cold) do not scale out past the eager instances', async () => {
    const pool = makePool(10, 1, 10, 1000, 1, true);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(4, 2.5, false, 2.4); // run is most of the lease, but nearly all of it on the host's CPU
    await expectNoScaleOut(pool, first);
  });

  it('isolates: runs mostly spent awaiting (I/O, timers) scale out', async () => {
    const pool = makePool(10, 1, 10, 1000, 1, true);
    const first = (await settle(pool.acquire())).instance;
    pool.observe(300, 290, false, 1);
    const lease = await pool.acquire();
    expect(lease.created).toBe(true);
    expect(lease.instance).not.toBe(first);
  });

  it('language workers (a process each): runs long on CPU scale out', async () => {
    const pool = makePool(10, 1);
    await settle(pool.acquire());
    pool.observe(300, 290, false, 289);
    expect((await pool.acquire()).created).toBe(true);
  });

  it('a cold lease that ran long does not make a burst scale out before 50 ms', async () => {
    const pool = makePool(10, 1);
    await settle(pool.acquire());
    pool.observe(3, 2.5, true); // cold, and its first run (JIT warm-up) took most of it
    const waiting = Array.from({ length: 3 }, () => settle(pool.acquire()));
    await sleep(SCALE_OUT_DELAY_MS * 4);
    expect(pool.size).toBe(1);
    await Promise.all(waiting);
    expect(pool.size).toBe(4);
  });

  it('a burst scales out by at most doubling the pool per scale-out delay, so the evidence is looked at as it grows', async () => {
    const pool = makePool(100, 1);
    await settle(pool.acquire());
    pool.observe(300, 290); // leases nearly all run time: scaling out helps
    const waiting = Array.from({ length: 20 }, () => settle(pool.acquire()));
    for (const size of [2, 4, 8, 16]) {
      const before = pool.size;
      while (pool.size === before) await sleep(1);
      expect(pool.size).toBe(size);
    }
    await Promise.all(waiting);
    expect(pool.size).toBe(21);
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

  describe('dispatch ahead', () => {
    /** A pool whose one instance has served a short invocation that mostly waited on its host. */
    async function saturatedShortPool(aheadDepth = 4, max = 1) {
      const pool = makePool(max, 1, 10, 1000, aheadDepth);
      const instance = (await settle(pool.acquire())).instance;
      pool.observe(10, 0.1);
      pool.release(instance, false);
      expect((await settle(pool.acquire())).instance).toBe(instance);
      return { pool, instance };
    }

    /** Two warm instances of a short function, each running one invocation: dispatching ahead helps. */
    async function twoBusyWarmInstances(aheadDepth: number) {
      const pool = makePool(2, 2, 10, 1000, aheadDepth);
      const a = (await settle(pool.acquire())).instance;
      const b = (await settle(pool.acquire())).instance;
      pool.observe(10, 0.1);
      pool.release(a, false);
      pool.release(b, false);
      await settle(pool.acquire());
      await settle(pool.acquire());
      return { pool, a, b };
    }

    it('gives a busy warm instance more invocations while short runs wait on a saturated host', async () => {
      const { pool, instance } = await saturatedShortPool();
      const lease = pool.acquire();
      expect(lease).toEqual({ instance, created: false, ahead: true });
      expect(instance.leases).toBe(2);
    });

    it('never holds more than aheadDepth invocations on one instance: the next request waits', async () => {
      const { pool, instance } = await saturatedShortPool(3);
      pool.acquire();
      pool.acquire();
      expect(instance.leases).toBe(3);
      const waiting = pool.acquire();
      expect(waiting).toBeInstanceOf(Promise);
      expect(pool.queued).toBe(1);
      pool.release(instance, false);
      expect(await waiting).toEqual({ instance, created: false, ahead: true });
      expect(instance.leases).toBe(3);
    });

    it('spreads invocations dispatched ahead over the least loaded instances', async () => {
      const { pool, a, b } = await twoBusyWarmInstances(4);
      const picked = [pool.acquire(), pool.acquire()].map((lease) => (lease as Lease).instance);
      expect(new Set(picked)).toEqual(new Set([a, b]));
      expect([a.leases, b.leases]).toEqual([2, 2]);
    });

    it('does not dispatch ahead while the function runs long: a waiter scales out instead', async () => {
      const pool = makePool(10, 1, 10, 1000, 4);
      const first = (await settle(pool.acquire())).instance;
      pool.observe(300, 290);
      pool.release(first, false);
      await settle(pool.acquire());
      const lease = await settle(pool.acquire());
      expect(lease.ahead).toBe(false);
      expect(lease.created).toBe(true);
    });

    it('does not dispatch ahead to an instance that has not served an invocation yet', async () => {
      const pool = makePool(1, 1, 10, 1000, 4);
      const cold = (await settle(pool.acquire())).instance;
      pool.observe(10, 0.1);
      expect(pool.acquire()).toBeInstanceOf(Promise);
      expect(cold.leases).toBe(1);
    });

    it('a retry (handed back unstarted) gets a free instance only, first in the queue, even a full one', async () => {
      const pool = makePool(1, 1, 1, 1000, 4);
      const instance = (await settle(pool.acquire())).instance;
      pool.observe(10, 0.1);
      pool.release(instance, false);
      await settle(pool.acquire());
      for (let i = 0; i < 3; i++) expect(pool.acquire()).toMatchObject({ ahead: true });
      const queued = pool.acquire();
      expect(() => pool.acquire()).toThrow(expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }));
      let retried: Lease | undefined;
      void settle(pool.acquire(true)).then((lease) => (retried = lease));
      expect(pool.queued).toBe(2);
      // The retry heads the queue: the busy instance takes nobody ahead and drains for it.
      for (let i = 0; i < 3; i++) pool.release(instance, false);
      await sleep(0);
      expect(retried).toBeUndefined();
      expect(instance.leases).toBe(1);
      pool.release(instance, false);
      await sleep(0);
      expect(retried).toEqual({ instance, created: false, ahead: false });
      // The ordinary waiter behind it is next, ahead of the retry now running.
      expect(await queued).toEqual({ instance, created: false, ahead: true });
      expect(instance.leases).toBe(2);
    });

    it('while a retry heads the queue, one instance drains for it and the others go on with the waiters behind it', async () => {
      const { pool, a, b } = await twoBusyWarmInstances(2);
      for (let i = 0; i < 2; i++) expect(pool.acquire()).toMatchObject({ ahead: true });
      expect([a.leases, b.leases]).toEqual([2, 2]);
      let retried: Lease | undefined;
      void settle(pool.acquire(true)).then((lease) => (retried = lease));
      const behind = pool.acquire();
      expect(pool.queued).toBe(2);
      // a is chosen to drain: it takes nobody ahead. b takes the waiter behind the retry.
      pool.release(a, false);
      pool.release(b, false);
      expect(await behind).toEqual({ instance: b, created: false, ahead: true });
      expect([a.leases, b.leases]).toEqual([1, 2]);
      pool.release(a, false);
      await sleep(0);
      expect(retried).toEqual({ instance: a, created: false, ahead: false });
    });

    it('a request that arrives behind a waiting retry still goes ahead at once to an instance with room', async () => {
      const { pool, a, b } = await twoBusyWarmInstances(4);
      const retry = pool.acquire(true);
      expect(retry).toBeInstanceOf(Promise);
      const arrival = await settle(pool.acquire());
      expect(arrival.ahead).toBe(true);
      expect(pool.queued).toBe(1);
      // One of the two drains for the retry; the arrival went to the other.
      expect([a.leases, b.leases].sort()).toEqual([1, 2]);
    });

    it('does not dispatch a request with a large body ahead, now or from the queue', async () => {
      const { pool, instance } = await saturatedShortPool();
      const large = pool.acquire(false, false);
      expect(large).toBeInstanceOf(Promise);
      // First come, first served: the small request behind it is not dispatched ahead past it.
      const small = pool.acquire();
      expect(small).toBeInstanceOf(Promise);
      expect(instance.leases).toBe(1);
      pool.release(instance, false);
      expect(await large).toEqual({ instance, created: false, ahead: false });
      expect(await small).toEqual({ instance, created: false, ahead: true });
    });

    it('a retry is served under sustained load once an instance drains, not starved by new arrivals', async () => {
      const pool = makePool(1, 1, 100, 60_000, 4);
      const instance = (await settle(pool.acquire())).instance;
      pool.observe(10, 0.1);
      pool.release(instance, false);
      await settle(pool.acquire());
      for (let i = 0; i < 3; i++) pool.acquire();
      let retried: Lease | undefined;
      void settle(pool.acquire(true)).then((lease) => (retried = lease));
      // Load that never lets up: each finished invocation makes room for a new arrival.
      let releases = 0;
      while (!retried && releases < 100) {
        pool.release(instance, false);
        releases++;
        pool.observe(10, 0.1);
        void pool.acquire();
        await sleep(0);
      }
      expect(retried).toMatchObject({ instance, ahead: false });
      expect(releases).toBeLessThanOrEqual(4);
    });

    it('does not dispatch ahead with aheadDepth 1', async () => {
      const single = await saturatedShortPool(1);
      expect(single.pool.acquire()).toBeInstanceOf(Promise);
    });

    it('an instance goes idle only when its last lease is back', async () => {
      const { pool, instance } = await saturatedShortPool();
      pool.acquire();
      pool.release(instance, false);
      expect(pool.idle).toEqual([]);
      pool.release(instance, false);
      expect(pool.idle).toEqual([instance]);
      expect(instance.leases).toBe(0);
    });

    it('a lease that comes back after its instance was disposed does not revive it', async () => {
      const { pool, instance } = await saturatedShortPool();
      pool.acquire();
      pool.release(instance, true); // the running invocation killed the isolate
      expect(pool.size).toBe(0);
      pool.release(instance, false); // the one held behind it, handed back unstarted
      expect(pool.idle).toEqual([]);
      expect(pool.size).toBe(0);
    });
  });
});

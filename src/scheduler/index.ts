/**
 * Decides which instance serves each invocation: per-function-version pools that grow
 * with load and shrink to zero when idle, under a global memory budget that evicts the
 * least recently used idle instances. Instances run on an executor chosen by the
 * version's runtime: isolates on the sandbox hosts for `js`, worker processes otherwise.
 */
import { AtollError, type ErrorCode } from '../errors/index.ts';
import type { GuestRequest, InvokeResult } from '../sandbox-host/index.ts';
import type { Executor } from './executors.ts';
import { AHEAD_MAX_BODY_BYTES, FunctionPool, type Instance, type Lease } from './function-pool.ts';
import type { FunctionVersion, InvocationOutcome } from './types.ts';

export { isolateExecutor, type Executor, type InstanceHandle } from './executors.ts';

export type { FunctionVersion, InvocationOutcome, InvocationMetrics, InvocationEnd } from './types.ts';

export interface SchedulerOptions {
  idleMs: number;
  queueDepth: number;
  queueWaitMs: number;
  /** Budget for the memory all instances use together, in bytes. */
  memoryBudgetBytes: number;
  /** What an instance is charged before its host reports its real heap size. */
  instanceEstimateBytes: number;
  /** Extra time a cold start may take (the module's top level), in ms. */
  startupTimeoutMs: number;
  /** Instances a pool creates without waiting (one per sandbox host uses every core). */
  eagerInstances: number;
  /** How long a request waits for a busy instance before a new one is made for it. */
  scaleOutDelayMs: number;
}

/**
 * Tries of one invocation. One dispatched ahead can come back unstarted; its retry waits
 * for a free instance, and comes back unstarted only if that instance dies between the
 * dispatch and the start (another invocation took its host down).
 */
const MAX_ATTEMPTS = 3;

/**
 * A run killed for CPU that used more than this beyond its function's CPU limit has its
 * version quarantined. An ordinary kill lands within a few ms of the limit. Two kinds go far
 * past it, all that time holding their host's thread and so every other tenant's
 * invocations on that host: a loop V8 stops late while it optimises the function (~0.2-2 s,
 * README, Limits), and a module top level that spends the start-up budget (1 s), which every
 * new instance of it does again.
 */
const OVERRUN_MS = 100;

/** The executors by kind of runtime. */
export interface Executors {
  isolates: Executor;
  workers: Executor;
}

export class Scheduler {
  readonly #executors: Executors;
  readonly #options: SchedulerOptions;
  readonly #pools = new Map<string, FunctionPool>();
  readonly #instances = new Map<number, Instance>();
  /**
   * Idle instances only, in the order they became idle: the first is the least recently
   * used. A Map is an O(1) LRU here; lru-cache would fit too, but it clears its
   * preallocated arrays each time its last entry is deleted, which happens on nearly
   * every warm request at low concurrency.
   */
  readonly #idle = new Map<number, Instance>();
  #committedBytes = 0;
  #nextInstanceId = 1;
  readonly #sweeper: NodeJS.Timeout;

  constructor(executors: Executors, options: SchedulerOptions) {
    this.#executors = executors;
    this.#options = options;
    this.#sweeper = setInterval(() => this.sweep(Date.now()), Math.min(10_000, Math.max(250, options.idleMs / 4)));
    this.#sweeper.unref();
  }

  /** Run one invocation of `version`. Never throws for what the function did: failures are outcomes. */
  /** `clientGone` aborts when an HTTP client disconnects (the function's `request.signal` follows it). */
  async invoke(version: FunctionVersion, request: GuestRequest, body: Uint8Array | undefined, clientGone?: AbortSignal): Promise<InvocationOutcome> {
    const pool = this.#poolFor(version);
    const mayGoAhead = body === undefined || body.byteLength <= AHEAD_MAX_BODY_BYTES;
    for (let attempt = 1; ; attempt++) {
      const pending = pool.acquire(attempt > 1, mayGoAhead);
      const lease = pending instanceof Promise ? await pending : pending;
      const { instance } = lease;
      const leasedAt = performance.now();
      const deadline = Date.now() + version.limits.timeoutMs + (lease.created ? this.#options.startupTimeoutMs : 0);
      const result = await instance.handle.invoke(request, body, deadline, clientGone);
      if (result.kind === 'failure' && result.notStarted && attempt < MAX_ATTEMPTS) {
        // Dispatched ahead and handed back unstarted (the instance before it died, or ran
        // long): nothing of it ran, so it runs elsewhere as if it had just arrived.
        this.#release(pool, instance, result.disposed);
        if (pool.retired) return { kind: 'failure', code: 'FUNCTION_NOT_FOUND', message: `function version ${version.fnKey} was removed`, metrics: { cpuMs: 0, wallMs: 0, cold: false } };
        continue;
      }
      return this.#outcome(pool, lease, leasedAt, result);
    }
  }

  #outcome(pool: FunctionPool, lease: Lease, leasedAt: number, result: InvokeResult): InvocationOutcome {
    const { instance } = lease;
    const metrics = { cpuMs: result.cpuMs, wallMs: result.wallMs, cold: result.cold ?? lease.created };
    // An open invocation (streamed body, waitUntil work) keeps its instance until it is over,
    // and is observed then: all that time the instance was running the function.
    const finished = result.kind !== 'failure' && result.finished
      ? result.finished.then((end) => {
        this.#checkOverrun(pool, end.code, end.cpuMs);
        pool.observe(performance.now() - leasedAt, end.wallMs, lease.created, end.cpuMs);
        this.#release(pool, instance, end.disposed);
        return { code: end.code, metrics: { cpuMs: end.cpuMs, wallMs: end.wallMs, cold: metrics.cold } };
      })
      : undefined;
    if (!finished) {
      if (result.kind === 'failure') this.#checkOverrun(pool, result.code, result.cpuMs);
      pool.observe(performance.now() - leasedAt, result.wallMs, lease.created, result.cpuMs);
      this.#release(pool, instance, result.kind === 'failure' && result.disposed);
    }
    switch (result.kind) {
      case 'response':
        return { kind: 'response', status: result.status, headers: result.headers, body: result.body, bodyStream: result.bodyStream, metrics, finished };
      case 'result':
        return { kind: 'result', payload: result.payload, metrics, finished };
      default:
        return { kind: 'failure', code: result.code, message: result.message, metrics };
    }
  }

  #release(pool: FunctionPool, instance: Instance, gone: boolean): void {
    // A quarantined version's instances left among other tenants are disposed as they come back.
    if (!gone && pool.quarantined && !instance.quarantined) {
      instance.handle.destroy();
      gone = true;
    }
    if (gone) this.#forget(instance);
    if (!pool.retired || gone) pool.release(instance, gone);
    // A removed version's instance is destroyed once its last lease is back.
    else if (--instance.leases === 0) this.#destroy(instance);
  }

  /**
   * A run of `pool`'s version killed for CPU went OVERRUN_MS past its limit: from now on its
   * instances are made in quarantine (Executor.create), and its idle ones elsewhere are disposed.
   */
  #checkOverrun(pool: FunctionPool, code: ErrorCode | 'OK', cpuMs: number): void {
    const limitMs = pool.version.limits.cpuMs;
    if (pool.quarantined || code !== 'CPU_LIMIT_EXCEEDED' || !(cpuMs > limitMs + OVERRUN_MS)) return;
    pool.quarantined = true;
    process.stderr.write(`atoll: ${pool.version.fnKey} used ${Math.round(cpuMs)} ms of CPU against a limit of ${limitMs} ms before it was stopped; its instances move to the quarantine host\n`);
    for (const instance of [...pool.idle]) if (!instance.quarantined) this.#destroy(instance);
  }

  /** Keep `concurrency.minWarm` instances of `version` ready. */
  prewarm(version: FunctionVersion): void {
    if (version.concurrency.minWarm > 0) this.#poolFor(version).warm(version.concurrency.minWarm);
  }

  /** A version is no longer reachable (function deleted): drop its instances and code. */
  retire(fnKey: string): void {
    const pool = this.#pools.get(fnKey);
    if (!pool) return;
    this.#pools.delete(fnKey);
    pool.retired = true;
    pool.rejectQueued(new AtollError('FUNCTION_NOT_FOUND', `function version ${fnKey} was removed`));
    for (const instance of [...pool.idle]) this.#destroy(instance);
    if (pool.size === 0) this.#executorFor(pool.version).undefine(fnKey);
  }

  /** Instances that died with their host or on their own. */
  onInstancesLost(instanceIds: number[]): void {
    for (const id of instanceIds) {
      const instance = this.#instances.get(id);
      if (!instance) continue;
      this.#forget(instance);
      if (instance.leases === 0) instance.pool.remove(instance);
    }
  }

  /** Scale to zero: destroy instances idle for longer than idleMs, keeping minWarm. */
  sweep(now: number): void {
    for (const [fnKey, pool] of this.#pools) {
      const keep = pool.version.concurrency.minWarm;
      for (const instance of [...pool.idle]) {
        if (pool.size <= keep) break;
        if (now - instance.lastUsedMs >= this.#options.idleMs) this.#destroy(instance);
      }
      // Instances lost with a crashed host are replaced, so minWarm holds again.
      if (pool.size < keep) pool.warm(keep);
      if (pool.size === 0 && pool.queued === 0 && keep === 0) {
        this.#pools.delete(fnKey);
        this.#executorFor(pool.version).undefine(fnKey);
      }
    }
  }

  /** Ask the executors how much memory each instance really uses, for the memory budget. */
  async refreshMemory(): Promise<void> {
    const reports = await Promise.all([this.#executors.isolates.memory(), this.#executors.workers.memory()]);
    for (const { instanceId, bytes } of reports.flat()) {
      const instance = this.#instances.get(instanceId);
      if (!instance) continue;
      this.#committedBytes += bytes - instance.heapBytes;
      instance.heapBytes = bytes;
    }
  }

  stats(): { pools: number; instances: number; idle: number; committedBytes: number } {
    return { pools: this.#pools.size, instances: this.#instances.size, idle: this.#idle.size, committedBytes: this.#committedBytes };
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const pool of this.#pools.values()) pool.rejectQueued(new AtollError('NOT_READY', 'the server is shutting down'));
  }

  #poolFor(version: FunctionVersion): FunctionPool {
    let pool = this.#pools.get(version.fnKey);
    if (!pool) {
      const executor = this.#executorFor(version);
      pool = new FunctionPool(version, {
        spawn: (p) => this.#spawn(p),
        idle: (instance) => {
          this.#idle.delete(instance.id);
          this.#idle.set(instance.id, instance);
        },
        taken: (instance) => this.#idle.delete(instance.id),
      }, this.#options.queueDepth, this.#options.queueWaitMs, { ...this.#options, aheadDepth: executor.aheadDepth ?? 1, sharedThread: executor.sharedThread === true });
      this.#pools.set(version.fnKey, pool);
    }
    return pool;
  }

  #spawn(pool: FunctionPool): Instance {
    const estimate = this.#options.instanceEstimateBytes;
    // Make room under the memory budget by evicting the least recently used idle instances.
    while (this.#committedBytes + estimate > this.#options.memoryBudgetBytes) {
      const victim = this.#idle.values().next();
      if (victim.done) break;
      this.#destroy(victim.value);
    }
    const id = this.#nextInstanceId++;
    const quarantined = pool.quarantined;
    const handle = this.#executorFor(pool.version).create(id, pool.version, quarantined);
    const instance: Instance = { id, handle, pool, lastUsedMs: Date.now(), leases: 1, served: false, heapBytes: estimate, quarantined };
    this.#instances.set(instance.id, instance);
    this.#committedBytes += estimate;
    return instance;
  }

  #destroy(instance: Instance): void {
    instance.handle.destroy();
    this.#forget(instance);
    instance.pool.remove(instance);
  }

  #executorFor(version: FunctionVersion): Executor {
    return version.runtime === 'js' ? this.#executors.isolates : this.#executors.workers;
  }

  #forget(instance: Instance): void {
    if (!this.#instances.delete(instance.id)) return;
    this.#idle.delete(instance.id);
    this.#committedBytes -= instance.heapBytes;
  }
}

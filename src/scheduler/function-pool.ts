/**
 * The instances of one function version. An instance serves one invocation at a time;
 * the pool grows with concurrent load up to `concurrency.max`, then queues briefly, and
 * answers TOO_MANY_REQUESTS when the queue is full or a request waited too long.
 */
import { AtollError } from '../errors/index.ts';
import type { InstanceHandle } from './executors.ts';
import type { FunctionVersion } from './types.ts';

export interface Instance {
  readonly id: number;
  readonly handle: InstanceHandle;
  readonly pool: FunctionPool;
  lastUsedMs: number;
  busy: boolean;
  heapBytes: number;
}

export interface Lease {
  instance: Instance;
  created: boolean;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: AtollError): void;
  timer: NodeJS.Timeout;
  scaleTimer: NodeJS.Timeout | undefined;
  /** performance.now() when it began to wait. */
  queuedAt: number;
}

const EWMA_WEIGHT = 0.1;
/** Scale out while the function's run time is at least this share of an instance's lease. */
const BUSY_RUNNING_SHARE = 0.5;
/** How long a waiter waits for an instance before the pool scales out without having observed a warm lease. */
const UNOBSERVED_SCALE_OUT_MS = 50;

/** How eagerly a pool adds instances (see `acquire`). */
export interface ScalingTuning {
  eagerInstances: number;
  scaleOutDelayMs: number;
}

export interface PoolHooks {
  /** Create an instance on some host (the scheduler picks the host and charges the budget). */
  spawn(pool: FunctionPool): Instance;
  /** An instance became idle. */
  idle(instance: Instance): void;
  /** An instance was taken from idle. */
  taken(instance: Instance): void;
}

export class FunctionPool {
  version: FunctionVersion;
  /** Set when the version was removed: instances are destroyed as they come back. */
  retired = false;
  readonly #hooks: PoolHooks;
  readonly #queueDepth: number;
  readonly #queueWaitMs: number;
  /** Idle instances, most recently used last (LIFO keeps the warmest ones busy). */
  readonly idle: Instance[] = [];
  readonly all = new Set<Instance>();
  #queue: Waiter[] = [];
  /** Moving averages of lease time and of the function's own run time, in ms. */
  #leaseMs = 0;
  #runMs = 0;

  readonly #tuning: ScalingTuning;

  constructor(version: FunctionVersion, hooks: PoolHooks, queueDepth: number, queueWaitMs: number, tuning: ScalingTuning) {
    this.version = version;
    this.#tuning = tuning;
    this.#hooks = hooks;
    this.#queueDepth = queueDepth;
    this.#queueWaitMs = queueWaitMs;
  }

  get size(): number {
    return this.all.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * An idle instance, a new one, or a place in the queue. Past `eagerInstances`, a request
   * that finds every instance busy waits `scaleOutDelayMs` for one to come free before a new
   * instance is made for it: short invocations are served by a few warm isolates instead of
   * a cold isolate per concurrent request, while sustained concurrency still scales out.
   */
  acquire(): Lease | Promise<Lease> {
    const instance = this.idle.pop();
    if (instance) {
      instance.busy = true;
      this.#hooks.taken(instance);
      return { instance, created: false };
    }
    const max = this.version.concurrency.max;
    if (this.all.size < max && (this.all.size < this.#tuning.eagerInstances || this.#tuning.scaleOutDelayMs === 0)) {
      return { instance: this.#spawnBusy(), created: true };
    }
    // Waiters up to the instances the pool may still add, plus the queue proper.
    if (this.#queue.length >= max - this.all.size + this.#queueDepth) {
      throw new AtollError('TOO_MANY_REQUESTS', `function ${this.version.name} is at its concurrency limit of ${max} and its queue is full`);
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#dequeue(waiter);
          reject(new AtollError('TOO_MANY_REQUESTS', `no instance of ${this.version.name} became free within ${this.#queueWaitMs} ms`));
        }, this.#queueWaitMs),
        scaleTimer: undefined,
        queuedAt: performance.now(),
      };
      this.#armScaleOut(waiter);
      this.#queue.push(waiter);
    });
  }

  /**
   * After the scale-out delay, a still-waiting request gets a new instance, if a new
   * instance would help: when the pool's leases are mostly spent running the function
   * (awaiting I/O, timers, or using a host's spare core), more instances mean more
   * throughput; when they are mostly spent queued on a busy sandbox host, another
   * instance would only add a cold start and spread the JIT's warm-up thinner.
   */
  #armScaleOut(waiter: Waiter): void {
    waiter.scaleTimer = setTimeout(() => {
      waiter.scaleTimer = undefined;
      if (this.all.size >= this.version.concurrency.max || !this.#queue.includes(waiter)) return;
      if (!this.#scaleOutHelps(performance.now() - waiter.queuedAt)) {
        this.#armScaleOut(waiter);
        return;
      }
      this.#dequeue(waiter);
      waiter.resolve({ instance: this.#spawnBusy(), created: true });
    }, this.#tuning.scaleOutDelayMs);
  }

  /**
   * Past the eager instances, the pool scales out on evidence. Until a warm lease has been
   * observed, a waiter gets a new instance only after UNOBSERVED_SCALE_OUT_MS: a burst of
   * requests at a new pool would otherwise get an instance each before the first answers
   * show whether more help (50 connections on a hello world made 50 isolates, which a
   * saturated host then cycled through, each with cold caches and JIT, at ~25 % less
   * throughput than 8). A slow, I/O-bound function still scales out, that much later.
   */
  #scaleOutHelps(waitedMs: number): boolean {
    if (this.all.size < this.#tuning.eagerInstances) return true;
    if (this.#leaseMs === 0) return waitedMs >= UNOBSERVED_SCALE_OUT_MS;
    return this.#runMs >= this.#leaseMs * BUSY_RUNNING_SHARE;
  }

  /** Record one finished lease: how long the instance was out, and how long the function ran. */
  observe(leaseMs: number, runMs: number): void {
    if (!Number.isFinite(leaseMs) || !Number.isFinite(runMs)) return;
    this.#leaseMs = this.#leaseMs === 0 ? leaseMs : this.#leaseMs + EWMA_WEIGHT * (leaseMs - this.#leaseMs);
    this.#runMs = this.#runMs === 0 ? runMs : this.#runMs + EWMA_WEIGHT * (runMs - this.#runMs);
  }

  #dequeue(waiter: Waiter): boolean {
    const index = this.#queue.indexOf(waiter);
    if (index === -1) return false;
    this.#queue.splice(index, 1);
    clearTimeout(waiter.timer);
    if (waiter.scaleTimer) clearTimeout(waiter.scaleTimer);
    return true;
  }

  /** Give an instance back after an invocation; `gone` when it was disposed. */
  release(instance: Instance, gone: boolean): void {
    instance.lastUsedMs = Date.now();
    if (gone) {
      this.remove(instance);
      this.#serveQueue();
      return;
    }
    const waiter = this.#queue.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      if (waiter.scaleTimer) clearTimeout(waiter.scaleTimer);
      waiter.resolve({ instance, created: false });
      return;
    }
    instance.busy = false;
    this.idle.push(instance);
    this.#hooks.idle(instance);
  }

  /** Forget an instance (disposed, evicted, or its host died). */
  remove(instance: Instance): void {
    if (!this.all.delete(instance)) return;
    const index = this.idle.indexOf(instance);
    if (index >= 0) this.idle.splice(index, 1);
    this.#serveQueue();
  }

  /** Create idle instances until `count` exist. */
  warm(count: number): Instance[] {
    const created: Instance[] = [];
    while (this.all.size < Math.min(count, this.version.concurrency.max)) {
      const instance = this.#spawnBusy();
      instance.busy = false;
      this.idle.push(instance);
      this.#hooks.idle(instance);
      created.push(instance);
    }
    return created;
  }

  /** Fail every queued request (the function was deleted or the server is closing). */
  rejectQueued(error: AtollError): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const waiter of queue) {
      clearTimeout(waiter.timer);
      if (waiter.scaleTimer) clearTimeout(waiter.scaleTimer);
      waiter.reject(error);
    }
  }

  #spawnBusy(): Instance {
    const instance = this.#hooks.spawn(this);
    instance.busy = true;
    this.all.add(instance);
    return instance;
  }

  #serveQueue(): void {
    if (this.#queue.length === 0 || this.all.size >= this.version.concurrency.max) return;
    const waiter = this.#queue.shift()!;
    clearTimeout(waiter.timer);
    if (waiter.scaleTimer) clearTimeout(waiter.scaleTimer);
    waiter.resolve({ instance: this.#spawnBusy(), created: true });
  }
}

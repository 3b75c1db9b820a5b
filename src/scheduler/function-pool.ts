/**
 * The instances of one function version. An instance serves one invocation at a time;
 * the pool grows with concurrent load up to `concurrency.max`, then queues briefly, and
 * answers TOO_MANY_REQUESTS when the queue is full or a request waited too long. While
 * short invocations saturate their sandbox host, a busy instance may also be given a few
 * invocations ahead, which its host runs one after another (see `#dispatchAhead`).
 */
import { AtollError } from '../errors/index.ts';
import type { InstanceHandle } from './executors.ts';
import type { FunctionVersion } from './types.ts';

export interface Instance {
  readonly id: number;
  readonly handle: InstanceHandle;
  readonly pool: FunctionPool;
  lastUsedMs: number;
  /** Invocations given to the instance and not yet given back: its host runs them one at a time. */
  leases: number;
  /** It has finished an invocation: booted, warm, fit to be dispatched ahead to. */
  served: boolean;
  heapBytes: number;
  /** Made after its pool was quarantined (placed apart from other tenants). */
  quarantined: boolean;
}

export interface Lease {
  instance: Instance;
  created: boolean;
  /** Dispatched ahead to a busy instance: it starts when the ones before it have settled. */
  ahead: boolean;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: AtollError): void;
  /** performance.now() when it began to wait. */
  queuedAt: number;
  /**
   * May be given to a busy instance (dispatched ahead). Not a retry (handed back unstarted
   * once) nor a large body (AHEAD_MAX_BODY_BYTES): they wait for a free instance.
   */
  mayGoAhead: boolean;
}

const EWMA_WEIGHT = 0.1;
/** Scale out while the function's run time (for isolates: its awaits) is at least this share of an instance's lease. */
const BUSY_RUNNING_SHARE = 0.5;
/** How long a waiter waits for an instance before the pool scales out without having observed a lease. */
const UNOBSERVED_SCALE_OUT_MS = 50;
/** How often a queue is looked at when the pool never scales out by delay (scaleOutDelayMs 0): for waiters past queueWaitMs. */
const QUEUE_CHECK_MS = 10;
/** Invocations are dispatched ahead only while the function's average run (wall) time is at most this. */
const AHEAD_MAX_RUN_MS = 2;
/**
 * Requests with a larger body are never dispatched ahead. A held invocation keeps its body in
 * its host as well as in the gateway, and a host may hold 16 per instance; and moving a large
 * body costs more than the round trip that dispatching ahead saves.
 */
export const AHEAD_MAX_BODY_BYTES = 64 * 1024;

/** How eagerly a pool adds instances (see `acquire`). */
export interface ScalingTuning {
  eagerInstances: number;
  scaleOutDelayMs: number;
  /** Most invocations one instance may hold, the running one included (1: never dispatch ahead). */
  aheadDepth: number;
  /**
   * The instances share their host's one thread (isolates), so CPU time one spends is not
   * there for the others: beyond the eager instances only awaits call for more. Processes
   * of their own (language workers) scale out on run time.
   */
  sharedThread?: boolean;
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
  /** A run of this version went far past its CPU limit (Scheduler, OVERRUN_MS): new instances go to the quarantine. */
  quarantined = false;
  readonly #hooks: PoolHooks;
  readonly #queueDepth: number;
  readonly #queueWaitMs: number;
  /** Idle instances, most recently used last (LIFO keeps the warmest ones busy). */
  readonly idle: Instance[] = [];
  readonly all = new Set<Instance>();
  /** Requests waiting for an instance, oldest first. */
  #queue: Waiter[] = [];
  /** The instance that takes nobody ahead, so it comes free for a waiter at the queue's head that may not go ahead. */
  #draining: Instance | undefined;
  /** Set while the queue is not empty: one timer per pool, not one per waiter (see #checkQueue). */
  #queueTimer: NodeJS.Timeout | undefined;
  /** Moving averages of lease time, of the function's own run time, and of the CPU time of that run, in ms. */
  #leaseMs = 0;
  #runMs = 0;
  #cpuMs = 0;
  /** The averages hold one cold lease, no warm one yet. */
  #coldEvidence = false;

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
   * `mayGoAhead` false (a large body, AHEAD_MAX_BODY_BYTES) keeps it from being dispatched ahead.
   *
   * The queue is first come, first served: a request is not dispatched ahead past waiters.
   * A waiter that may not go ahead gets the first instance that comes free, and while it
   * heads the queue one busy instance takes nobody ahead, so that one does (see `release`).
   * Passed over, a retry or a large body could wait under sustained load until queueWaitMs
   * and be refused.
   */
  acquire(retry = false, mayGoAhead = true): Lease | Promise<Lease> {
    const instance = this.idle.pop();
    if (instance) {
      instance.leases = 1;
      this.#hooks.taken(instance);
      return { instance, created: false, ahead: false };
    }
    const max = this.version.concurrency.max;
    if (this.all.size < max && (this.all.size < this.#tuning.eagerInstances || this.#tuning.scaleOutDelayMs === 0)) {
      return { instance: this.#spawnBusy(), created: true, ahead: false };
    }
    // A retry (handed back unstarted) is not dispatched ahead again: an idle or new instance, or the queue.
    const ahead = retry || !mayGoAhead || this.#queue.length > 0 ? undefined : this.#dispatchAhead();
    if (ahead) {
      ahead.leases++;
      return { instance: ahead, created: false, ahead: true };
    }
    // Waiters up to the instances the pool may still add, plus the queue proper. A retry was
    // admitted already: it goes first, whatever the queue holds.
    if (!retry && this.#queue.length >= max - this.all.size + this.#queueDepth) {
      throw new AtollError('TOO_MANY_REQUESTS', `function ${this.version.name} is at its concurrency limit of ${max} and its queue is full`);
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter = { resolve, reject, queuedAt: performance.now(), mayGoAhead: mayGoAhead && !retry };
      if (retry) this.#queue.unshift(waiter);
      else this.#queue.push(waiter);
      // Behind others it waits its turn; the room they leave, if any, goes to them first.
      this.#fillAhead();
      this.#armQueueCheck();
    });
  }

  #armQueueCheck(): void {
    if (this.#queueTimer || this.#queue.length === 0) return;
    this.#queueTimer = setTimeout(this.#checkQueue, this.#tuning.scaleOutDelayMs > 0 ? this.#tuning.scaleOutDelayMs : QUEUE_CHECK_MS);
  }

  /**
   * Every scale-out delay while requests wait: the oldest waiters past queueWaitMs get
   * TOO_MANY_REQUESTS, and a waiter that has waited the delay gets a new instance if a new
   * instance would help: when the pool's leases are mostly spent in the function's awaits
   * (I/O, timers; for a language worker, any running), more instances mean more
   * throughput; when they are mostly spent on a host's CPU or queued on a busy sandbox
   * host, another instance would only add a cold start and spread the JIT's warm-up thinner.
   * The pool at most doubles per check, so that the evidence is looked at again as it
   * grows: on one early lease that happened to run long, a burst of 50 requests at a hello
   * world made 50 isolates, which its host then cycled through at half the throughput.
   */
  readonly #checkQueue = (): void => {
    this.#queueTimer = undefined;
    const now = performance.now();
    while (this.#queue.length > 0 && now - this.#queue[0]!.queuedAt >= this.#queueWaitMs) {
      this.#queue.shift()!.reject(new AtollError('TOO_MANY_REQUESTS', `no instance of ${this.version.name} became free within ${this.#queueWaitMs} ms`));
    }
    let room = Math.max(1, this.all.size);
    while (room > 0 && this.#queue.length > 0 && this.#tuning.scaleOutDelayMs > 0 && this.all.size < this.version.concurrency.max) {
      const waited = now - this.#queue[0]!.queuedAt;
      if (waited < this.#tuning.scaleOutDelayMs || !this.#scaleOutHelps(waited)) break;
      this.#queue.shift()!.resolve({ instance: this.#spawnBusy(), created: true, ahead: false });
      room--;
    }
    this.#armQueueCheck();
  };

  /**
   * The busy instance with the fewest invocations, when giving it one more is better than
   * the queue: the function's runs are short (AHEAD_MAX_RUN_MS) and its leases are mostly
   * spent waiting on a saturated sandbox host, the case where scaling out does not help
   * either (#scaleOutHelps). A host then gets several invocations per instance in one
   * write and starts each as soon as the one before it settles, instead of a round trip
   * through the gateway per invocation: on a saturated core that round trip, with its two
   * context switches, costs more than the invocation itself (bench/README.md, hello-http).
   * Only instances that have served an invocation (booted, warm) are chosen; the host
   * sends back what it could not start soon, and the scheduler runs it elsewhere.
   */
  #dispatchAhead(except?: Instance): Instance | undefined {
    if (!this.#aheadHelps()) return undefined;
    let best: Instance | undefined;
    for (const instance of this.all) {
      if (instance === except || instance.leases === 0) continue;
      if (instance.served && instance.leases < this.#tuning.aheadDepth && (!best || instance.leases < best.leases)) best = instance;
    }
    return best;
  }

  /**
   * Queued waiters that may go ahead, oldest first, to busy instances with room, while
   * dispatching ahead helps. While the head of the queue may not go ahead, the least loaded
   * instance drains for it (#draining takes nobody ahead) and the others go on with the
   * waiters behind it.
   */
  #fillAhead(): void {
    if (this.#queue.length === 0 || !this.#aheadHelps()) return;
    for (;;) {
      const head = this.#queue[0];
      if (!head) return;
      let index = 0;
      if (!head.mayGoAhead) {
        if (!this.#draining || !this.all.has(this.#draining)) {
          this.#draining = undefined;
          for (const candidate of this.all) if (!this.#draining || candidate.leases < this.#draining.leases) this.#draining = candidate;
        }
        index = this.#queue.findIndex((waiter) => waiter.mayGoAhead);
        if (index < 0) return;
      }
      const instance = this.#dispatchAhead(head.mayGoAhead ? undefined : this.#draining);
      if (!instance) return;
      const [waiter] = this.#queue.splice(index, 1);
      instance.leases++;
      waiter!.resolve({ instance, created: false, ahead: true });
    }
  }

  #aheadHelps(): boolean {
    if (this.#tuning.aheadDepth <= 1 || this.#leaseMs === 0 || this.#coldEvidence || this.#runMs > AHEAD_MAX_RUN_MS) return false;
    return !this.#leasesMostlyRunning();
  }

  /** The observed leases are mostly spent running the function, not waiting on its host. */
  #leasesMostlyRunning(): boolean {
    return this.#runMs >= this.#leaseMs * BUSY_RUNNING_SHARE;
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
    // A cold lease's run and lease are both mostly start-up and first-run JIT: no evidence either way.
    if (this.#leaseMs === 0 || this.#coldEvidence) return waitedMs >= UNOBSERVED_SCALE_OUT_MS;
    return this.#tuning.sharedThread ? this.#leasesMostlyAwaiting() : this.#leasesMostlyRunning();
  }

  /**
   * The observed leases are mostly spent in the function's awaits (I/O, timers), not on CPU
   * nor waiting on its host: for isolates (`sharedThread`), only then do more instances serve
   * more. A sandbox host runs one guest at a time, and the eager instances already put one
   * on each host; a run that is long on CPU (a heavy function, or the first runs of a fresh
   * or compacted isolate, still cold in the JIT: 2-3 ms for a hello world) asks for no more.
   * Taken for a sign of I/O, such runs grew a hello world's pool to 50 instances in a burst.
   */
  #leasesMostlyAwaiting(): boolean {
    return this.#runMs - this.#cpuMs >= this.#leaseMs * BUSY_RUNNING_SHARE;
  }

  /**
   * Record one finished lease: how long the instance was out, how long the function ran,
   * and the CPU time of that run. A cold lease (its instance was made for it) also spent the
   * start-up: it is evidence only until the first warm lease, which then replaces it.
   */
  observe(leaseMs: number, runMs: number, cold = false, cpuMs = 0): void {
    if (!Number.isFinite(leaseMs) || !Number.isFinite(runMs)) return;
    if (!Number.isFinite(cpuMs)) cpuMs = runMs;
    if (cold || this.#coldEvidence || this.#leaseMs === 0) {
      if (cold && this.#leaseMs > 0) return;
      this.#leaseMs = leaseMs;
      this.#runMs = runMs;
      this.#cpuMs = cpuMs;
      this.#coldEvidence = cold;
      return;
    }
    this.#leaseMs += EWMA_WEIGHT * (leaseMs - this.#leaseMs);
    this.#runMs += EWMA_WEIGHT * (runMs - this.#runMs);
    this.#cpuMs += EWMA_WEIGHT * (cpuMs - this.#cpuMs);
  }

  /**
   * Give back one lease of an instance after an invocation; `gone` when the instance was
   * disposed. A free instance takes the oldest waiter; the room a busy one has goes to
   * waiters that may go ahead (`#fillAhead`).
   */
  release(instance: Instance, gone: boolean): void {
    instance.lastUsedMs = Date.now();
    instance.leases--;
    if (gone) {
      this.remove(instance);
      this.#serveQueue();
      return;
    }
    // A lease dispatched ahead to an instance that was disposed meanwhile comes back after it.
    if (!this.all.has(instance)) return;
    instance.served = true;
    if (instance.leases > 0) {
      this.#fillAhead();
      return;
    }
    if (this.#draining === instance) this.#draining = undefined;
    const waiter = this.#queue.shift();
    if (waiter) {
      instance.leases = 1;
      waiter.resolve({ instance, created: false, ahead: false });
      this.#fillAhead();
      return;
    }
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
      instance.leases = 0;
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
    clearTimeout(this.#queueTimer);
    this.#queueTimer = undefined;
    for (const waiter of queue) waiter.reject(error);
  }

  #spawnBusy(): Instance {
    const instance = this.#hooks.spawn(this);
    instance.leases = 1;
    this.all.add(instance);
    return instance;
  }

  #serveQueue(): void {
    if (this.#queue.length === 0 || this.all.size >= this.version.concurrency.max) return;
    this.#queue.shift()!.resolve({ instance: this.#spawnBusy(), created: true, ahead: false });
  }
}

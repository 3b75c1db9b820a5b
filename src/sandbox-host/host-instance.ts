/**
 * One instance of a function version inside a sandbox host: a guest isolate with the
 * function loaded, serving one invocation at a time. It arms the watchdog around every
 * entry into the guest, turns the guest's answer (or its death) into a ResultMessage,
 * and runs the guest's timers. Invocations the gateway dispatched ahead wait in order and
 * start one after another (see AHEAD_WAIT_MS).
 */
import type { ErrorCode } from '../errors/index.ts';
import type { GuestResult, LogLevel } from '../../sandbox/src/bridge.ts';
import type { GuestIsolate, Kill, Watchdog } from './isolate.ts';
import { AHEAD_WAIT_MS, type CreateMessage, type EndMessage, type FinishedMessage, type InvokeMessage, type LogRecord, type ResultMessage } from './messages.ts';
import type { StackMapper } from './stack-map.ts';
import { hostOps, opErrorValue, type HostOpSettings, type OpContext } from './host-ops/index.ts';
import { ALLOCATION_FAILURE, classifyDeath, describeThrown, isAllocationFailure, isUnhandledRejection } from './guest-failures.ts';

export type InstanceSpec = CreateMessage;

/** The host-wide limits an instance starts under. */
export interface StartupLimits {
  startupCpuMs: number;
  startupTimeoutMs: number;
  maxResponseBytes: number;
}

export interface InstanceEnvironment {
  watchdog: Watchdog;
  settings: HostOpSettings;
  send(header: ResultMessage, body?: Uint8Array): void;
  /** A chunk of a streamed response body. */
  chunk(id: number, bytes: Uint8Array): void;
  end(message: EndMessage): void;
  finished(message: FinishedMessage): void;
  log(record: LogRecord): void;
  /** The instance is gone; `reason` is set when the gateway was not told through a result. */
  onGone(instanceId: number, reason?: string): void;
  /**
   * An invocation of a free instance with nothing held may start at once: every frame so far
   * is in the socket, so it is its instance's oldest without a result (StartLog). Otherwise
   * it is held for the host's next round.
   */
  mayStartAtOnce(): boolean;
  /** The instance has held invocations and is free: the host starts them in its next round (`startHeld`). */
  startSoon(instance: HostInstance): void;
}

/** An invocation waiting for the instance: for its module to load, or for the invocations before it. */
interface Held {
  message: InvokeMessage;
  body: ArrayBuffer | undefined;
  /** The client went away while it waited: it starts with its request's signal aborted. */
  cancelled: boolean;
}

interface Invocation {
  message: InvokeMessage;
  body: ArrayBuffer | undefined;
  startCpuMs: number;
  /** From the first entry into the guest (see #enter). */
  startWallMs: number;
  entered: boolean;
  /** The client went away (cancel). */
  clientGone: boolean;
  deadlineMs: number;
  /** The wall-clock timeout while the invocation waits outside the guest (see #start). */
  timer: NodeJS.Timeout | undefined;
  /** The response went out but the invocation goes on (a streamed body, waitUntil work). */
  responded: boolean;
  stream: ResponseStream | undefined;
  /** The streamed body ended with an error (the client got a truncated body). */
  streamError: boolean;
  /** Created on the first host operation; aborted when the invocation is over. */
  ops: { context: OpContext; abort: AbortController } | undefined;
  pendingOps: number;
}

/** Flow control of a streamed body: the gateway grants credit, one chunk per credit, and the runtime spends it. */
interface ResponseStream {
  /** Chunks granted and not yet received: a chunk beyond them is refused. */
  credit: number;
  ended: boolean;
}

/** Slack between the host's own wall timer and the watchdog's, so the timer wins when the guest is idle. */
const WATCHDOG_WALL_SLACK_MS = 50;
const MAX_TIMERS = 10_000;
/** Host operations one invocation may have in flight: each holds copies of its arguments in the host. */
const MAX_PENDING_OPS = 256;
/** CPU a lazy module of the runtime may take to evaluate, not counted against the invocation. */
const LAZY_MODULE_BUDGET_MS = 250;
/** Idle isolates with more heap than this are not compacted (a full collection of it would stall the host). */
const COMPACT_MAX_HEAP_BYTES = 16 * 1024 * 1024;
const COMPACT_AFTER_GROWTH_BYTES = 512 * 1024;
/**
 * An instance that served this many invocations since its last compaction is busy: it is
 * compacted again only after BUSY_COMPACT_IDLE_MS of quiet. A compacted isolate runs its next
 * few thousand invocations up to twice as slow (measured: a warm hello world through
 * GuestIsolate.invoke, 7.5 µs before, 15-17 µs for the first 2,000 after, with the page
 * faults of a heap that grows again), so a function that gets a burst every few seconds
 * paid it on every burst: ~10 % fewer requests a second over the first 2 s after each
 * pause of 5 s, and two to four times the p99. Its garbage is what one burst leaves.
 */
const BUSY_INVOCATIONS = 1000;
const BUSY_COMPACT_IDLE_MS = 30_000;
/** Invocations an instance holds at most (ServerConfig.dispatchAhead is capped at it). */
const MAX_HELD = 64;

/**
 * The CPU time of a run the watchdog killed. The watchdog reads the isolate's clock when it
 * strikes, but the guest runs on until V8 acts on the termination, and a disposed isolate's
 * clock can no longer be read: the host thread's own clock over the entry measures that part.
 * The larger of the two is recorded (the first also covers the run's earlier entries).
 */
function cpuAtKill(verdict: Kill, startCpuMs: number, entryCpu: NodeJS.CpuUsage): number {
  const entry = process.threadCpuUsage(entryCpu);
  return Math.max(verdict.isolateCpuMs - startCpuMs, (entry.user + entry.system) / 1000);
}

export class HostInstance {
  readonly id: number;
  readonly spec: InstanceSpec;
  readonly #env: InstanceEnvironment;
  #guest: GuestIsolate | undefined;
  /** The module has run its top level (or failed to): invocations may start. */
  #loaded = false;
  #mapper: StackMapper | undefined;
  #failure: { code: ErrorCode; message: string; cpuMs: number; wallMs: number } | undefined;
  #current: Invocation | undefined;
  /** Waiting invocations, oldest first. */
  #held: Held[] = [];
  /** Armed while invocations are held behind a running one (see #checkHeld). */
  #heldTimer: NodeJS.Timeout | undefined;
  #timers = new Map<number, NodeJS.Timeout>();
  #deferredTimers: number[] = [];
  #cold = true;
  #gone = false;
  #nextCallId = 1;
  /** Isolate CPU time when the runtime asked for a lazy module's source, and how deep the loads nest. */
  #lazyStartCpuMs: number | undefined;
  #lazyDepth = 0;
  /** True while the main thread is inside a call into the guest (load, invoke, timer). */
  #inGuest = false;
  /** A destroy requested from inside the guest's own callback, carried out once the call returns. */
  #destroyAfterEntry: { reason: string | undefined } | undefined;
  /** When the last invocation settled, until the idle isolate is compacted (compactIfIdle). */
  #idleSinceMs: number | undefined;
  /** Heap used right after the last compaction. */
  #compactedHeapBytes: number | undefined;
  /** Invocations settled since the last compaction. */
  #settledSinceCompaction = 0;

  constructor(spec: InstanceSpec, env: InstanceEnvironment) {
    this.id = spec.instanceId;
    this.spec = spec;
    this.#env = env;
  }

  /** The instance could not be created: every invocation on it fails with this. */
  fail(code: ErrorCode, message: string): void {
    this.#failure = { code, message, cpuMs: 0, wallMs: 0 };
    this.#drainQueued();
  }

  /** Load the function into its isolate under the start-up CPU budget. */
  attach(guest: GuestIsolate, code: string, filename: string, mapper: StackMapper, limits: StartupLimits): void {
    const { startupCpuMs, startupTimeoutMs, maxResponseBytes } = limits;
    this.#guest = guest;
    this.#mapper = mapper;
    if (this.#gone) {
      guest.dispose();
      this.#env.watchdog.release(guest);
      return;
    }
    guest.setHooks({
      log: (level, text) => this.#log(level, text),
      setTimer: (id, delayMs) => this.#setTimer(id, delayMs),
      clearTimer: (id) => this.#clearTimer(id),
      done: (id, result) => this.#done(id, result),
      call: (op, args) => this.#call(op, args),
      chunk: (id, chunk) => this.#chunk(id, chunk),
      end: (id, error) => this.#end(id, error),
      finished: (id) => this.#finished(id),
      lazyStart: () => this.#lazyStart(),
      lazyLoaded: () => this.#lazyLoaded(),
    });
    this.#env.watchdog.whenRunning(() => {
      const { watchdog } = this.#env;
      const startCpuMs = guest.cpuMs;
      const startWallMs = performance.now();
      watchdog.arm(guest, startCpuMs + startupCpuMs, Date.now() + startupTimeoutMs, startCpuMs);
      let thrown: unknown;
      let result;
      this.#inGuest = true;
      const entryCpu = process.threadCpuUsage();
      try {
        result = guest.load(code, filename, { ...this.spec.env }, {
          name: this.spec.name,
          version: this.spec.version,
          memoryMb: this.spec.limits.memoryMb,
          maxResponseBytes,
        });
      } catch (error) {
        thrown = error;
      }
      const verdict = watchdog.disarm(guest);
      this.#leaveGuest();
      // What a failed start-up cost is charged to the invocation that waited for it.
      const cost = () => ({
        cpuMs: verdict ? cpuAtKill(verdict, startCpuMs, entryCpu) : guest.isDisposed ? Number.NaN : guest.cpuMs - startCpuMs,
        wallMs: performance.now() - startWallMs,
      });
      this.#loaded = true;
      if (verdict || guest.isDisposed || thrown) {
        const { code: failure, message } = classifyDeath(verdict, thrown, guest, 'start-up');
        this.#log('error', `instance failed to start: ${message}`);
        this.#failure = { code: failure, message, ...cost() };
      } else if (result!.kind === 'error') {
        this.#log('error', `Uncaught ${this.#mapper!.map(result!.stack || `${result!.name}: ${result!.message}`)}`);
        this.#failure = { code: 'FUNCTION_ERROR', message: 'the module threw at top level', ...cost() };
      } else if (result!.kind === 'invalid') {
        this.#log('error', result!.message);
        this.#failure = { code: 'INVALID_BUNDLE', message: result!.message, ...cost() };
      }
      this.#drainQueued();
    });
  }

  invoke(message: InvokeMessage, body: ArrayBuffer | undefined): void {
    const held: Held = { message, body, cancelled: false };
    // Until the module has loaded, an invocation waits: its guest is set as soon as the load
    // is asked for, but the load can be deferred (a watchdog pause), and an invocation
    // started meanwhile would be charged the module's top level against its CPU limit.
    const waiting = this.#current !== undefined || (!this.#loaded && !this.#failure);
    if (!waiting && this.#held.length === 0 && this.#env.mayStartAtOnce()) {
      this.#start(held);
      return;
    }
    if (this.#held.length >= MAX_HELD) {
      this.#env.send(failure(message.id, 'WORKER_CRASHED', 'instance is busy', false, true));
      return;
    }
    this.#held.push(held);
    // Frames before it are not all in the socket (e.g. the result of the one before it, run
    // from the same read): it starts in the host's next round, which records it first.
    if (!waiting) this.#env.startSoon(this);
    this.#watchHeld();
  }

  /** Free, with invocations held: the host's round may start them (or fail them, if the instance could not be made). */
  get startable(): boolean {
    return this.#held.length > 0 && !this.#current && !this.#gone && !this.#inGuest && (this.#loaded || this.#failure !== undefined);
  }

  /** The ids of the held invocations, oldest first: what a round may start, for the host's StartLog. */
  heldIds(ids: number[]): void {
    for (const held of this.#held) ids.push(held.message.id);
  }

  /** Start held invocations one after another while each settles at once (the host's round). */
  startHeld(): void {
    while (this.startable) this.#start(this.#held.shift()!);
  }

  /** Arm #checkHeld while invocations wait behind a running one. */
  #watchHeld(): void {
    if (this.#held.length > 0 && this.#current) this.#heldTimer ??= setTimeout(this.#checkHeld, AHEAD_WAIT_MS);
  }

  /**
   * Invocations held behind one that has run for AHEAD_WAIT_MS (awaiting I/O, a timer, a
   * slow stream) go back to the gateway unstarted, which runs them on another instance:
   * dispatching ahead must not make them wait for a slow neighbour.
   */
  readonly #checkHeld = (): void => {
    this.#heldTimer = undefined;
    const current = this.#current;
    if (this.#held.length === 0 || !current) return;
    const ranMs = performance.now() - current.startWallMs;
    if (ranMs >= AHEAD_WAIT_MS) this.#handBack(false);
    else this.#heldTimer = setTimeout(this.#checkHeld, AHEAD_WAIT_MS - ranMs);
  };

  /** Every held invocation goes back to the gateway, unstarted; `disposed` when the instance is gone. */
  #handBack(disposed: boolean): void {
    clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    const held = this.#held;
    this.#held = [];
    for (const { message } of held) {
      this.#env.send(failure(message.id, 'WORKER_CRASHED', 'handed back unstarted', disposed, true));
    }
  }

  heapUsedBytes(): number {
    return this.#guest?.heapUsedBytes() ?? 0;
  }

  destroy(reason?: string): void {
    if (this.#gone) return;
    if (this.#inGuest) {
      // A `done` callback runs on this isolate's own stack: disposing it there, or releasing
      // its watchdog slot before the entry disarms it, crashes the host. Finish after the call.
      this.#destroyAfterEntry ??= { reason };
      return;
    }
    this.#gone = true;
    this.#handBack(true);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#guest) {
      this.#guest.dispose();
      this.#env.watchdog.release(this.#guest);
    }
    this.#env.onGone(this.id, reason);
  }

  /** The isolate is loaded, or failed to: the invocation that waited for it starts. */
  #drainQueued(): void {
    const first = this.#held.shift();
    if (first) this.#start(first);
  }

  #start(held: Held): void {
    const { message, body } = held;
    if (this.#failure || !this.#guest || this.#guest.isDisposed) {
      const { code, message: text, cpuMs, wallMs } = this.#failure ?? { code: 'WORKER_CRASHED' as const, message: 'instance is gone', cpuMs: 0, wallMs: 0 };
      this.#env.send({ ...failure(message.id, code, text, true), cpuMs, wallMs });
      this.destroy();
      return;
    }
    const deadlineMs = Date.now() + this.spec.limits.timeoutMs;
    const invocation: Invocation = {
      message,
      body,
      startCpuMs: this.#guest.cpuMs,
      startWallMs: performance.now(),
      entered: false,
      clientGone: false,
      deadlineMs,
      timer: undefined,
      responded: false,
      stream: undefined,
      streamError: false,
      ops: undefined,
      pendingOps: 0,
    };
    this.#current = invocation;
    this.#enter(invocation, (guest) => guest.invoke(message.id, message.request, body));
    // Timers that fell due while the instance was idle run now, as after a Lambda thaw.
    const deferred = this.#deferredTimers;
    this.#deferredTimers = [];
    for (const id of deferred) this.#fireTimer(id);
    if (held.cancelled) this.cancel(message.id);
    // Most invocations are over by now (their promises settle inside the guest call): only
    // one that waits (for I/O, a timer, the watchdog to let it in, or its streamed body)
    // needs a timer for its deadline. The watchdog holds the deadline while it is in the guest.
    if (this.#current === invocation) {
      invocation.timer = setTimeout(() => this.#timedOut(invocation), Math.max(0, deadlineMs - Date.now()));
    }
    this.#watchHeld();
  }

  /** Every entry into guest code goes through here: watchdog armed, death classified. */
  #enter(invocation: Invocation, fn: (guest: GuestIsolate) => void): void {
    const { watchdog } = this.#env;
    watchdog.whenRunning(() => {
      const guest = this.#guest;
      if (!guest || this.#current !== invocation) return;
      // The guest's CPU time now: read at the start for the first entry, again for later ones (timers, host calls).
      const cpuNowMs = invocation.entered ? guest.cpuMs : invocation.startCpuMs;
      if (!invocation.entered) {
        // The function's wall time starts here: a wait for the watchdog (paused while it takes
        // on new isolates, e.g. in a burst of cold starts) is the platform's, not the function's,
        // and the scheduler reads wall time as the function's own (FunctionPool.observe).
        invocation.entered = true;
        invocation.startWallMs = performance.now();
      }
      const cpuLimitMs = invocation.startCpuMs + Math.min(this.spec.limits.cpuMs, this.spec.limits.timeoutMs);
      watchdog.arm(guest, cpuLimitMs, invocation.deadlineMs + WATCHDOG_WALL_SLACK_MS, cpuNowMs);
      let thrown: unknown;
      this.#inGuest = true;
      const entryCpu = process.threadCpuUsage();
      try {
        fn(guest);
      } catch (error) {
        thrown = error;
      }
      const verdict = watchdog.disarm(guest);
      this.#leaveGuest();
      if (!verdict && !guest.isDisposed && thrown !== undefined && isUnhandledRejection(thrown)) {
        // isolated-vm reports a promise still rejected without a handler when the call returns
        // by throwing its reason. The runtime's entry points never throw, so that is what this
        // is: logged, as Workers does, and the invocation goes on (it may still handle it later).
        this.#log('error', `Uncaught (in promise) ${this.#mapper!.map(describeThrown(thrown))}`, invocation.message.request.requestId);
        thrown = undefined;
      }
      if (this.#current !== invocation) return; // finished during the call
      if (verdict || guest.isDisposed || thrown !== undefined) {
        const { code, message } = classifyDeath(verdict, thrown, guest, 'invocation');
        const cpuMs = verdict ? cpuAtKill(verdict, invocation.startCpuMs, entryCpu) : undefined;
        this.#finishFailure(invocation, code, message, true, cpuMs);
      }
    });
  }

  #leaveGuest(): void {
    this.#inGuest = false;
    const deferred = this.#destroyAfterEntry;
    this.#destroyAfterEntry = undefined;
    if (deferred) this.destroy(deferred.reason);
  }

  #timedOut(invocation: Invocation): void {
    if (this.#current !== invocation) return;
    this.#finishFailure(invocation, 'FUNCTION_TIMEOUT', `the function did not respond within ${this.spec.limits.timeoutMs} ms`, true);
  }

  #done(id: number, result: GuestResult): void {
    const invocation = this.#current;
    if (!invocation || invocation.message.id !== id) return;
    const cpuMs = this.#guest!.cpuMs - invocation.startCpuMs;
    const wallMs = performance.now() - invocation.startWallMs;
    const cold = this.#cold;
    switch (result.kind) {
      case 'response': {
        const open = result.finishLater === true;
        if (open) this.#respondOpen(invocation, result.stream === true);
        else this.#settle(invocation);
        this.#env.send(
          { id, kind: 'response', status: result.status, headers: result.headers, stream: result.stream === true, open, cpuMs, wallMs, cold },
          // Text bodies arrive as strings: Buffer.from encodes natively (lone surrogates → U+FFFD).
          result.body === null || result.stream === true ? undefined : typeof result.body === 'string' ? Buffer.from(result.body, 'utf8') : new Uint8Array(result.body),
        );
        return;
      }
      case 'result': {
        const open = result.finishLater === true;
        if (open) this.#respondOpen(invocation, false);
        else this.#settle(invocation);
        this.#env.send({ id, kind: 'result', payload: result.payload, open, cpuMs, wallMs, cold });
        return;
      }
      case 'error': {
        if (isAllocationFailure(result)) {
          this.#finishFailure(invocation, 'MEMORY_LIMIT_EXCEEDED', 'an allocation exceeded the memory limit', true);
          return;
        }
        const stack = result.stack || `${result.name}: ${result.message}`;
        this.#log('error', `Uncaught ${this.#mapper!.map(stack)}`);
        this.#finishFailure(invocation, 'FUNCTION_ERROR', 'the function threw an exception', false);
        return;
      }
      case 'invalid':
        this.#log('error', `invalid response: ${result.message}`);
        this.#finishFailure(invocation, 'INVALID_FUNCTION_RESPONSE', result.message, false);
        return;
      case 'tooLarge':
        this.#log('error', `response body of ${result.bytes} bytes is over the limit`);
        this.#finishFailure(invocation, 'INVALID_FUNCTION_RESPONSE', `response body of ${result.bytes} bytes is over the limit`, false);
        return;
      default:
        this.#finishFailure(invocation, 'INVALID_FUNCTION_RESPONSE', 'unknown result kind', true);
    }
  }

  #settle(invocation: Invocation): void {
    clearTimeout(invocation.timer);
    invocation.ops?.abort.abort();
    this.#current = undefined;
    this.#cold = false;
    this.#idleSinceMs = performance.now();
    this.#settledSinceCompaction++;
    if (this.#held.length > 0) this.#env.startSoon(this);
  }

  /**
   * Compact the isolate (GuestIsolate.compact) once it has been idle for `idleMs` after an
   * invocation: the first time (the boot's and the first invocation's garbage), then again
   * only when its heap has grown by COMPACT_AFTER_GROWTH_BYTES since, so a function called
   * every few seconds is not collected in full every time, and a busy one only after
   * BUSY_COMPACT_IDLE_MS. A heap above
   * COMPACT_MAX_HEAP_BYTES is left to V8's own collector: compacting it would stall the
   * host. Returns whether it compacted.
   */
  compactIfIdle(nowMs: number, idleMs: number): boolean {
    const guest = this.#guest;
    if (this.#idleSinceMs === undefined || this.#current || this.#inGuest || this.#gone || !guest) return false;
    const quietMs = this.#settledSinceCompaction >= BUSY_INVOCATIONS ? Math.max(idleMs, BUSY_COMPACT_IDLE_MS) : idleMs;
    if (nowMs - this.#idleSinceMs < quietMs) return false;
    this.#idleSinceMs = undefined;
    const used = guest.heapUsedBytes();
    if (used > COMPACT_MAX_HEAP_BYTES) return false;
    if (this.#compactedHeapBytes !== undefined && used - this.#compactedHeapBytes < COMPACT_AFTER_GROWTH_BYTES) return false;
    guest.compact();
    this.#compactedHeapBytes = guest.heapUsedBytes();
    this.#settledSinceCompaction = 0;
    return true;
  }

  /** The response is out; the invocation stays current (deadline, limits, timers) until `finished`. */
  #respondOpen(invocation: Invocation, stream: boolean): void {
    invocation.responded = true;
    this.#cold = false;
    if (stream) invocation.stream = { credit: 0, ended: false };
  }

  #finishFailure(invocation: Invocation, code: ErrorCode, message: string, dispose: boolean, knownCpuMs?: number): void {
    const guest = this.#guest;
    // A disposed isolate's CPU time cannot be read: a kill's is measured (cpuAtKill).
    const cpuMs = knownCpuMs ?? (guest && !guest.isDisposed ? guest.cpuMs - invocation.startCpuMs : Number.NaN);
    const wallMs = performance.now() - invocation.startWallMs;
    const cold = this.#cold;
    const id = invocation.message.id;
    this.#settle(invocation);
    if (dispose) this.destroy();
    if (invocation.responded) {
      // The client already has the head: a stream is cut short, and the gateway learns the verdict.
      this.#log('error', `after the response: ${message}`);
      if (invocation.stream && !invocation.stream.ended) {
        invocation.stream.ended = true;
        this.#env.end({ id, error: code });
      }
      this.#env.finished({ id, code, cpuMs, wallMs, disposed: dispose });
      return;
    }
    this.#env.send({ id, kind: 'failure', code, message, cpuMs, wallMs, cold, disposed: dispose });
  }

  #lazyStart(): void {
    const guest = this.#guest;
    if (this.#lazyDepth++ > 0 || !guest || guest.isDisposed) return;
    this.#lazyStartCpuMs = guest.cpuMs;
    // While a module evaluates, the limit makes room for it (see #lazyLoaded).
    if (this.#current) this.#env.watchdog.extendCpu(guest, LAZY_MODULE_BUDGET_MS);
  }

  /**
   * The runtime evaluated one of its lazy modules (streams, full URL parsing...) during an
   * invocation: that CPU time is the platform's. The invocation's start is moved forward by
   * it, so neither the CPU limit nor the recorded cpuMs counts it. A module loads once per
   * isolate, and the room made while it evaluates is bounded, so a guest that patched a
   * builtin the module calls can gain at most LAZY_MODULE_BUDGET_MS once per module.
   */
  #lazyLoaded(): void {
    if (this.#lazyDepth === 0 || --this.#lazyDepth > 0) return; // a module required by another ends with it
    const start = this.#lazyStartCpuMs;
    this.#lazyStartCpuMs = undefined;
    const invocation = this.#current;
    const guest = this.#guest;
    if (start === undefined || !invocation || !guest || guest.isDisposed) return;
    const spent = Math.min(Math.max(0, guest.cpuMs - start), LAZY_MODULE_BUDGET_MS);
    invocation.startCpuMs += spent;
    this.#env.watchdog.extendCpu(guest, spent - LAZY_MODULE_BUDGET_MS);
  }

  /** The runtime says the open invocation is over (stream ended, waitUntil settled). */
  #finished(id: number): void {
    const invocation = this.#current;
    if (!invocation || invocation.message.id !== id || !invocation.responded) return;
    if (invocation.stream && !invocation.stream.ended) return;
    const cpuMs = this.#guest!.cpuMs - invocation.startCpuMs;
    const wallMs = performance.now() - invocation.startWallMs;
    this.#settle(invocation);
    this.#env.finished({ id, code: invocation.streamError ? 'FUNCTION_ERROR' : 'OK', cpuMs, wallMs, disposed: false });
  }

  /** The gateway grants `n` more chunks of invocation `id`'s streamed body; the runtime sends them as they come. */
  pull(id: number, n: number): void {
    const invocation = this.#current;
    const stream = invocation?.stream;
    if (!invocation || invocation.message.id !== id || !stream || stream.ended) return;
    const granted = Math.max(0, Math.min(n | 0, 64));
    if (granted === 0) return;
    stream.credit += granted;
    this.#enter(invocation, (guest) => guest.pull(id, granted));
  }

  /**
   * The client went away: the runtime aborts the request's signal and cancels a streamed
   * body. A Cancel for an invocation still held is kept until it starts.
   */
  cancel(id: number): void {
    const held = this.#held.find((h) => h.message.id === id);
    if (held) {
      held.cancelled = true;
      return;
    }
    const invocation = this.#current;
    if (!invocation || invocation.message.id !== id || invocation.clientGone) return;
    invocation.clientGone = true;
    if (invocation.stream) invocation.stream.ended = true;
    this.#enter(invocation, (guest) => guest.cancel(id));
  }

  #chunk(id: number, chunk: ArrayBuffer | string): void {
    const invocation = this.#current;
    const stream = invocation?.stream;
    if (!invocation || invocation.message.id !== id || !stream || stream.ended || stream.credit <= 0) return;
    stream.credit--;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : undefined;
    // An empty chunk still answers its credit, so the gateway's count stays right.
    this.#env.chunk(id, bytes ?? new Uint8Array(0));
  }

  #end(id: number, error: string | null): void {
    const invocation = this.#current;
    const stream = invocation?.stream;
    if (!invocation || invocation.message.id !== id || !stream || stream.ended) return;
    const reason = typeof error === 'string' ? error.slice(0, 1000) : null;
    // ArrayBuffer memory over the limit surfaces as a catchable RangeError; it is the memory limit all the same.
    if (reason !== null && ALLOCATION_FAILURE.test(reason)) {
      this.#finishFailure(invocation, 'MEMORY_LIMIT_EXCEEDED', 'an allocation exceeded the memory limit', true);
      return;
    }
    stream.ended = true;
    if (reason !== null) invocation.streamError = true;
    this.#env.end({ id, error: reason });
  }

  /** `bridge.call`: start a host operation for the current invocation; its answer re-enters the guest through `settle`. */
  #call(op: string, args: unknown[]): number {
    const invocation = this.#current;
    if (!invocation) throw new TypeError('I/O is only possible while the function handles a request');
    const handler = typeof op === 'string' ? hostOps.get(op) : undefined;
    if (!handler) throw new TypeError(`unknown host operation ${String(op).slice(0, 100)}`);
    if (invocation.pendingOps >= MAX_PENDING_OPS) throw new TypeError(`more than ${MAX_PENDING_OPS} operations in flight`);
    invocation.ops ??= this.#opContext(invocation);
    const { context } = invocation.ops;
    const callId = this.#nextCallId++;
    invocation.pendingOps++;
    const deliver = (ok: boolean, value: unknown) => {
      invocation.pendingOps--;
      if (this.#current !== invocation) return;
      this.#enter(invocation, (guest) => guest.settle(callId, ok, value));
    };
    new Promise((resolve) => resolve(handler(context, Array.isArray(args) ? args : []))).then(
      (value) => deliver(true, value),
      (error: unknown) => deliver(false, opErrorValue(error, op, (text) => this.#log('error', text))),
    );
    return callId;
  }

  #opContext(invocation: Invocation): { context: OpContext; abort: AbortController } {
    const abort = new AbortController();
    const context: OpContext = {
      signal: abort.signal,
      requestId: invocation.message.request.requestId,
      fnKey: this.spec.fnKey,
      deadlineMs: invocation.deadlineMs,
      memoryMb: this.spec.limits.memoryMb,
      state: new Map(),
      settings: this.#env.settings,
      log: (level, text) => this.#log(level, text),
    };
    return { context, abort };
  }

  /** A line in the function's logs, under the current invocation's request id (or `requestId`). */
  #log(level: LogLevel | 'error', text: string, requestId?: string): void {
    this.#env.log({
      ts: Date.now(),
      requestId: requestId ?? this.#current?.message.request.requestId ?? '',
      fnKey: this.spec.fnKey,
      level,
      message: text,
    });
  }

  #setTimer(id: number, delayMs: number): void {
    if (this.#timers.size >= MAX_TIMERS) return;
    const delay = Number.isFinite(delayMs) ? Math.min(Math.max(0, delayMs), 2 ** 31 - 1) : 0;
    this.#timers.set(id, setTimeout(() => {
      this.#timers.delete(id);
      if (this.#current) this.#fireTimer(id);
      else this.#deferredTimers.push(id);
    }, delay));
  }

  #clearTimer(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
  }

  #fireTimer(id: number): void {
    const invocation = this.#current;
    if (!invocation) return;
    this.#enter(invocation, (guest) => guest.fireTimer(id));
  }
}

/** `notStarted`: the invocation never entered the guest, so the gateway may run it elsewhere. */
function failure(id: number, code: ErrorCode, message: string, disposed: boolean, notStarted = false): ResultMessage {
  return { id, kind: 'failure', code, message, cpuMs: 0, wallMs: 0, disposed, notStarted };
}

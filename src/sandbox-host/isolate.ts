/**
 * The only module of Atoll that imports isolated-vm. It boots guest isolates with the
 * in-isolate runtime (sandbox/), loads function code into them, runs invocations, and
 * runs the watchdog that stops runaways. Everything isolated-vm hands out (Reference,
 * Callback, ExternalCopy, the module itself) stays in this file: guest code only ever
 * sees the plain functions the runtime captured in a closure at boot.
 */
import ivm from 'isolated-vm';
import { randomBytes } from 'node:crypto';
import {
  HEADER_LINE_SEPARATOR, RESPONSE_FINISH_LATER, RESPONSE_STREAM, type FunctionMeta, type GuestRequest, type GuestResult, type LoadResult, type LogLevel,
} from '../../sandbox/src/bridge.ts';
import {
  CTL_HIGH, CTL_NEXT_LOOK, CTL_STOP, CTL_WAKE, CTL_WORDS, DEEP_SLEEP_AFTER_MS, MAX_SLEEP_MS, QUIET_LOOK_MS, SLOT_ARMED,
  SLOT_FREE, SLOT_KILLED_CPU, SLOT_KILLED_WALL, allocateWatchdogMemory, watchdogOffsets, watchdogViews, type WatchdogMemory,
} from './watchdog-memory.ts';
import { isHeaderPairs } from './frame-heads.ts';

/** What the host does for a guest isolate's runtime. */
export interface GuestHooks {
  log(level: LogLevel, text: string): void;
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
  done(invocationId: number, result: GuestResult): void;
  // Optional: a harness that only runs buffered requests without I/O can leave these out.
  /** Start host operation `op`; returns its call id (answered later through `settle`). */
  call?(op: string, args: unknown[]): number;
  chunk?(invocationId: number, chunk: ArrayBuffer | string): void;
  end?(invocationId: number, error: string | null): void;
  finished?(invocationId: number): void;
  /** The runtime starts and ends evaluating one of its lazy modules (its CPU time is not the function's). */
  lazyStart?(): void;
  lazyLoaded?(): void;
}

/** Separates the boot script from the JSON of lazy modules in sandbox/build.ts's buildRuntime() output. */
const LAZY_MODULES_MARKER = '\n//atoll-lazy-modules\n';

/**
 * The runtime's boot script and its lazy modules (sources a guest's runtime fetches on
 * first use), each held once per host and shared by every isolate: a copy handed to an
 * isolate becomes an external string over this host's bytes. Each isolate evaluates the
 * boot script itself, and V8 keeps its source for as long as the isolate lives (lazy
 * compilation, Function.prototype.toString); shared, that is ~75 KB less per isolate than
 * a compiled script's private copy. (The price: no code cache, ~2 ms more per boot, paid
 * by spare isolates booted while the host is quiet.)
 */
export class RuntimeScript {
  readonly #boot: ivm.ExternalCopy<string>;
  readonly #lazy = new Map<string, ivm.ExternalCopy<string>>();

  /** `bundle` is buildRuntime()'s output: the boot script, optionally followed by the lazy modules. */
  constructor(bundle: string) {
    const at = bundle.indexOf(LAZY_MODULES_MARKER);
    const source = at < 0 ? bundle : bundle.slice(0, at);
    // Names the evaluated script in stack traces as a compiled one would be.
    this.#boot = new ivm.ExternalCopy(`${source}\n//# sourceURL=atoll:runtime.js`);
    if (at >= 0) {
      const lazy = JSON.parse(bundle.slice(at + LAZY_MODULES_MARKER.length)) as Record<string, string>;
      for (const [name, source] of Object.entries(lazy)) this.#lazy.set(name, new ivm.ExternalCopy(source));
    }
  }

  /** The boot script for a guest isolate (shares this host's copy). */
  bootSource(): ivm.Copy<string> {
    return this.#boot.copyInto();
  }

  /** Lazy module `name`'s source for a guest isolate (shares this host's copy), or undefined. */
  lazySource(name: string): ivm.Copy<string> | undefined {
    return typeof name === 'string' ? this.#lazy.get(name)?.copyInto() : undefined;
  }
}

/** Why an isolate was stopped by the watchdog. */
export type KillReason = 'cpu' | 'wall';

/** The watchdog's verdict: why, and the isolate's total CPU time when it struck. */
export interface Kill {
  reason: KillReason;
  isolateCpuMs: number;
}

// The bundle is CommonJS-shaped but its entry is an ES module, and module code is strict.
const WRAP_PREFIX = '(function (exports, module) {"use strict";';

/** A booted guest isolate: one context, the runtime installed, at most one function loaded. */
export class GuestIsolate {
  readonly memoryMb: number;
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #load: ivm.Reference<Function>;
  readonly #invoke: ivm.Reference<Function>;
  readonly #invokeHttp: ivm.Reference<Function>;
  readonly #fireTimer: ivm.Reference<Function>;
  readonly #settle: ivm.Reference<Function>;
  readonly #pull: ivm.Reference<Function>;
  readonly #cancel: ivm.Reference<Function>;
  /** V8's `gc` when the host runs with --expose-gc (taken off the guest's global before the runtime boots). */
  readonly #gc: ivm.Reference<Function> | undefined;
  #hooks: GuestHooks | undefined;
  /** Set once registered with a watchdog. */
  slot = -1;

  constructor(runtime: RuntimeScript, memoryMb: number, onCatastrophe: (message: string) => void) {
    this.memoryMb = memoryMb;
    this.#isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: onCatastrophe });
    try {
      this.#context = this.#isolate.createContextSync();
      // --expose-gc puts a non-configurable `gc` on every context's global: the host keeps
      // it (see compact) and the guest is left an inert undefined in its place.
      const gc = this.#context.evalClosureSync(
        'const gc = globalThis.gc; if (gc !== undefined) Object.defineProperty(globalThis, "gc", { value: undefined, writable: false }); return gc;',
        [],
        { result: { reference: true } },
      ) as ivm.Reference<Function>;
      if (gc.typeof === 'function') this.#gc = gc;
      else gc.release();
      const hook = <K extends keyof GuestHooks>(name: K) =>
        (...args: Parameters<NonNullable<GuestHooks[K]>>) => (this.#hooks?.[name] as ((...a: unknown[]) => unknown) | undefined)?.(...args);
      // The bridge is assembled inside a closure so its functions are never globals
      // for longer than the runtime's first statement, which deletes them.
      this.#context.evalClosureSync(
        'globalThis.__atollBridge = { log: $0, setTimer: $1, clearTimer: $2, randomBytes: $3, done: $4, lazySource: $5, call: $6, chunk: $7, end: $8, finished: $9, lazyLoaded: $10, respond: $11 };',
        [
          new ivm.Callback(hook('log')),
          new ivm.Callback(hook('setTimer')),
          new ivm.Callback(hook('clearTimer')),
          new ivm.Callback((length: number) => {
            const n = Math.min(Math.max(0, length | 0), 65536);
            return new ivm.ExternalCopy(randomBytes(n).buffer).copyInto({ release: true });
          }),
          new ivm.Callback((id: number, result: GuestResult) => this.#hooks?.done(id, doneResult(result))),
          new ivm.Callback((name: string) => {
            this.#hooks?.lazyStart?.();
            return runtime.lazySource(name);
          }),
          new ivm.Callback(hook('call')),
          new ivm.Callback(hook('chunk')),
          new ivm.Callback(hook('end')),
          new ivm.Callback(hook('finished')),
          new ivm.Callback(hook('lazyLoaded')),
          new ivm.Callback((id: number, status: number, statusText: string, headerLines: string, body: ArrayBuffer | string | null, flags: number) => {
            this.#hooks?.done(id, responseResult(status, statusText, headerLines, body, flags));
          }),
        ],
      );
      // Indirect eval: the script runs at global scope, as a compiled script would, and
      // its completion value is the RuntimeEntry.
      const entry = this.#context.evalClosureSync('return (0, eval)($0);', [runtime.bootSource()], { result: { reference: true } }) as ivm.Reference<unknown>;
      // Shared memory would let a guest block the host thread without using CPU time
      // (Atomics.wait). The runtime's libraries may look at these while booting; guests never.
      this.#context.evalSync('delete globalThis.SharedArrayBuffer; delete Atomics.wait; delete Atomics.waitAsync;');
      // Bind the entry's methods inside the isolate so no `this` crosses the boundary.
      const methods = this.#context.evalClosureSync(
        'const e = $0; return [e.load.bind(e), e.invoke.bind(e), e.fireTimer.bind(e), e.settle.bind(e), e.pull.bind(e), e.cancel.bind(e), e.invokeHttp.bind(e)];',
        [entry.derefInto()],
        { result: { reference: true } },
      ) as ivm.Reference<Function[]>;
      this.#load = methods.getSync(0, { reference: true }) as ivm.Reference<Function>;
      this.#invoke = methods.getSync(1, { reference: true }) as ivm.Reference<Function>;
      this.#fireTimer = methods.getSync(2, { reference: true }) as ivm.Reference<Function>;
      this.#settle = methods.getSync(3, { reference: true }) as ivm.Reference<Function>;
      this.#pull = methods.getSync(4, { reference: true }) as ivm.Reference<Function>;
      this.#cancel = methods.getSync(5, { reference: true }) as ivm.Reference<Function>;
      this.#invokeHttp = methods.getSync(6, { reference: true }) as ivm.Reference<Function>;
      methods.release();
      entry.release();
    } catch (error) {
      if (!this.#isolate.isDisposed) this.#isolate.dispose();
      throw error;
    }
  }

  get handle(): ivm.Isolate {
    return this.#isolate;
  }

  get isDisposed(): boolean {
    return this.#isolate.isDisposed;
  }

  /** CPU time this isolate has used since it was created, in milliseconds. */
  get cpuMs(): number {
    return Number(this.#isolate.cpuTime) / 1e6;
  }

  heapUsedBytes(): number {
    if (this.#isolate.isDisposed) return 0;
    const stats = this.#isolate.getHeapStatisticsSync();
    return stats.used_heap_size + stats.externally_allocated_size;
  }

  setHooks(hooks: GuestHooks): void {
    this.#hooks = hooks;
  }

  /** Compile the function's bundle and run its top level. Throws if the isolate is disposed mid-way. */
  load(code: string, filename: string, env: Record<string, string>, meta: FunctionMeta): LoadResult {
    const script = this.#isolate.compileScriptSync(`${WRAP_PREFIX}${code}\n})`, { filename });
    const factory = script.runSync(this.#context, { reference: true });
    script.release();
    try {
      return this.#load.applySync(undefined, [factory.derefInto(), env, meta], {
        arguments: { copy: true },
        result: { copy: true },
      }) as LoadResult;
    } finally {
      factory.release();
    }
  }

  /** Start an invocation; the outcome arrives through the `done` hook. */
  invoke(invocationId: number, request: GuestRequest, body: ArrayBuffer | undefined): void {
    if (request.kind !== 'http') {
      this.#invoke.applySync(undefined, [invocationId, request, body], { arguments: { copy: true } });
      return;
    }
    const { requestId, method, url, basePath, headers, sourceIp, timeEpochMs, deadlineMs } = request;
    this.#invokeHttp.applySync(
      undefined,
      [invocationId, requestId, method, url, basePath, headerLines(headers), sourceIp, timeEpochMs, deadlineMs, body],
      { arguments: { copy: true } },
    );
  }

  fireTimer(id: number): void {
    this.#fireTimer.applySync(undefined, [id]);
  }

  /** Deliver a host operation's answer (copied into the isolate). */
  settle(callId: number, ok: boolean, value: unknown): void {
    this.#settle.applySync(undefined, [callId, ok, value], { arguments: { copy: true } });
  }

  /** Grant a streamed response `n` more chunks. */
  pull(invocationId: number, n: number): void {
    this.#pull.applySync(undefined, [invocationId, n]);
  }

  /** Cancel a streamed response (the client went away). */
  cancel(invocationId: number): void {
    this.#cancel.applySync(undefined, [invocationId]);
  }

  /**
   * A full, memory-reducing garbage collection of this isolate, for an idle instance: it
   * frees what the boot and the last invocations left behind and gives the emptied heap
   * pages back to the system (a warm hello world: ~200 KB less RSS). Runs synchronously on
   * the host thread, outside any invocation, so its CPU time is nobody's. A no-op without
   * --expose-gc.
   */
  compact(): void {
    if (this.#isolate.isDisposed) return;
    this.#gc?.applySync(undefined, [{ type: 'major', execution: 'sync', flavor: 'last-resort' }], { arguments: { copy: true } });
  }

  dispose(): void {
    this.#hooks = undefined;
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }
}

/**
 * Request headers as header lines (bridge.ts). A name or value with a line feed cannot come
 * from Node's HTTP parser; should one get here anyway it is dropped, never split into two.
 */
function headerLines(pairs: [string, string][]): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (name.includes(HEADER_LINE_SEPARATOR) || value.includes(HEADER_LINE_SEPARATOR)) continue;
    out = out === '' ? `${name}${HEADER_LINE_SEPARATOR}${value}` : `${out}${HEADER_LINE_SEPARATOR}${name}${HEADER_LINE_SEPARATOR}${value}`;
  }
  return out;
}

/**
 * The GuestResult of a `respond` call. The guest's arguments are untrusted: anything
 * malformed is an `invalid` result (the gateway validates the header names and values).
 */
function responseResult(status: unknown, statusText: unknown, lines: unknown, body: unknown, flags: unknown): GuestResult {
  if (typeof status !== 'number' || typeof statusText !== 'string' || typeof lines !== 'string' || typeof flags !== 'number') {
    return { kind: 'invalid', message: 'malformed response from the runtime' };
  }
  if (body !== null && typeof body !== 'string' && !(body instanceof ArrayBuffer)) return { kind: 'invalid', message: 'malformed response body from the runtime' };
  const headers: [string, string][] = [];
  if (lines !== '') {
    const parts = lines.split(HEADER_LINE_SEPARATOR);
    if (parts.length % 2 !== 0) return { kind: 'invalid', message: 'malformed response headers from the runtime' };
    for (let i = 0; i < parts.length; i += 2) headers.push([parts[i]!, parts[i + 1]!]);
  }
  return { kind: 'response', status, statusText, headers, body, stream: (flags & RESPONSE_STREAM) !== 0, finishLater: (flags & RESPONSE_FINISH_LATER) !== 0 };
}

/**
 * A result handed to `done`. The runtime sends responses through `respond` (responseResult
 * checks those); a response arriving here anyway is checked before it can reach the frame
 * encoder (frame-heads.ts), which takes only a numeric status and string header pairs.
 */
function doneResult(result: GuestResult): GuestResult {
  if (result !== null && typeof result === 'object' && result.kind === 'response' && (typeof result.status !== 'number' || !isHeaderPairs(result.headers))) {
    return { kind: 'invalid', message: 'malformed status or headers from the runtime' };
  }
  return result;
}

/** Column offset of the user's code on the first line of the compiled wrapper. */
export const WRAPPER_COLUMN_OFFSET = WRAP_PREFIX.length;

/**
 * The loop the watchdog isolate runs on isolated-vm's thread pool. It cannot be interrupted
 * by the guest because it runs on another thread: while the host's main thread is blocked
 * inside a guest call, this loop still reads each armed isolate's CPU time and the wall
 * clock, and disposes the isolate that broke its limit.
 */
const WATCHDOG_SOURCE = `
const isolates = [];
function register(slot, isolate) { isolates[slot] = isolate; }
function forget(slot) { isolates[slot] = undefined; }
function run() {
  const ctl = new Int32Array(memory, 0, ${CTL_WORDS});
  const { state, cpuLimitMs, wallDeadlineMs, killedAtMs, killedCpuMs } = views;
  let quietSince = 0;
  for (;;) {
    if (Atomics.load(ctl, ${CTL_STOP}) === 1) { Atomics.store(ctl, ${CTL_STOP}, 0); return; }
    // While it looks, every arm wakes it again (Watchdog.arm): one it misses still counts.
    Atomics.store(ctl, ${CTL_NEXT_LOOK}, (Date.now() + 2 ** 30) | 0);
    Atomics.store(ctl, ${CTL_WAKE}, 0);
    const high = Atomics.load(ctl, ${CTL_HIGH});
    let now = Date.now();
    // A guest's CPU time cannot grow faster than the clock: no armed guest can break a
    // limit before its smallest margin has passed, so the loop sleeps that long (under load,
    // tens of ms instead of a wake-up every millisecond, each taking the host's one core).
    let sleepMs = Infinity;
    for (let slot = 0; slot < high; slot++) {
      if (Atomics.load(state, slot) !== ${SLOT_ARMED}) continue;
      // An armed slot it cannot read (not registered yet, or its isolate disposed): look again soon.
      const isolate = isolates[slot];
      if (isolate === undefined) { sleepMs = 1; continue; }
      let cpuMs;
      try { cpuMs = Number(isolate.cpuTime) / 1e6; } catch { sleepMs = 1; continue; }
      now = Date.now();
      let verdict = 0;
      if (cpuMs > cpuLimitMs[slot]) verdict = ${SLOT_KILLED_CPU};
      else if (now > wallDeadlineMs[slot]) verdict = ${SLOT_KILLED_WALL};
      if (verdict === 0) {
        sleepMs = Math.min(sleepMs, cpuLimitMs[slot] - cpuMs, wallDeadlineMs[slot] - now);
        continue;
      }
      // Written before the verdict is published: the main thread (disarm) and the reaper read
      // them as soon as they see it, and a value left from the slot's last kill would do
      // (a negative CPU time on the record, or a host killed for a stale kill time).
      killedAtMs[slot] = now;
      killedCpuMs[slot] = cpuMs;
      if (Atomics.compareExchange(state, slot, ${SLOT_ARMED}, verdict) !== ${SLOT_ARMED}) continue;
      // A disposed isolate's clock cannot be read: the host measures what the guest used
      // after this point on its own thread (host-instance.ts, cpuAtKill).
      try { isolate.dispose(); } catch {}
    }
    if (sleepMs === Infinity) {
      if (quietSince === 0) quietSince = now;
      sleepMs = now - quietSince < ${DEEP_SLEEP_AFTER_MS} ? ${QUIET_LOOK_MS} : ${MAX_SLEEP_MS};
    } else quietSince = 0;
    sleepMs = Math.max(1, Math.min(sleepMs, ${MAX_SLEEP_MS}));
    Atomics.store(ctl, ${CTL_NEXT_LOOK}, (Date.now() + sleepMs) | 0);
    if (Atomics.load(ctl, ${CTL_STOP}) === 1) continue;
    Atomics.wait(ctl, ${CTL_WAKE}, 0, sleepMs);
  }
}
`;

/**
 * One watchdog per sandbox host: a small trusted isolate whose loop runs on a worker
 * thread. Registering a new guest isolate needs the loop paused for a moment (an
 * isolate handle can only be handed over while the watchdog isolate is idle); guest
 * entries wait for `whenRunning` so no guest code ever runs unwatched.
 */
export class Watchdog {
  readonly memory: WatchdogMemory;
  readonly #views: ReturnType<typeof watchdogViews>;
  readonly #isolate: ivm.Isolate;
  readonly #register: ivm.Reference<Function>;
  readonly #forget: ivm.Reference<Function>;
  readonly #run: ivm.Reference<Function>;
  #loop: Promise<unknown> | undefined;
  #pending: GuestIsolate[] = [];
  #released: number[] = [];
  #freeSlots: number[] = [];
  #high = 0;
  #pausing: Promise<void> | undefined;
  #waiting: (() => void)[] = [];

  constructor(maxSlots: number) {
    this.memory = allocateWatchdogMemory(maxSlots);
    this.#views = watchdogViews(this.memory);
    this.#isolate = new ivm.Isolate({ memoryLimit: 16 });
    const context = this.#isolate.createContextSync();
    context.global.setSync('memory', new ivm.ExternalCopy(this.memory.buffer).copyInto({ release: true }));
    const offsets = watchdogOffsets(maxSlots);
    context.global.setSync('layout', new ivm.ExternalCopy({ maxSlots, ...offsets }).copyInto({ release: true }));
    context.evalSync(`
      globalThis.views = {
        state: new Int32Array(memory, layout.state, layout.maxSlots),
        cpuLimitMs: new Float64Array(memory, layout.cpuLimitMs, layout.maxSlots),
        wallDeadlineMs: new Float64Array(memory, layout.wallDeadlineMs, layout.maxSlots),
        killedAtMs: new Float64Array(memory, layout.killedAtMs, layout.maxSlots),
        killedCpuMs: new Float64Array(memory, layout.killedCpuMs, layout.maxSlots),
      };`);
    context.evalSync(WATCHDOG_SOURCE);
    this.#register = context.global.getSync('register', { reference: true }) as ivm.Reference<Function>;
    this.#forget = context.global.getSync('forget', { reference: true }) as ivm.Reference<Function>;
    this.#run = context.global.getSync('run', { reference: true }) as ivm.Reference<Function>;
    this.#start();
  }

  /** Hand a guest isolate to the watchdog. Resolves once it is watched. */
  async watch(guest: GuestIsolate): Promise<void> {
    this.#pending.push(guest);
    await this.#pause();
  }

  /** Stop watching a disposed isolate and recycle its slot (takes effect at the next pause). */
  release(guest: GuestIsolate): void {
    if (guest.slot < 0) return;
    Atomics.store(this.#views.state, guest.slot, SLOT_FREE);
    this.#released.push(guest.slot);
    guest.slot = -1;
  }

  /** End the loop and dispose the watchdog's isolate. A host never does (its watchdog runs until the process ends); tests do. */
  async stop(): Promise<void> {
    await this.#pausing;
    const { ctl } = this.#views;
    Atomics.store(ctl, CTL_STOP, 1);
    Atomics.store(ctl, CTL_WAKE, 1);
    Atomics.notify(ctl, CTL_WAKE);
    await this.#loop;
    this.#isolate.dispose();
  }

  /** Run `fn` now if the watchdog is running, else as soon as it runs again. */
  whenRunning(fn: () => void): void {
    if (this.#pausing === undefined) fn();
    else this.#waiting.push(fn);
  }


  /**
   * Arm a slot before entering the guest. Limits are absolute: isolate CPU ms and epoch ms;
   * `cpuNowMs` is the guest's CPU time now. The watchdog is woken only if this guest could
   * break a limit before it looks next (CTL_NEXT_LOOK): under steady load, no system call.
   */
  arm(guest: GuestIsolate, cpuLimitMs: number, wallDeadlineMs: number, cpuNowMs: number): void {
    const { ctl, state, cpuLimitMs: cpu, wallDeadlineMs: wall } = this.#views;
    cpu[guest.slot] = cpuLimitMs;
    wall[guest.slot] = wallDeadlineMs;
    Atomics.store(state, guest.slot, SLOT_ARMED);
    const soonest = Math.min(Date.now() + (cpuLimitMs - cpuNowMs), wallDeadlineMs);
    if (!Number.isFinite(soonest) || (((soonest | 0) - Atomics.load(ctl, CTL_NEXT_LOOK)) | 0) < 0) {
      Atomics.store(ctl, CTL_WAKE, 1);
      Atomics.notify(ctl, CTL_WAKE);
    }
  }

  /** Move an armed slot's CPU limit by `ms` (room for CPU the runtime spends on itself, not the guest). */
  extendCpu(guest: GuestIsolate, ms: number): void {
    if (guest.slot >= 0 && Number.isFinite(ms)) this.#views.cpuLimitMs[guest.slot]! += ms;
  }

  /** Disarm after the guest returned. Returns the kill verdict, if the watchdog struck. */
  disarm(guest: GuestIsolate): Kill | undefined {
    const { state, killedCpuMs } = this.#views;
    const previous = Atomics.exchange(state, guest.slot, SLOT_FREE);
    if (previous === SLOT_KILLED_CPU) return { reason: 'cpu', isolateCpuMs: killedCpuMs[guest.slot]! };
    if (previous === SLOT_KILLED_WALL) return { reason: 'wall', isolateCpuMs: killedCpuMs[guest.slot]! };
    return undefined;
  }

  #start(): void {
    this.#loop = this.#run.apply(undefined, []).catch((error: unknown) => {
      process.stderr.write(`atoll sandbox host: watchdog loop failed: ${String(error)}\n`);
      process.exit(70);
    });
  }

  #pause(): Promise<void> {
    if (this.#pausing) return this.#pausing;
    const { ctl } = this.#views;
    Atomics.store(ctl, CTL_STOP, 1);
    Atomics.store(ctl, CTL_WAKE, 1);
    Atomics.notify(ctl, CTL_WAKE);
    this.#pausing = (async () => {
      await this.#loop;
      // Registrations that arrive while we wait are taken in the same pause.
      for (const slot of this.#released) {
        this.#forget.applySync(undefined, [slot]);
        this.#freeSlots.push(slot);
      }
      this.#released = [];
      for (const guest of this.#pending) {
        if (guest.isDisposed) continue;
        const slot = this.#freeSlots.pop() ?? this.#high++;
        if (slot >= this.memory.maxSlots) throw new Error('sandbox host: too many isolates for the watchdog');
        this.#register.applySync(undefined, [slot, guest.handle]);
        guest.slot = slot;
      }
      this.#pending = [];
      Atomics.store(ctl, CTL_HIGH, this.#high);
      this.#start();
      this.#pausing = undefined;
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const fn of waiting) fn();
    })();
    return this.#pausing;
  }
}

/**
 * The limits of one worker, enforced from outside it: every few milliseconds while the
 * worker starts or runs an invocation, its processes' CPU time and resident memory are read
 * from /proc (proc-tree.ts) and held to the start-up budget, the invocation's `cpuMs` and
 * `memoryMb`. Between invocations a check every second remains: a process the function left
 * running (Lambda would have frozen it) must not burn CPU outside every invocation's limit.
 */
import type { ErrorCode } from '../errors/index.ts';
import type { FunctionLimits } from '../limits/index.ts';
import type { ProcessMeter } from './proc-tree.ts';

/** How often the watchdog reads /proc while a worker starts or runs an invocation. */
const BUSY_INTERVAL_MS = 5;
/** Every this many busy readings, /proc is also scanned for processes that left the tree. */
const FULL_SCAN_EVERY = 20;
const IDLE_INTERVAL_MS = 1000;
/** CPU an idle worker may use between two invocations (finishing its loop) before it is killed. */
const IDLE_CPU_ALLOWANCE_MS = 200;

/** Where the worker is: starting (before its first /next), running an invocation (from `baselineCpuMs`), idle, or gone. */
export type WatchPhase =
  | { kind: 'starting'; sinceMs: number }
  | { kind: 'running'; baselineCpuMs: number | undefined }
  | { kind: 'idle' }
  | { kind: 'gone' };

/** The kernel's count of processes it killed in the worker's memory cgroup, if it has one. */
export interface OomCounter {
  oomKills(): number;
}

export interface WatchdogHooks {
  /** A limit is broken: the worker must go. */
  breach(code: ErrorCode, message: string): void;
  /** The idle worker used `usedMs` of CPU: it must go. */
  idleBurn(usedMs: number): void;
}

export class Watchdog {
  readonly #meter: ProcessMeter;
  readonly #limits: FunctionLimits;
  readonly #startup: { cpuMs: number; timeoutMs: number };
  readonly #hooks: WatchdogHooks;
  readonly #oom: OomCounter | undefined;
  #phase: WatchPhase = { kind: 'idle' };
  #timer: NodeJS.Timeout | undefined;
  #timerIsBusy = false;
  #ticks = 0;
  #idleSinceCpuMs = 0;
  /** The highest CPU reading (ms, monotonic) and resident memory seen. */
  lastCpuMs = 0;
  peakRssBytes = 0;

  constructor(meter: ProcessMeter, limits: FunctionLimits, startup: { cpuMs: number; timeoutMs: number }, hooks: WatchdogHooks, oom: OomCounter | undefined) {
    this.#oom = oom;
    this.#meter = meter;
    this.#limits = limits;
    this.#startup = startup;
    this.#hooks = hooks;
  }

  /** A fresh reading of the CPU time of the worker's processes (ms, monotonic). */
  cpuNow(fullScan = false): number {
    if (this.#phase.kind === 'gone') return this.lastCpuMs;
    const sample = this.#meter.sample(fullScan);
    if (sample.processes > 0) this.lastCpuMs = Math.max(this.lastCpuMs, sample.cpuMs);
    return this.lastCpuMs;
  }

  /** Resident memory of the worker's processes now. */
  rssBytes(): number {
    return this.#phase.kind === 'gone' ? 0 : this.#meter.sample().rssBytes;
  }

  /** The worker moved to another phase: the readings follow it. */
  watch(phase: WatchPhase): void {
    this.#phase = phase;
    const busy = phase.kind === 'starting' || phase.kind === 'running';
    if (phase.kind === 'gone' || busy !== this.#timerIsBusy) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    if (phase.kind === 'gone' || this.#timer) return;
    this.#timerIsBusy = busy;
    if (busy) {
      this.#timer = setInterval(() => this.#checkBusy(), BUSY_INTERVAL_MS);
      return;
    }
    // The last reading, not a new one: a full scan of /proc costs a millisecond or two, on every answer.
    this.#idleSinceCpuMs = this.lastCpuMs;
    this.#timer = setInterval(() => this.#checkIdle(), IDLE_INTERVAL_MS);
    this.#timer.unref();
  }

  #checkBusy(): void {
    const phase = this.#phase;
    const sample = this.#meter.sample(++this.#ticks % FULL_SCAN_EVERY === 0);
    if (sample.processes === 0) return;
    this.lastCpuMs = Math.max(this.lastCpuMs, sample.cpuMs);
    this.peakRssBytes = Math.max(this.peakRssBytes, sample.rssBytes);
    const limits = this.#limits;
    if (sample.rssBytes > limits.memoryMb * 1024 * 1024) {
      return this.#hooks.breach('MEMORY_LIMIT_EXCEEDED', `the worker used ${Math.round(sample.rssBytes / 1024 / 1024)} MB, over its ${limits.memoryMb} MB limit`);
    }
    if (this.#oom && this.#oom.oomKills() > 0) {
      return this.#hooks.breach('MEMORY_LIMIT_EXCEEDED', `the kernel killed a process of the worker at its ${limits.memoryMb} MB limit`);
    }
    if (phase.kind === 'starting') {
      if (sample.cpuMs > this.#startup.cpuMs) return this.#hooks.breach('CPU_LIMIT_EXCEEDED', `start-up used more than ${this.#startup.cpuMs} ms of CPU`);
      if (performance.now() - phase.sinceMs > this.#startup.timeoutMs) {
        return this.#hooks.breach('FUNCTION_TIMEOUT', `the runtime did not ask for an invocation within ${this.#startup.timeoutMs} ms`);
      }
      return;
    }
    if (phase.kind === 'running' && phase.baselineCpuMs !== undefined && this.lastCpuMs - phase.baselineCpuMs > limits.cpuMs) {
      this.#hooks.breach('CPU_LIMIT_EXCEEDED', `the invocation used more than ${limits.cpuMs} ms of CPU`);
    }
  }

  #checkIdle(): void {
    if (this.#phase.kind !== 'idle') return;
    const used = this.cpuNow(true) - this.#idleSinceCpuMs;
    if (used > Math.max(this.#limits.cpuMs, IDLE_CPU_ALLOWANCE_MS)) this.#hooks.idleBurn(used);
  }
}

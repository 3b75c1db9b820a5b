/**
 * One language worker: a process (python3 running Atoll's bootstrap, or the deploy's own
 * `bootstrap`) with its Runtime API listener, serving one invocation at a time and kept
 * warm for the next. The limits are enforced from outside the process: a watchdog reads
 * the process tree's CPU time and resident memory from /proc every few milliseconds, a
 * wall-clock timer ends an invocation at its deadline, and rlimits are the backstop. A
 * worker that breaks a limit is killed with everything it started, never reused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../errors/index.ts';
import type { FunctionLimits } from '../limits/index.ts';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';
import { eventPayload, mapResponse, traceId } from './lambda-io.ts';
import { CPU_BACKSTOP_EXTRA_S, cpuBackstopSeconds, killWorkerProcesses, lambdaEnvironment, launchArgv, type WorkerIdentity } from './launch.ts';
import { captureOutput, MAX_LOG_LINE_CHARS, OUTPUT_BYTES_PER_SECOND, OUTPUT_LINES_PER_SECOND } from './output.ts';
import { WorkerCgroup, type CgroupLayout } from './cgroup.ts';
import { ProcessMeter } from './proc-tree.ts';
import { Watchdog, type WatchPhase } from './watchdog.ts';
import { RuntimeApi, type ReportedError } from './runtime-api.ts';
import type { WorkerLogRecord, WorkerResult } from './types.ts';

/** Error types a runtime reports when an allocation failed under the memory limit. */
const OUT_OF_MEMORY_TYPES = new Set(['MemoryError', 'Runtime.OutOfMemory']);

export interface WorkerSpec {
  instanceId: number;
  fnKey: string;
  name: string;
  version: number;
  runtime: 'python3' | 'provided';
  handler: string;
  limits: FunctionLimits;
  env: Readonly<Record<string, string>>;
  codeDir: string;
  identity: WorkerIdentity;
  /** In a network namespace of its own: the Runtime API is all it can reach. */
  isolatedNetwork: boolean;
}

export interface WorkerSettings {
  /** Where this gateway's worker memory cgroups go; undefined when it cannot make them. */
  cgroups: CgroupLayout | undefined;
  tmpRoot: string;
  /** Where the Runtime API sockets of network-isolated workers live. */
  runDir: string;
  python: string;
  pythonBootstrap: string;
  region: string;
  maxResponseBytes: number;
  startupCpuMs: number;
  startupTimeoutMs: number;
  onLogs(records: WorkerLogRecord[]): void;
  /** The worker is gone outside an invocation (it exited, or was recycled). */
  onLost(instanceId: number): void;
}

interface Running {
  requestId: string;
  http: boolean;
  resolve(result: WorkerResult): void;
  startedAt: number;
  /** CPU of the tree when the invocation was handed over; undefined while the worker is still starting. */
  cpuBaseline: number | undefined;
  cold: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class Worker {
  readonly spec: WorkerSpec;
  readonly #settings: WorkerSettings;
  #api: RuntimeApi | undefined;
  #child: ChildProcess | undefined;
  #tmpDir: string;
  #ready: Promise<void>;
  #initDone = false;
  #initError: ReportedError | undefined;
  #spawnedAt = performance.now();
  #running: Running | undefined;
  #watchdog: Watchdog | undefined;
  #cgroup: WorkerCgroup | undefined;
  #gone = false;
  #deadline = 0;
  #lastRequestId = '';

  constructor(spec: WorkerSpec, settings: WorkerSettings) {
    this.spec = spec;
    this.#settings = settings;
    this.#tmpDir = join(settings.tmpRoot, `i${spec.instanceId}-${process.pid}`);
    this.#ready = this.#boot();
    this.#ready.catch((error) => {
      this.#log('error', `worker failed to start: ${String(error)}`);
      this.#exited('WORKER_CRASHED', `the worker could not be started: ${String(error)}`);
    });
  }

  /** PID of the worker's leader process (its process group), once spawned. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get alive(): boolean {
    return !this.#gone;
  }

  get rssBytes(): number {
    return this.#watchdog?.rssBytes() ?? 0;
  }

  async #boot(): Promise<void> {
    const { spec } = this;
    const socketPath = spec.isolatedNetwork ? join(this.#settings.runDir, `i${spec.instanceId}.sock`) : undefined;
    this.#api = await RuntimeApi.listen({
      maxResponseBytes: this.#settings.maxResponseBytes,
      uid: spec.identity.uid,
      socketPath,
      events: {
        next: () => this.#onNext(),
        response: (id, body) => this.#onResponse(id, body),
        error: (id, error) => this.#onError(id, error),
        initError: (error) => this.#onInitError(error),
        tooLarge: (id, bytes) => this.#onTooLarge(id, bytes),
        abandoned: (id) => this.#onAbandoned(id),
      },
    });
    if (this.#gone) return this.#api.close();
    // A directory left by a server that crashed could hold another function's files: start empty.
    rmSync(this.#tmpDir, { recursive: true, force: true });
    mkdirSync(this.#tmpDir, { recursive: true, mode: 0o700 });
    if (spec.identity.uid !== undefined) chownSync(this.#tmpDir, spec.identity.uid, spec.identity.gid!);
    const python = spec.runtime === 'python3';
    const { file, args } = launchArgv({
      program: python ? this.#settings.python : join(spec.codeDir, 'bootstrap'),
      args: python ? [this.#settings.pythonBootstrap] : [],
      identity: spec.identity,
      limits: spec.limits,
      startupCpuMs: this.#settings.startupCpuMs,
      isolatedNetwork: socketPath === undefined ? undefined : { socketPath },
    });
    const env = lambdaEnvironment({
      name: spec.name,
      version: spec.version,
      memoryMb: spec.limits.memoryMb,
      handler: spec.handler,
      taskRoot: spec.codeDir,
      runtimeApi: this.#api.address,
      tmpDir: this.#tmpDir,
      region: this.#settings.region,
      executionEnv: python ? 'AWS_Lambda_python3' : 'AWS_Lambda_provided',
      env: spec.env,
    });
    this.#spawnedAt = performance.now();
    // detached: the worker leads a process group of its own, killed as a whole.
    this.#cgroup = WorkerCgroup.create(this.#settings.cgroups, `i${spec.instanceId}`, spec.limits.memoryMb * 1024 * 1024);
    const child = spawn(file, args, { cwd: spec.codeDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    // At once: the launch chain (prlimit, setpriv, exec) starts nothing before it is in.
    if (child.pid !== undefined && this.#cgroup && !this.#cgroup.add(child.pid)) this.#cgroup = undefined;
    if (child.pid !== undefined) {
      this.#watchdog = new Watchdog(new ProcessMeter(child.pid, spec.identity.uid), spec.limits, { cpuMs: this.#settings.startupCpuMs, timeoutMs: this.#settings.startupTimeoutMs }, {
        breach: (code, message) => this.#fail(code, message),
        idleBurn: (used) => {
          this.#log('error', `the worker used ${used} ms of CPU between invocations; it is replaced`);
          this.#teardown();
          this.#settings.onLost(this.spec.instanceId);
        },
      }, this.#cgroup);
    }
    child.on('error', (error) => {
      this.#log('error', `could not start the worker: ${error.message}`);
      this.#exited('WORKER_CRASHED', `the worker could not be started: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      if (this.#gone) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      this.#log('error', `the worker exited (${how})`);
      this.#exited('WORKER_CRASHED', `the worker exited (${how})`);
    });
    captureOutput(child.stdout!, child.stderr!, (level, line) => this.#log(level, line), () => {
      this.#log('error', `the worker writes more than ${OUTPUT_BYTES_PER_SECOND} bytes or ${OUTPUT_LINES_PER_SECOND} lines of output a second: its output is slowed down`);
    });
    this.#armWatchdog();
  }

  /** Run one invocation. Never rejects: failures are results. */
  invoke(request: GuestRequest, body: Uint8Array | undefined, deadline: number): Promise<WorkerResult> {
    return new Promise((resolve) => {
      const startedAt = performance.now();
      if (this.#gone || this.#running) {
        resolve({ id: 0, kind: 'failure', code: 'WORKER_CRASHED', message: this.#gone ? 'the worker is gone' : 'the worker is busy', cpuMs: 0, wallMs: 0, disposed: this.#gone });
        return;
      }
      const payload = eventPayload(request, body);
      const cold = !this.#initDone;
      const running: Running = {
        requestId: request.requestId,
        http: request.kind === 'http',
        resolve,
        startedAt,
        cpuBaseline: undefined,
        cold,
        timer: undefined,
      };
      this.#running = running;
      this.#lastRequestId = request.requestId;
      // The scheduler's deadline includes the start-up allowance of a cold instance; once the
      // runtime is up, the invocation has its own timeoutMs, as in Lambda.
      this.#deadline = deadline;
      if (this.#initDone) this.#startClock(running);
      this.#armWatchdog();
      const dispatch = () => {
        if (this.#running !== running) return;
        this.#api!.dispatch({
          requestId: request.requestId,
          deadlineMs: request.deadlineMs,
          functionArn: `arn:aws:lambda:${this.#settings.region}:000000000000:function:${this.spec.name}:${this.spec.version}`,
          traceId: traceId(request.requestId),
          clientContext: request.kind === 'event' ? request.clientContext : undefined,
          cognitoIdentity: undefined,
          body: payload,
        });
      };
      if (this.#api) dispatch();
      else this.#ready.then(dispatch, () => {});
    });
  }

  /** Kill the worker and everything it started; remove its private temporary directory. Resolves when done. */
  destroy(): Promise<void> {
    this.#teardown();
    return this.#torndown;
  }

  #onNext(): void {
    if (!this.#initDone) {
      this.#initDone = true;
      if (this.#running) this.#startClock(this.#running);
    }
    this.#armWatchdog();
  }

  /** The runtime asked for the next event without answering this one. */
  #onAbandoned(requestId: string): void {
    const running = this.#take(requestId);
    if (!running) return;
    const message = 'the runtime asked for the next invocation without answering this one';
    this.#log('error', message, requestId);
    running.resolve({ id: 0, kind: 'failure', code: 'INVALID_FUNCTION_RESPONSE', message, ...this.#cost(running), cold: running.cold, disposed: false });
  }

  #onResponse(requestId: string, body: Buffer): void {
    const running = this.#take(requestId);
    if (!running) return;
    const cost = { ...this.#cost(running), cold: running.cold };
    // A process of the worker was killed for memory, yet it answered: the limit was broken all the same.
    if (this.#oomKilled()) {
      const message = `the kernel killed a process of the worker at its ${this.spec.limits.memoryMb} MB limit`;
      this.#log('error', message, requestId);
      running.resolve({ id: 0, kind: 'failure', code: 'MEMORY_LIMIT_EXCEEDED', message, ...cost, disposed: true });
      this.#teardown();
      return;
    }
    const mapped = mapResponse(body, running.http);
    if (mapped.kind === 'invalid') {
      this.#log('error', `invalid response: ${mapped.message}`, requestId);
      running.resolve({ id: 0, kind: 'failure', code: 'INVALID_FUNCTION_RESPONSE', message: mapped.message, ...cost, disposed: false });
    } else {
      running.resolve({ id: 0, ...mapped, ...cost });
    }
    this.#recycleIfWorn();
  }

  #onError(requestId: string, error: ReportedError): void {
    const running = this.#take(requestId);
    if (!running) return;
    this.#logError(error, requestId);
    const cost = this.#cost(running);
    if (OUT_OF_MEMORY_TYPES.has(error.errorType)) {
      running.resolve({ id: 0, kind: 'failure', code: 'MEMORY_LIMIT_EXCEEDED', message: `the function ran out of memory (limit ${this.spec.limits.memoryMb} MB)`, ...cost, cold: running.cold, disposed: true });
      this.#teardown();
      return;
    }
    running.resolve({ id: 0, kind: 'failure', code: 'FUNCTION_ERROR', message: 'the function reported an error', ...cost, cold: running.cold, disposed: false });
  }

  #onInitError(error: ReportedError): void {
    this.#initError = error;
    this.#logError(error, this.#running?.requestId ?? '', 'init error');
    // As in Lambda, a runtime that failed its init is torn down; the invocation waiting for it fails.
    this.#fail('FUNCTION_ERROR', 'the function failed to initialise');
    this.#teardown();
  }

  #onTooLarge(requestId: string, bytes: number): void {
    const running = this.#take(requestId);
    if (!running) return;
    const message = `response of ${bytes} bytes is over the ${this.#settings.maxResponseBytes}-byte limit`;
    this.#log('error', message, requestId);
    running.resolve({ id: 0, kind: 'failure', code: 'INVALID_FUNCTION_RESPONSE', message, ...this.#cost(running), cold: running.cold, disposed: false });
  }

  /** The runtime is up and has the invocation: its CPU and wall clock start now. */
  #startClock(running: Running): void {
    // A warm worker's last reading is the baseline (taken when its last invocation ended):
    // reading /proc again costs more than the little its loop did since, at 10 ms resolution.
    running.cpuBaseline = running.cold ? this.#cpuNow() : (this.#watchdog?.lastCpuMs ?? 0);
    const ms = Math.min(this.spec.limits.timeoutMs, Math.max(0, this.#deadline - Date.now()));
    running.timer = setTimeout(() => this.#fail('FUNCTION_TIMEOUT', `the invocation ran past its ${this.spec.limits.timeoutMs} ms timeout`), ms);
  }

  /** The invocation in progress if `requestId` is it, now over. */
  #take(requestId: string): Running | undefined {
    const running = this.#running;
    if (!running || running.requestId !== requestId) return undefined;
    this.#running = undefined;
    clearTimeout(running.timer);
    this.#armWatchdog();
    return running;
  }

  #cost(running: Running): { cpuMs: number; wallMs: number } {
    const now = this.#cpuNow();
    return { cpuMs: Math.max(0, now - (running.cpuBaseline ?? now)), wallMs: performance.now() - running.startedAt };
  }

  #oomKilled(): boolean {
    return (this.#cgroup?.oomKills() ?? 0) > 0;
  }

  #cpuNow(): number {
    return this.#watchdog?.cpuNow() ?? 0;
  }

  #phase(): WatchPhase {
    if (this.#gone) return { kind: 'gone' };
    if (!this.#initDone) return { kind: 'starting', sinceMs: this.#spawnedAt };
    if (this.#running) return { kind: 'running', baselineCpuMs: this.#running.cpuBaseline };
    return { kind: 'idle' };
  }

  #armWatchdog(): void {
    this.#watchdog?.watch(this.#phase());
  }

  /** End the invocation in progress (if any) with `code`, and kill the worker. */
  #fail(code: ErrorCode, message: string): void {
    const running = this.#running;
    this.#running = undefined;
    if (running) {
      clearTimeout(running.timer);
      this.#log('error', message, running.requestId);
      this.#api?.abandon(running.requestId);
      running.resolve({ id: 0, kind: 'failure', code, message, ...this.#cost(running), cold: running.cold, disposed: true });
    } else {
      this.#log('error', message);
    }
    this.#teardown();
  }

  /** The process exited on its own. */
  #exited(code: ErrorCode, message: string): void {
    if (this.#gone) return;
    const running = this.#running;
    if (running) {
      if (this.#oomKilled()) return this.#fail('MEMORY_LIMIT_EXCEEDED', `the kernel killed the worker at its ${this.spec.limits.memoryMb} MB limit`);
      // Without a cgroup: an exit at or near the memory limit is the allocation that failed under RLIMIT_DATA.
      const peak = this.#watchdog?.peakRssBytes ?? 0;
      if (peak > this.spec.limits.memoryMb * 1024 * 1024 * 0.9) return this.#fail('MEMORY_LIMIT_EXCEEDED', `the worker died at ${Math.round(peak / 1024 / 1024)} MB, its limit is ${this.spec.limits.memoryMb} MB`);
      if (this.#initError) return this.#fail('FUNCTION_ERROR', 'the function failed to initialise');
      return this.#fail(code, message);
    }
    this.#teardown();
    this.#settings.onLost(this.spec.instanceId);
  }

  /**
   * RLIMIT_CPU counts a process's whole life: a long-lived warm worker is replaced before
   * its total CPU gets near it, so the backstop only ever ends an invocation the watchdog missed.
   */
  #recycleIfWorn(): void {
    const budgetMs = (cpuBackstopSeconds(this.spec.limits, this.#settings.startupCpuMs) - CPU_BACKSTOP_EXTRA_S / 2) * 1000;
    if ((this.#watchdog?.lastCpuMs ?? 0) < budgetMs) return;
    setImmediate(() => {
      if (this.#running || this.#gone) return;
      this.#teardown();
      this.#settings.onLost(this.spec.instanceId);
    });
  }

  #torndown: Promise<void> = Promise.resolve();

  #teardown(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#watchdog?.watch({ kind: 'gone' });
    this.#api?.close();
    const pid = this.#child?.pid;
    const cgroup = this.#cgroup;
    this.#torndown = killWorkerProcesses(pid, this.spec.identity).then(() => {
      cgroup?.remove();
      rmSync(this.#tmpDir, { recursive: true, force: true });
    });
  }

  #logError(error: ReportedError, requestId: string, prefix = 'error'): void {
    const head = `${prefix}: ${error.errorType}: ${error.errorMessage}`;
    this.#log('error', [head, ...error.stackTrace].join('\n'), requestId);
  }

  /** Output between two invocations is the last one's (it may still be logging after its answer, and pipes and sockets race). */
  #log(level: string, message: string, requestId = this.#running?.requestId ?? this.#lastRequestId): void {
    this.#settings.onLogs([{ ts: Date.now(), requestId, fnKey: this.spec.fnKey, level, message: message.length > MAX_LOG_LINE_CHARS ? `${message.slice(0, MAX_LOG_LINE_CHARS)}…` : message }]);
  }
}


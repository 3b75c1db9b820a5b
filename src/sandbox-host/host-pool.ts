/**
 * The gateway's side of the sandbox hosts: spawns them, speaks the frame protocol, and
 * replaces a host that dies. Only the invocations a dead host was running fail
 * (WORKER_CRASHED); the gateway keeps its PID and keeps serving. This module never
 * loads isolated-vm: it runs in the gateway.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { FrameReader, FrameType, FrameWriter, type Frame } from './protocol.ts';
import { InvocationTable } from './invocation-table.ts';
import { streamedThrough } from './stream-garbage.ts';
import { closeStartLogFile, createStartLogFile, readStartLog } from './start-log.ts';
import type { CreateMessage, DefineMessage, EndMessage, FinishedMessage, InitMessage, InvokeMessage, LogRecord, ResultMessage } from './messages.ts';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';

/** How far past its deadline an invocation may be before the gateway gives up on the host. */
const HOST_GRACE_MS = 3000;
const MAX_RESPAWN_DELAY_MS = 30_000;

export interface HostPoolOptions {
  hosts: number;
  /** The host's program (host-program.ts's buildHostProgram()). */
  program: string;
  runtimeSource: string;
  init: InitMessage;
  onLogs(records: LogRecord[]): void;
  /** Instances that died outside an invocation, or with their host. */
  onInstancesLost(instanceIds: number[]): void;
}

/**
 * An invocation's result as the gateway gets it. For an `open` result, `finished`
 * settles when the invocation is over (its instance is free again then), and a streamed
 * body arrives through `bodyStream`.
 */
export type InvokeResult = ResultMessage & { body?: Buffer; bodyStream?: ReadableStream<Uint8Array>; finished?: Promise<FinishedMessage> };

interface Pending {
  resolve(result: InvokeResult): void;
  instanceId: number;
  deadline: number;
  /** performance.now() when sent, for the wall time of invocations lost with their host. */
  sentAt: number;
}

/** An invocation past its Result, still running (streamed body, waitUntil work). */
interface Open {
  instanceId: number;
  deadline: number;
  sentAt: number;
  finish(message: FinishedMessage): void;
  stream: StreamFeed | undefined;
}

/** The gateway's end of a streamed body: chunks in from the host, credit out as the client reads. */
interface StreamFeed {
  controller: ReadableStreamDefaultController<Uint8Array>;
  /** Chunks asked for and not yet arrived. */
  outstanding: number;
  done: boolean;
}

/** How long a dead host's socket may take to deliver what it wrote before its invocations are failed. */
const SOCKET_DRAIN_MS = 1000;
/** Chunks asked ahead of the client, so the host's next chunks are on their way while one is written. */
const STREAM_WINDOW_CHUNKS = 16;
/** Bytes the gateway queues for a slow client before it stops asking for more. */
const STREAM_QUEUE_BYTES = 1024 * 1024;

/** One sandbox host child process. */
export class SandboxHost {
  readonly index: number;
  readonly ready: Promise<void>;
  /** Set once the host has booted and said Ready: only a host that never did is a broken start. */
  becameReady = false;
  instanceCount = 0;
  #child: ChildProcess;
  #writer: FrameWriter;
  #pending = new InvocationTable<Pending>();
  #open = new InvocationTable<Open>();
  #defined = new Set<string>();
  #instances = new Set<number>();
  #nextInvocationId = 1;
  #alive = true;
  #onExit: (host: SandboxHost) => void;
  #options: HostPoolOptions;
  #statsWaiters = new Map<number, (stats: HostStats) => void>();
  /** The host's StartLog (its fd 4), read once it is gone. */
  readonly #startLog: { fd: number; readable: boolean };

  constructor(index: number, options: HostPoolOptions, onExit: (host: SandboxHost) => void) {
    this.index = index;
    this.#options = options;
    this.#onExit = onExit;
    // The program comes in on stdin. --expose-gc: for GuestIsolate.compact; guests never see it.
    this.#startLog = createStartLogFile();
    this.#child = spawn(process.execPath, ['--no-node-snapshot', '--expose-gc', '--input-type=module', '-'], {
      stdio: ['pipe', 'inherit', 'inherit', 'pipe', this.#startLog.fd],
      // Hosts run hostile code: they get no secret of the gateway's (ATOLL_ADMIN_TOKEN above all).
      env: { PATH: process.env.PATH ?? '', TZ: process.env.TZ ?? 'UTC', NODE_OPTIONS: process.env.ATOLL_HOST_NODE_OPTIONS ?? '' },
    });
    // A host that dies before it has read its program is handled by the exit handler below.
    this.#child.stdin!.on('error', () => {});
    this.#child.stdin!.end(options.program);
    const socket = this.#child.stdio[3] as Socket;
    this.#writer = new FrameWriter(socket);
    const reader = new FrameReader((frame) => this.#onFrame(frame));
    let broken = false;
    socket.on('data', (chunk: Buffer) => {
      if (broken) return;
      try {
        reader.push(chunk);
      } catch (error) {
        // A host that writes what does not decode is broken (or no longer ours): it is
        // replaced like a host that died, and the gateway goes on.
        broken = true;
        process.stderr.write(`atoll: sandbox host ${this.index} sent a frame the gateway cannot read (${String(error)}); replacing it\n`);
        this.kill();
      }
    });
    socket.on('error', () => this.kill());
    let socketClosed = false;
    socket.on('close', () => (socketClosed = true));
    let markReady: () => void;
    let markFailed: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    this.#readyHandlers = { markReady: markReady!, markFailed: markFailed! };
    this.#child.on('exit', (code, signal) => {
      this.#alive = false;
      this.#readyHandlers.markFailed(new Error(`sandbox host exited during start (code ${code}, signal ${signal})`));
      this.#onExit(this);
      // Its instances are gone now, not when its socket has drained: until the scheduler
      // forgets them it would hand their idle ones to requests, each a wasted try.
      this.#reportLost();
      let failed = false;
      const failAll = () => {
        if (failed) return;
        failed = true;
        this.#failAll('WORKER_CRASHED', `the sandbox host exited (code ${code}, signal ${signal})`);
      };
      // What the host wrote before it died is still in the socket: read it all first, so
      // #failAll knows which invocations had finished (the socket closes at its end).
      if (socketClosed) failAll();
      else {
        const fallback = setTimeout(failAll, SOCKET_DRAIN_MS);
        socket.once('close', () => {
          clearTimeout(fallback);
          failAll();
        });
      }
    });
    this.#writer.send(FrameType.Init, options.init, Buffer.from(options.runtimeSource));
  }

  #readyHandlers: { markReady(): void; markFailed(error: Error): void };

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#alive;
  }

  get inFlight(): number {
    return this.#pending.size + this.#open.size;
  }

  /** Send a function version's code, once per host. */
  define(fnKey: string, filename: string, code: string, sourceMap: string | undefined): void {
    if (this.#defined.has(fnKey)) return;
    this.#defined.add(fnKey);
    const codeBytes = Buffer.from(code);
    const mapBytes = sourceMap ? Buffer.from(sourceMap) : Buffer.alloc(0);
    const header: DefineMessage = { fnKey, filename, codeBytes: codeBytes.length, mapBytes: mapBytes.length };
    this.#writer.send(FrameType.Define, header, Buffer.concat([codeBytes, mapBytes]));
  }

  undefine(fnKey: string): void {
    if (this.#defined.delete(fnKey)) this.#writer.send(FrameType.Undefine, { fnKey });
  }

  create(message: CreateMessage): void {
    this.#instances.add(message.instanceId);
    this.instanceCount++;
    this.#writer.send(FrameType.Create, message);
  }

  destroy(instanceId: number): void {
    if (!this.#instances.delete(instanceId)) return;
    this.instanceCount--;
    this.#writer.send(FrameType.Destroy, { instanceId });
  }

  /**
   * Run one invocation. Never rejects: failures are results. `clientGone` aborts when the
   * client disconnects: before the result, the host is told (Cancel), and the function's
   * `request.signal` aborts; a streamed body is cancelled through `bodyStream` instead.
   */
  invoke(instanceId: number, request: GuestRequest, body: Uint8Array | undefined, deadline: number, clientGone?: AbortSignal): Promise<InvokeResult> {
    if (!this.#alive) {
      // Never sent: the scheduler runs it on an instance of a live host.
      return Promise.resolve({ id: 0, kind: 'failure', code: 'WORKER_CRASHED', message: 'the sandbox host is gone', cpuMs: 0, wallMs: 0, disposed: true, notStarted: true });
    }
    const id = this.#nextInvocationId++;
    const message: InvokeMessage = { id, instanceId, request };
    const result = new Promise<InvokeResult>((resolve) => {
      this.#pending.set(id, { resolve, instanceId, deadline, sentAt: performance.now() });
      this.#writer.send(request.kind === 'http' ? FrameType.InvokeHttp : FrameType.Invoke, message, body && body.byteLength > 0 ? body : undefined);
    });
    if (clientGone) {
      // Frames keep their order: a Cancel always reaches the host after its Invoke.
      const cancel = () => {
        if (this.#pending.has(id)) this.#writer.send(FrameType.Cancel, { id, instanceId });
      };
      if (clientGone.aborted) cancel();
      else clientGone.addEventListener('abort', cancel, { once: true });
    }
    return result;
  }

  stats(): Promise<HostStats> {
    if (!this.#alive) return Promise.resolve({ instances: 0, spares: 0, heapBytes: 0, rssBytes: 0, perInstance: [] });
    const id = this.#nextInvocationId++;
    return new Promise((resolve) => {
      this.#statsWaiters.set(id, resolve);
      this.#writer.send(FrameType.StatsRequest, { id });
    });
  }

  /** Gateway-side backstop: a host whose invocation is long overdue is wedged; replace it. */
  checkOverdue(now: number): void {
    for (const pending of [...this.#pending.values(), ...this.#open.values()]) {
      if (now > pending.deadline + HOST_GRACE_MS) {
        process.stderr.write(`atoll: sandbox host ${this.index} (pid ${this.pid}) stopped answering; replacing it\n`);
        this.kill();
        return;
      }
    }
  }

  kill(): void {
    if (this.#alive) this.#child.kill('SIGKILL');
  }

  /**
   * The host is gone: its invocations fail, except those that had not started. An instance
   * runs its invocations one at a time, in the order sent, so of those without a result,
   * its oldest may have started (none while one of its invocations is open, past its
   * Result), and the later ones only if the host's start log names them (StartLog).
   */
  #failAll(code: 'WORKER_CRASHED', message: string): void {
    const pending = this.#pending.drain();
    const now = performance.now();
    // Without a log to read, every invocation without a result counts as started.
    let logged: Set<number> | undefined;
    try {
      if (this.#startLog.readable) logged = readStartLog(this.#startLog.fd);
    } catch {
      logged = undefined;
    }
    closeStartLogFile(this.#startLog.fd);
    // Instances whose oldest invocation is accounted for.
    const running = new Set(Array.from(this.#open.values(), (o) => o.instanceId));
    for (const [id, p] of pending) {
      const notStarted = running.has(p.instanceId) && logged !== undefined && !logged.has(id);
      running.add(p.instanceId);
      p.resolve({ id, kind: 'failure', code, message: notStarted ? 'handed back unstarted' : message, cpuMs: notStarted ? 0 : Number.NaN, wallMs: now - p.sentAt, disposed: true, notStarted });
    }
    const open = this.#open.drain();
    for (const [id, o] of open) {
      this.#endStream(o, { id, error: code });
      o.finish({ id, code, cpuMs: Number.NaN, wallMs: now - o.sentAt, disposed: true });
    }
    // A dead host answers no stats request: settle them empty rather than leave them hanging.
    for (const waiter of this.#statsWaiters.values()) waiter({ instances: 0, spares: 0, heapBytes: 0, rssBytes: 0, perInstance: [] });
    this.#statsWaiters.clear();
    this.#reportLost();
  }

  #reportLost(): void {
    const lost = [...this.#instances];
    this.#instances.clear();
    this.instanceCount = 0;
    if (lost.length) this.#options.onInstancesLost(lost);
  }

  /** Keeps the invocation open until Finished, with a ReadableStream for a streamed body. */
  #openResult(header: ResultMessage, pending: Pending, body: Buffer | undefined): InvokeResult {
    const id = header.id;
    let finish!: (message: FinishedMessage) => void;
    const finished = new Promise<FinishedMessage>((resolve) => (finish = resolve));
    const open: Open = { instanceId: pending.instanceId, deadline: pending.deadline, sentAt: pending.sentAt, finish, stream: undefined };
    this.#open.set(id, open);
    if (header.kind !== 'response' || !header.stream) return { ...header, body, finished };
    const bodyStream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          open.stream = { controller, outstanding: 0, done: false };
        },
        pull: () => {
          if (open.stream) this.#askForMore(id, open.stream);
        },
        cancel: () => {
          if (!open.stream || open.stream.done) return;
          open.stream.done = true;
          this.#writer.send(FrameType.Cancel, { id, instanceId: open.instanceId });
        },
      },
      { highWaterMark: STREAM_QUEUE_BYTES, size: (chunk) => chunk.byteLength },
    );
    return { ...header, bodyStream, finished };
  }

  /** Grant the host credit for more chunks while the client's queue has room. */
  #askForMore(id: number, feed: StreamFeed): void {
    if (feed.done) return;
    const room = feed.controller.desiredSize ?? 0;
    if (room <= 0) return;
    // Topped up in batches: each grant is one entry into the guest on the host.
    if (feed.outstanding > STREAM_WINDOW_CHUNKS / 2) return;
    const n = STREAM_WINDOW_CHUNKS - feed.outstanding;
    feed.outstanding += n;
    this.#writer.send(FrameType.Pull, { id, instanceId: this.#open.get(id)?.instanceId, n });
  }

  #endStream(open: Open, message: EndMessage): void {
    const feed = open.stream;
    if (!feed || feed.done) return;
    feed.done = true;
    try {
      if (message.error === null) feed.controller.close();
      // The client sees the body cut short: the connection is closed without the final chunk.
      else feed.controller.error(new Error(`the function's response stream failed: ${message.error}`));
    } catch {
      // the stream was already closed or cancelled
    }
  }

  #onFrame(frame: Frame): void {
    switch (frame.type) {
      case FrameType.Result:
      case FrameType.Response: {
        const header = frame.header as ResultMessage;
        const pending = this.#pending.take(header.id);
        if (!pending) return;
        if (header.kind === 'failure' && header.disposed && this.#instances.delete(pending.instanceId)) this.instanceCount--;
        if (header.kind !== 'failure' && header.open) {
          pending.resolve(this.#openResult(header, pending, frame.body));
          return;
        }
        pending.resolve(frame.body ? { ...header, body: frame.body } : header);
        return;
      }
      case FrameType.Chunk: {
        const feed = this.#open.get(frame.header.id as number)?.stream;
        if (!feed || feed.done) return;
        feed.outstanding--;
        if (frame.body) {
          feed.controller.enqueue(frame.body);
          streamedThrough(frame.body.length);
        }
        this.#askForMore(frame.header.id as number, feed);
        return;
      }
      case FrameType.End: {
        const open = this.#open.get(frame.header.id as number);
        if (open) this.#endStream(open, frame.header as EndMessage);
        return;
      }
      case FrameType.Finished: {
        const message = frame.header as FinishedMessage;
        const open = this.#open.take(message.id);
        if (!open) return;
        if (message.disposed && this.#instances.delete(open.instanceId)) this.instanceCount--;
        this.#endStream(open, { id: message.id, error: message.code === 'OK' ? null : message.code });
        open.finish(message);
        return;
      }
      case FrameType.Logs:
        this.#options.onLogs(frame.header.records as LogRecord[]);
        return;
      case FrameType.Lost: {
        const instanceId = frame.header.instanceId as number;
        if (this.#instances.delete(instanceId)) this.instanceCount--;
        this.#options.onInstancesLost([instanceId]);
        return;
      }
      case FrameType.Ready:
        this.becameReady = true;
        this.#readyHandlers.markReady();
        return;
      case FrameType.Stats: {
        const waiter = this.#statsWaiters.get(frame.header.id as number);
        this.#statsWaiters.delete(frame.header.id as number);
        waiter?.(frame.header as HostStats);
        return;
      }
      default:
        return;
    }
  }
}

export interface HostStats {
  instances: number;
  spares: number;
  heapBytes: number;
  rssBytes: number;
  perInstance: { instanceId: number; heapBytes: number }[];
}

/** A host's memory for GET /api/server: the heap its instances' isolates use, and the process's resident set. */
export type HostMemory =
  | { pid: number | undefined; answered: true; instances: number; spareIsolates: number; heapBytes: number; rssBytes: number }
  | { pid: number | undefined; answered: false };

/** All sandbox hosts of a gateway. */
export class HostPool {
  readonly #options: HostPoolOptions;
  readonly hosts: SandboxHost[] = [];
  #closed = false;
  #overdueTimer: NodeJS.Timeout;
  #quickDeaths = new Map<number, number>();
  restarts = 0;

  constructor(options: HostPoolOptions) {
    this.#options = options;
    for (let i = 0; i < options.hosts; i++) this.hosts.push(this.#spawn(i));
    this.#overdueTimer = setInterval(() => {
      const now = Date.now();
      for (const host of this.hosts) host.checkOverdue(now);
    }, 500);
    this.#overdueTimer.unref();
  }

  /** Resolves when every host has booted. */
  async ready(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.ready));
  }

  /** What each host holds, as it reports it; a host that does not answer within `timeoutMs` (or is down) shows `answered: false`. */
  async memory(timeoutMs = 2000): Promise<HostMemory[]> {
    return Promise.all(this.hosts.map(async (host) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      const stats = host.alive ? await Promise.race([host.stats(), late]) : undefined;
      clearTimeout(timer);
      if (!stats) return { pid: host.pid, answered: false };
      return { pid: host.pid, answered: true, instances: stats.instances, spareIsolates: stats.spares, heapBytes: stats.heapBytes, rssBytes: stats.rssBytes };
    }));
  }

  /**
   * The host with the fewest instances: spreads a function's instances across hosts. With
   * `quarantine`, the quarantine host instead, started on first need: one more host, kept
   * for functions whose runs went far past their CPU limit (Scheduler, OVERRUN_MS), so that
   * the seconds they can hold a host's thread are only their own and each other's.
   */
  pick(quarantine = false): SandboxHost {
    const regular = this.#options.hosts;
    if (quarantine && !this.#closed) {
      this.hosts[regular] ??= this.#spawn(regular);
      return this.hosts[regular];
    }
    let best = this.hosts[0]!;
    for (let i = 1; i < regular; i++) {
      const host = this.hosts[i]!;
      if (host.alive && (!best.alive || host.instanceCount < best.instanceCount)) best = host;
    }
    return best;
  }

  pids(): number[] {
    return this.hosts.map((host) => host.pid).filter((pid): pid is number => pid !== undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#overdueTimer);
    for (const host of this.hosts) host.kill();
  }

  #spawn(index: number): SandboxHost {
    return new SandboxHost(index, this.#options, (dead) => {
      if (this.#closed || this.hosts[dead.index] !== dead) return;
      this.restarts++;
      // A host that dies before it has booted would otherwise be respawned in a tight loop
      // (e.g. a broken install): back off exponentially while that keeps happening. A host
      // that booted and was then killed (a guest's `new Array(1e9).fill(0)`, the reaper) is
      // replaced at once, however young: while the replacement waits, every tenant on this
      // host gets WORKER_CRASHED, and a guest could keep the back-off growing.
      const quick = !dead.becameReady;
      const streak = quick ? (this.#quickDeaths.get(index) ?? 0) + 1 : 0;
      this.#quickDeaths.set(index, streak);
      const delay = streak === 0 ? 0 : Math.min(MAX_RESPAWN_DELAY_MS, 100 * 2 ** (streak - 1));
      if (streak > 3) process.stderr.write(`atoll: sandbox host ${index} keeps dying at start; next try in ${delay} ms\n`);
      const respawn = () => {
        if (this.#closed) return;
        const replacement = this.#spawn(dead.index);
        replacement.ready.catch(() => {});
        this.hosts[dead.index] = replacement;
      };
      if (delay === 0) respawn();
      else setTimeout(respawn, delay).unref();
    });
  }
}

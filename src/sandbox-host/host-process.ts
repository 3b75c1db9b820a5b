/**
 * Entry point of a sandbox host: a child process of the gateway that owns many guest
 * isolates. It talks to the gateway over the socket pair on fd 3 (see protocol.ts).
 * Isolates live here and never in the gateway, because isolated-vm can take its whole
 * process down; when that happens the gateway replaces this process.
 */
import { Socket } from 'node:net';
import { FrameReader, FrameType, FrameWriter, type Frame } from './protocol.ts';
import { GuestIsolate, RuntimeScript, Watchdog, WRAPPER_COLUMN_OFFSET } from './isolate.ts';
import { startReaper } from './reaper.ts';
import { HostInstance, type InstanceSpec } from './host-instance.ts';
import { StackMapper } from './stack-map.ts';
import { StartLog } from './start-log.ts';
import type { InitMessage, DefineMessage, InvokeMessage, LogRecord } from './messages.ts';

const socket = new Socket({ fd: 3, readable: true, writable: true });
const writer = new FrameWriter(socket);
const definitions = new Map<string, { code: string; mapper: StackMapper; filename: string }>();
const instances = new Map<number, HostInstance>();
const spares: GuestIsolate[] = [];
let runtime: RuntimeScript | undefined;
let watchdog: Watchdog | undefined;
let init: InitMessage | undefined;
let logBuffer: LogRecord[] = [];
let refillScheduled = false;
/** When the gateway last asked for work (performance.now()). */
let lastActivityMs = 0;
const REFILL_QUIET_MS = 5;
/** An instance idle this long has its isolate compacted (HostInstance.compactIfIdle); the host looks this often. */
const COMPACT_IDLE_MS = 1000;
const COMPACT_SWEEP_MS = 500;
let compacting = false;
/** Instances whose next held invocation may start (see startHeld). */
const startable = new Set<HostInstance>();
/** A setImmediate(startHeld) is queued. */
let startPending = false;
/** Frames are being read: startHeld runs when they are done. */
let reading = false;
/** What the gateway reads if this host dies, to tell the invocations that started (fd 4). */
const startLog = new StartLog(4);

// The gateway is gone: nothing is left to flush. A plain exit can hang waiting for the
// watchdog's loop on isolated-vm's thread pool, so the host ends itself outright.
const orphaned = () => process.kill(process.pid, 'SIGKILL');
socket.on('close', orphaned);
socket.on('error', orphaned);
const reader = new FrameReader(onFrame);
socket.on('data', (chunk: Buffer) => {
  reading = true;
  try {
    reader.push(chunk);
  } finally {
    reading = false;
  }
  // Invocations held while the frames were read start now, so that their results leave
  // with those of the frames' other invocations, in one write at the end of the turn.
  if (startable.size > 0) startHeld();
});

function onCatastrophe(message: string): void {
  process.stderr.write(`atoll sandbox host: isolated-vm reported a catastrophic error: ${message}\n`);
  process.kill(process.pid, 'SIGKILL');
}

function onFrame(frame: Frame): void {
  lastActivityMs = performance.now();
  switch (frame.type) {
    case FrameType.Init:
      boot(frame.header as InitMessage, frame.body!.toString('utf8'));
      break;
    case FrameType.Define:
      define(frame.header as DefineMessage, frame.body!);
      break;
    case FrameType.Undefine:
      definitions.delete(frame.header.fnKey as string);
      break;
    case FrameType.Create:
      void create(frame.header as InstanceSpec);
      break;
    case FrameType.Invoke:
    case FrameType.InvokeHttp: {
      const message = frame.header as InvokeMessage;
      const instance = instances.get(message.instanceId);
      if (!instance) {
        // Dispatched to an instance that died meanwhile: it never started, so it can run elsewhere.
        writer.send(FrameType.Result, { id: message.id, kind: 'failure', code: 'WORKER_CRASHED', message: 'instance is gone', disposed: true, notStarted: true, cpuMs: 0, wallMs: 0 });
        return;
      }
      const body = frame.body;
      instance.invoke(message, body ? body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer : undefined);
      break;
    }
    case FrameType.Destroy: {
      const instance = instances.get(frame.header.instanceId as number);
      if (instance) instance.destroy();
      break;
    }
    case FrameType.StatsRequest:
      sendStats(frame.header.id as number);
      break;
    case FrameType.Pull:
      instances.get(frame.header.instanceId as number)?.pull(frame.header.id as number, frame.header.n as number);
      break;
    case FrameType.Cancel:
      instances.get(frame.header.instanceId as number)?.cancel(frame.header.id as number);
      break;
    default:
      break;
  }
}

/**
 * Compacts the isolates of instances that went idle, one per turn of the event loop: each
 * takes a millisecond or two of this thread, and frames that arrive meanwhile go first.
 * Warm functions are most of a host's memory, and most of them sit idle; V8 alone would
 * keep their boot's and last invocation's garbage, and the heap pages it filled.
 */
function compactIdleInstances(): void {
  if (compacting) return;
  compacting = true;
  const candidates = [...instances.values()];
  const step = (): void => {
    const now = performance.now();
    while (candidates.length > 0) {
      if (candidates.pop()!.compactIfIdle(now, COMPACT_IDLE_MS)) {
        setImmediate(step);
        return;
      }
    }
    compacting = false;
  };
  step();
}

function boot(message: InitMessage, runtimeSource: string): void {
  init = message;
  runtime = new RuntimeScript(runtimeSource);
  watchdog = new Watchdog(message.maxIsolates);
  startReaper(watchdog.memory);
  // One isolate booted before Ready, so a broken runtime fails the host's start, not a cold start.
  const first = new GuestIsolate(runtime, message.defaultMemoryMb, onCatastrophe);
  spares.push(first);
  void watchdog.watch(first);
  scheduleRefill();
  setInterval(compactIdleInstances, COMPACT_SWEEP_MS).unref();
  writer.send(FrameType.Ready, { pid: process.pid });
}

function define(message: DefineMessage, body: Buffer): void {
  const code = body.toString('utf8', 0, message.codeBytes);
  const map = message.mapBytes > 0 ? body.toString('utf8', message.codeBytes, message.codeBytes + message.mapBytes) : undefined;
  definitions.set(message.fnKey, { code, filename: message.filename, mapper: new StackMapper(message.filename, map, WRAPPER_COLUMN_OFFSET) });
}

/** Take a booted isolate: a spare when the memory limit matches, else a fresh one. */
async function takeIsolate(memoryMb: number): Promise<GuestIsolate> {
  let guest: GuestIsolate | undefined;
  if (memoryMb === init!.defaultMemoryMb) {
    while (spares.length > 0 && !guest) {
      const candidate = spares.pop()!;
      if (!candidate.isDisposed) guest = candidate;
    }
    scheduleRefill();
  }
  guest ??= new GuestIsolate(runtime!, memoryMb, onCatastrophe);
  if (guest.slot < 0) await watchdog!.watch(guest);
  return guest;
}

/**
 * Spares are refilled when the host has been quiet for a moment, one isolate per turn of
 * the event loop: booting one blocks this thread for a few milliseconds, which must not
 * land on the response of the cold start that used a spare, nor on the requests after it.
 */
function scheduleRefill(): void {
  if (refillScheduled) return;
  refillScheduled = true;
  setTimeout(refillSpares, REFILL_QUIET_MS);
}

/** Keep a few booted blank isolates ready, so a cold start skips the runtime's boot. */
function refillSpares(): void {
  refillScheduled = false;
  if (spares.length >= init!.spareIsolates) return;
  const quietFor = performance.now() - lastActivityMs;
  if (quietFor < REFILL_QUIET_MS) {
    refillScheduled = true;
    setTimeout(refillSpares, REFILL_QUIET_MS - quietFor);
    return;
  }
  const guest = new GuestIsolate(runtime!, init!.defaultMemoryMb, onCatastrophe);
  spares.push(guest);
  void watchdog!.watch(guest);
  scheduleRefill();
}

async function create(spec: InstanceSpec): Promise<void> {
  const definition = definitions.get(spec.fnKey);
  const instance = new HostInstance(spec, {
    watchdog: watchdog!,
    settings: init!.hostOps,
    send: (header, body) => writer.send(header.kind === 'response' ? FrameType.Response : FrameType.Result, header, body),
    chunk: (id, bytes) => writer.send(FrameType.Chunk, { id }, bytes),
    end: (message) => writer.send(FrameType.End, message),
    finished: (message) => writer.send(FrameType.Finished, message),
    log: pushLog,
    onGone: (id, reason) => {
      instances.delete(id);
      if (reason) writer.send(FrameType.Lost, { instanceId: id, reason });
    },
    mayStartAtOnce,
    startSoon,
  });
  instances.set(spec.instanceId, instance);
  if (!definition) {
    instance.fail('WORKER_CRASHED', `function version ${spec.fnKey} is not defined on this host`);
    return;
  }
  let guest: GuestIsolate;
  try {
    guest = await takeIsolate(spec.limits.memoryMb);
  } catch (error) {
    instance.fail('WORKER_CRASHED', `could not create an isolate: ${String(error)}`);
    return;
  }
  instance.attach(guest, definition.code, definition.filename, definition.mapper, init!);
}

function startSoon(instance: HostInstance): void {
  startable.add(instance);
  if (startPending || reading) return;
  startPending = true;
  setImmediate(startHeld);
}

/** Every frame so far is in the socket, none in this process's queues. */
function written(): boolean {
  return writer.empty && socket.writableLength === 0;
}

/** An invocation of a free instance may start at once (see InstanceEnvironment); the start log then begins a new generation. */
function mayStartAtOnce(): boolean {
  if (!written()) return false;
  startLog.starting([], true);
  return true;
}

/**
 * Held invocations start in rounds: after the frames of a read, or in the next turn of the
 * event loop when an instance comes free. The start log first records every one that may
 * start (one pwrite; StartLog), then each instance runs its held ones one after another
 * while they settle at once. With one instance per host, a turn per invocation (an
 * epoll_wait and a setImmediate) would cost more than the invocation.
 */
function startHeld(): void {
  startPending = false;
  const ready = [...startable].filter((instance) => instance.startable);
  startable.clear();
  const ids: number[] = [];
  for (const instance of ready) instance.heldIds(ids);
  startLog.starting(ids, written());
  for (const instance of ready) instance.startHeld();
}

function pushLog(record: LogRecord): void {
  if (logBuffer.length === 0) setImmediate(flushLogs);
  logBuffer.push(record);
}

function flushLogs(): void {
  if (logBuffer.length === 0) return;
  const records = logBuffer;
  logBuffer = [];
  writer.send(FrameType.Logs, { records });
}

function sendStats(id: number): void {
  let heapBytes = 0;
  const perInstance: { instanceId: number; heapBytes: number }[] = [];
  for (const instance of instances.values()) {
    const bytes = instance.heapUsedBytes();
    heapBytes += bytes;
    perInstance.push({ instanceId: instance.id, heapBytes: bytes });
  }
  writer.send(FrameType.Stats, { id, instances: instances.size, spares: spares.length, heapBytes, rssBytes: process.memoryUsage.rss(), perInstance });
}

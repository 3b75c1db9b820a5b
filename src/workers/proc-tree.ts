/**
 * CPU time and resident memory of everything a worker runs, read from /proc. The worker's
 * process tree is walked every sample (children through /proc/PID/task/PID/children);
 * when the worker has a uid of its own, a full scan of /proc for that uid now and then
 * also finds processes that left the tree (double fork, setsid): a fork bomb's orphans
 * are counted and killed like the rest.
 *
 * CPU counts utime+stime+cutime+cstime of every process seen: a child reaped by a process
 * of the worker moves its time into that parent's cutime, so the sum holds; a process
 * reaped by someone else (an orphan, reaped by init) takes its time with it, so its last
 * reading is kept. Clock ticks are 10 ms: that is the resolution of `cpuMs` for workers.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times: 100 on every Linux build Atoll targets. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
/** A fork bomb's processes are read this far each sample, no further. */
const MAX_PROCESSES = 512;

export interface TreeSample {
  cpuMs: number;
  rssBytes: number;
  processes: number;
}

interface Seen {
  ticks: number;
  ppid: number;
}

/** Meters one worker's processes across samples. */
export class ProcessMeter {
  readonly #root: number;
  readonly #uid: number | undefined;
  #seen = new Map<number, Seen>();
  #lostTicks = 0;

  constructor(rootPid: number, uid: number | undefined) {
    this.#root = rootPid;
    this.#uid = uid;
  }

  /** One reading; `fullScan` also looks through all of /proc for the worker's uid. */
  sample(fullScan = false): TreeSample {
    const next = new Map<number, Seen>();
    let rssPages = 0;
    const queue = [this.#root, ...this.#seen.keys()];
    if (fullScan && this.#uid !== undefined) queue.push(...processesOf(this.#uid));
    const strangers = new Set<number>();
    while (queue.length > 0 && next.size < MAX_PROCESSES) {
      const pid = queue.pop()!;
      if (next.has(pid)) continue;
      // A pid found outside the tree could have been reused by someone else: check its owner.
      if (pid !== this.#root && this.#uid !== undefined && !this.#seen.has(pid) && !strangers.has(pid) && ownerOf(pid) !== this.#uid) {
        strangers.add(pid);
        continue;
      }
      const stat = readStat(pid);
      if (!stat) continue;
      next.set(pid, { ticks: stat.ticks, ppid: stat.ppid });
      rssPages += stat.rssPages;
      for (const child of readChildren(pid)) if (!next.has(child)) queue.push(child);
    }
    for (const [pid, last] of this.#seen) {
      if (next.has(pid)) continue;
      // Gone: reaped by one of ours (its time is in their cutime now) or by a stranger (lost with it).
      if (!next.has(last.ppid) && !this.#seen.has(last.ppid)) this.#lostTicks += last.ticks;
    }
    this.#seen = next;
    let ticks = this.#lostTicks;
    for (const { ticks: t } of next.values()) ticks += t;
    return { cpuMs: ticks * (1000 / TICKS_PER_SECOND), rssBytes: rssPages * PAGE_BYTES, processes: next.size };
  }
}

/** One buffer for every /proc read: these files are small, and readFileSync would fstat each first. */
const buffer = Buffer.alloc(4096);

function readSmall(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      // A /proc file longer than the buffer (children of a fork bomb) is read as far as it goes.
      if (length === buffer.length) break;
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readStat(pid: number): { ticks: number; ppid: number; rssPages: number } | undefined {
  const text = readSmall(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name is in parentheses and may hold spaces: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17, rss field 24.
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { ticks, ppid: Number(fields[1]), rssPages: Number(fields[21]) };
}

function readChildren(pid: number): number[] {
  const text = readSmall(`/proc/${pid}/task/${pid}/children`)?.trim();
  if (!text) return [];
  // A list cut at the buffer's end may end in half a pid: drop it.
  const pids = text.split(' ').map(Number);
  if (text.length >= buffer.length - 1) pids.pop();
  return pids;
}

function ownerOf(pid: number): number {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return -1;
  }
}

/** Every live process whose /proc entry belongs to `uid`. */
function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    if (ownerOf(Number(entry)) === uid) pids.push(Number(entry));
  }
  return pids;
}

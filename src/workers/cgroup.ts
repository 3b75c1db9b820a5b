/**
 * A memory cgroup per worker, where the server may make one (root, and a writable memory
 * controller): cgroup v2 (`memory.max`, `memory.events`) or, on a v1 or hybrid hierarchy,
 * v1 (`memory.limit_in_bytes`, `memory.oom_control`). The kernel then holds all of the
 * worker's processes together to `memoryMb` (an rlimit holds each process alone), counts
 * what escaped the process tree too, and says when it had to kill one (`oom_kill`), so a
 * breach is known for certain instead of inferred from a death near the limit.
 * Without one, the rlimits and the watchdog's resident-memory check are what remains.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';
/** Atoll's own branch of the hierarchy; each gateway a directory below it. */
const BRANCH = 'atoll';

export interface CgroupLayout {
  readonly version: 1 | 2;
  /** The gateway's directory; workers' cgroups are made in it. */
  readonly dir: string;
}

/** Where this gateway's worker cgroups go, or undefined when the server cannot make any. */
export function cgroupLayout(): CgroupLayout | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const gateway = `gateway-${process.pid}`;
  try {
    const controllers = existsSync(join(V2_ROOT, 'cgroup.controllers')) ? readFileSync(join(V2_ROOT, 'cgroup.controllers'), 'utf8') : '';
    if (/\bmemory\b/.test(controllers)) {
      const branch = join(V2_ROOT, BRANCH);
      mkdirSync(branch, { recursive: true });
      // Memory must be delegated to the children of the branch (and of each gateway directory).
      writeFileSync(join(V2_ROOT, 'cgroup.subtree_control'), '+memory');
      writeFileSync(join(branch, 'cgroup.subtree_control'), '+memory');
      const dir = join(branch, gateway);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory');
      return { version: 2, dir };
    }
    if (existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) {
      const dir = join(V1_ROOT, BRANCH, gateway);
      mkdirSync(dir, { recursive: true });
      return { version: 1, dir };
    }
  } catch {
    // not writable here (a container without the cgroup namespace's write access)
  }
  return undefined;
}

/** Remove this gateway's (empty) directory at shutdown. */
export function removeLayout(layout: CgroupLayout | undefined): void {
  if (!layout) return;
  try {
    rmdirSync(layout.dir);
  } catch {
    // a worker cgroup still being emptied; harmless
  }
}

/** One worker's memory cgroup. */
export class WorkerCgroup {
  readonly #layout: CgroupLayout;
  readonly #dir: string;

  private constructor(layout: CgroupLayout, dir: string) {
    this.#layout = layout;
    this.#dir = dir;
  }

  /** A cgroup limited to `limitBytes`, or undefined if it cannot be made. */
  static create(layout: CgroupLayout | undefined, name: string, limitBytes: number): WorkerCgroup | undefined {
    if (!layout) return undefined;
    const dir = join(layout.dir, name);
    try {
      mkdirSync(dir);
      if (layout.version === 2) {
        writeFileSync(join(dir, 'memory.max'), String(limitBytes));
        // Swapping would let a worker run past its limit on disk, slowly.
        try {
          writeFileSync(join(dir, 'memory.swap.max'), '0');
        } catch {
          // no swap accounting
        }
      } else {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      }
      return new WorkerCgroup(layout, dir);
    } catch {
      try {
        rmdirSync(dir);
      } catch {
        // never made
      }
      return undefined;
    }
  }

  /** Move a process in: the processes it starts from then on are in too. */
  add(pid: number): boolean {
    try {
      writeFileSync(join(this.#dir, 'cgroup.procs'), String(pid));
      return true;
    } catch {
      return false;
    }
  }

  /** How many times the kernel killed a process here for memory. */
  oomKills(): number {
    try {
      const file = this.#layout.version === 2 ? 'memory.events' : 'memory.oom_control';
      const match = /^oom_kill (\d+)$/m.exec(readFileSync(join(this.#dir, file), 'latin1'));
      return match ? Number(match[1]) : 0;
    } catch {
      return 0;
    }
  }

  /** Remove it once its processes are gone. */
  remove(): void {
    try {
      rmdirSync(this.#dir);
    } catch {
      // still has a process (it will go with the uid sweep) or already gone
    }
  }
}

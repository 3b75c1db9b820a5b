/**
 * The language workers of a gateway, behind the scheduler's executor interface: create
 * starts a worker process for an instance, invoke runs one invocation on it, destroy kills
 * it, undefine forgets a version's files. The scheduler decides how many workers each
 * version has (warm reuse, scale-out, scale to zero), exactly as for isolates.
 *
 * Identities: when the server runs as root, every worker gets a uid of its own (from a
 * range no account uses) and every version a gid of its own. A worker can then read its
 * own version's files and nothing of the server's, its Runtime API listener knows it by
 * its uid, RLIMIT_NPROC bounds it alone, and its processes are killed by uid when it ends.
 * Not as root, workers run as the server's user: rlimits and the watchdog still apply,
 * file-system separation does not.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';
import type { FunctionLimits } from '../limits/index.ts';
import { materialize, prepareDataDir } from './code-dir.ts';
import { cgroupLayout, removeLayout, type CgroupLayout } from './cgroup.ts';
import { canIsolateNetwork, type WorkerIdentity } from './launch.ts';
import type { WorkerLogRecord, WorkerResult } from './types.ts';
import { Worker } from './worker.ts';

/** Worker uids start here: far above any account, below the 32-bit overflow uid. */
const UID_BASE = 200_000;
const UID_RANGE = 100_000;
const GID_BASE = 300_000;
const GID_RANGE = 100_000;
export const DEFAULT_PYTHON_BOOTSTRAP = fileURLToPath(new URL('../../sandbox/python3/bootstrap.py', import.meta.url));
export const DEFAULT_PYTHON_HANDLER = 'lambda_function.lambda_handler';

/** What the pool needs to know about a version (the scheduler's FunctionVersion has it all). */
export interface WorkerVersion {
  readonly fnKey: string;
  readonly name: string;
  readonly version: number;
  readonly runtime: string;
  readonly handler: string | null;
  readonly limits: FunctionLimits;
  readonly env: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, Uint8Array>>;
  /** The function may reach the network beyond the Runtime API. */
  readonly outboundNetwork: boolean;
}

export interface WorkerPoolOptions {
  dataDir: string;
  /** The python3 interpreter; default ATOLL_PYTHON, else /usr/bin/python3 if present, else python3 on PATH. */
  python?: string;
  /** Atoll's python3 runtime (sandbox/python3/bootstrap.py). */
  pythonBootstrap?: string;
  region?: string;
  /**
   * `isolated` (default): workers of functions without outbound network run in a network
   * namespace of their own, where the Runtime API is all they reach (root, unshare and perl
   * needed; otherwise they share the host's network). `host`: never isolate.
   */
  network?: 'isolated' | 'host';
  maxResponseBytes: number;
  startupCpuMs: number;
  startupTimeoutMs: number;
  onLogs(records: WorkerLogRecord[]): void;
  onInstancesLost(instanceIds: number[]): void;
}

/** All language workers of one gateway. */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Map<number, Worker>();
  /** fnKey → its code directory and group. */
  readonly #defined = new Map<string, { dir: string; gid: number | undefined }>();
  readonly #codeRoot: string;
  readonly #tmpRoot: string;
  readonly #isolateUsers: boolean;
  readonly #isolateNetwork: boolean;
  /** Unix sockets of the Runtime API of network-isolated workers: short paths, outside the data directory's 108-byte reach. */
  readonly #runDir: string;
  /** The python3 runtime, copied where every worker uid can read it (the checkout may be under a private home). */
  readonly #pythonBootstrap: string;
  readonly #cgroups: CgroupLayout | undefined;
  #nextUid = 0;
  #nextGid = 0;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#isolateUsers = process.getuid?.() === 0;
    const { codeRoot, tmpRoot, runRoot } = prepareDataDir(options.dataDir, this.#isolateUsers);
    this.#codeRoot = codeRoot;
    this.#tmpRoot = tmpRoot;
    this.#isolateNetwork = this.#isolateUsers && options.network !== 'host' && canIsolateNetwork();
    this.#runDir = runDirIn(runRoot);
    chmodSync(this.#runDir, 0o711);
    this.#cgroups = cgroupLayout();
    this.#pythonBootstrap = publishRuntime(options.pythonBootstrap ?? DEFAULT_PYTHON_BOOTSTRAP, join(codeRoot, '..', 'runtime'));
  }

  /** Which memory cgroups workers get here: 2, 1, or none (undefined). */
  get cgroupVersion(): 1 | 2 | undefined {
    return this.#cgroups?.version;
  }

  /** Whether workers without outbound network really get a namespace of their own here. */
  get isolatesNetwork(): boolean {
    return this.#isolateNetwork;
  }

  /** Start a worker for a new instance of `version`. */
  create(instanceId: number, version: WorkerVersion): { invoke(request: GuestRequest, body: Uint8Array | undefined, deadline: number): Promise<WorkerResult>; destroy(): void } {
    const code = this.#define(version);
    const identity: WorkerIdentity = this.#isolateUsers ? { uid: UID_BASE + (this.#nextUid++ % UID_RANGE), gid: code.gid } : { uid: undefined, gid: undefined };
    const runtime = version.runtime === 'python3' ? 'python3' : 'provided';
    const worker = new Worker({
      instanceId,
      fnKey: version.fnKey,
      name: version.name,
      version: version.version,
      runtime,
      handler: version.handler ?? (runtime === 'python3' ? DEFAULT_PYTHON_HANDLER : ''),
      limits: version.limits,
      // Python block-buffers a piped stdout: print() lines would reach the logs late and out of
      // order. Its bytecode cache could not be written to the read-only code anyway.
      env: runtime === 'python3' ? { ...version.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' } : version.env,
      codeDir: code.dir,
      identity,
      isolatedNetwork: this.#isolateNetwork && !version.outboundNetwork,
    }, {
      tmpRoot: this.#tmpRoot,
      runDir: this.#runDir,
      cgroups: this.#cgroups,
      python: this.#options.python ?? defaultPython(),
      pythonBootstrap: this.#pythonBootstrap,
      region: this.#options.region ?? 'atoll',
      maxResponseBytes: this.#options.maxResponseBytes,
      startupCpuMs: this.#options.startupCpuMs,
      startupTimeoutMs: this.#options.startupTimeoutMs,
      onLogs: (records) => this.#options.onLogs(records),
      onLost: (id) => {
        this.#workers.delete(id);
        this.#options.onInstancesLost([id]);
      },
    });
    this.#workers.set(instanceId, worker);
    return {
      invoke: (request, body, deadline) => worker.invoke(request, body, deadline).then((result) => {
        if (result.kind === 'failure' && result.disposed) this.#workers.delete(instanceId);
        return result;
      }),
      destroy: () => {
        this.#workers.delete(instanceId);
        void worker.destroy();
      },
    };
  }

  /** The version has no instance left: its files stay on disk (written once per version), its group is forgotten. */
  undefine(fnKey: string): void {
    this.#defined.delete(fnKey);
  }

  /** Resident memory of every live worker's process tree. */
  async memory(): Promise<{ instanceId: number; bytes: number }[]> {
    return [...this.#workers.entries()].map(([instanceId, worker]) => ({ instanceId, bytes: worker.rssBytes }));
  }

  /** PIDs of the live workers' leader processes. */
  pids(): number[] {
    return [...this.#workers.values()].map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Kill every worker; resolves when their processes and temporary files are gone. */
  async close(): Promise<void> {
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((w) => w.destroy()));
    rmSync(this.#runDir, { recursive: true, force: true });
    removeLayout(this.#cgroups);
  }

  #define(version: WorkerVersion): { dir: string; gid: number | undefined } {
    let code = this.#defined.get(version.fnKey);
    if (!code) {
      code = { dir: join(this.#codeRoot, version.fnKey), gid: this.#isolateUsers ? GID_BASE + (this.#nextGid++ % GID_RANGE) : undefined };
      materialize(code.dir, version.files, code.gid);
      this.#defined.set(version.fnKey, code);
    }
    return code;
  }
}

/** The longest a Unix socket's path may be on Linux (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

let poolsMade = 0;

/**
 * A pool's directory for the sockets of workers in a network namespace of their own
 * (worker.ts: `i<instanceId>.sock`): `<runRoot>/pool<n>-<pid>`, so the next start removes it
 * if this server is killed (removeLeftovers). A data directory too deep for a socket's path
 * gets a temporary directory instead, which such a kill leaves behind.
 */
function runDirIn(runRoot: string): string {
  const dir = join(resolve(runRoot), `pool${++poolsMade}-${process.pid}`);
  if (Buffer.byteLength(join(dir, `i${Number.MAX_SAFE_INTEGER}.sock`)) > MAX_SOCKET_PATH_BYTES) return mkdtempSync(join(tmpdir(), 'atoll-rt-'));
  // A server that had this PID before may have left it (removeLeftovers keeps our PID's).
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

/**
 * Copy a runtime script and the files beside it (modules it imports) to `dir` (0755, files
 * 0644); the original path if it does not exist (yet).
 */
function publishRuntime(script: string, dir: string): string {
  if (!existsSync(script)) return script;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dirname(script), { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const target = join(dir, entry.name);
    copyFileSync(join(dirname(script), entry.name), target);
    chmodSync(target, 0o644);
  }
  return join(dir, basename(script));
}

function defaultPython(): string {
  if (process.env.ATOLL_PYTHON) return process.env.ATOLL_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/**
 * The deploy's files on disk, written once per version under
 * `<dataDir>/workers/code/<name>@<version>/` and read-only for workers. When the server
 * runs as root, each version's directory belongs to a group of its own (mode 0750/0640):
 * a worker, running with that group, can read its own function's files and no other's.
 * `bootstrap` is made executable whatever mode it arrived with (a JSON deploy has none).
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isProcessAlive } from '../registry/index.ts';

const EXECUTABLE = new Set(['bootstrap']);
/** What the server keeps in its data directory besides `workers/`: none of it is for workers. */
const SERVER_ENTRIES = /^(?:(?:registry|logs)\.db(?:-wal|-shm|-journal)?|blobs|admin-token)$/;

/** Write `files` into `dir` unless they are there already; set owner group and modes. */
export function materialize(dir: string, files: Readonly<Record<string, Uint8Array>>, gid: number | undefined): void {
  if (!existsSync(dir)) {
    const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    for (const [path, content] of Object.entries(files)) {
      const target = join(staging, path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(target, content, { mode: 0o600 });
    }
    // The rename makes the version's files appear whole or not at all.
    try {
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(dir)) throw error;
    }
  }
  // Modes and group are set on every define: a restarted server hands out new groups.
  applyModes(dir, '', gid);
}

function applyModes(root: string, rel: string, gid: number | undefined): void {
  const path = rel === '' ? root : join(root, rel);
  const isDir = statSync(path).isDirectory();
  const others = gid === undefined ? 0o005 : 0;
  if (gid !== undefined) chownSync(path, 0, gid);
  if (isDir) {
    chmodSync(path, 0o750 | others);
    for (const name of readdirSync(path)) applyModes(root, rel === '' ? name : join(rel, name), gid);
  } else {
    chmodSync(path, (EXECUTABLE.has(rel) ? 0o750 : 0o640) | (others & (EXECUTABLE.has(rel) ? 0o005 : 0o004)));
  }
}

/**
 * The workers' part of the data directory: `workers/code` (deploys' files), `workers/tmp`
 * (each worker's TMPDIR) and `workers/run` (sockets), cleared of what dead servers left.
 * When workers run under other uids, also opens the data directory to them as far as they
 * need and no further: traversable but not listable (0711), the server's entries
 * (registry, logs, blobs, admin token) private to its user.
 */
export function prepareDataDir(dataDir: string, otherUids: boolean): { codeRoot: string; tmpRoot: string; runRoot: string } {
  const workersRoot = join(dataDir, 'workers');
  const codeRoot = join(workersRoot, 'code');
  const tmpRoot = join(workersRoot, 'tmp');
  const runRoot = join(workersRoot, 'run');
  mkdirSync(codeRoot, { recursive: true });
  mkdirSync(tmpRoot, { recursive: true });
  mkdirSync(runRoot, { recursive: true });
  removeLeftovers(tmpRoot);
  removeLeftovers(runRoot);
  if (!otherUids) return { codeRoot, tmpRoot, runRoot };
  chmodSync(dataDir, 0o711);
  for (const name of readdirSync(dataDir)) {
    // Only Atoll's own entries: a data directory pointed at a shared place keeps the rest as it was.
    if (!SERVER_ENTRIES.test(name)) continue;
    const path = join(dataDir, name);
    const mode = statSync(path).mode & 0o777;
    chmodSync(path, mode & 0o700);
  }
  chmodSync(workersRoot, 0o711);
  chmodSync(codeRoot, 0o711);
  chmodSync(tmpRoot, 0o711);
  chmodSync(runRoot, 0o711);
  return { codeRoot, tmpRoot, runRoot };
}

/**
 * Removes what servers that are gone left in `root`, whose entries' names end in the PID
 * of the server that made them (`-<pid>`): a server killed outright (SIGKILL, a crash, a
 * power cut) leaves its workers' temporary directories behind, files they wrote included.
 * Entries of a live process are kept, so two servers can share the directory.
 */
export function removeLeftovers(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isProcessAlive(pid)) continue;
    rmSync(join(root, name), { recursive: true, force: true });
  }
}

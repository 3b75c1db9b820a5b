/**
 * Which invocations a sandbox host has started, for the gateway to read if the host dies:
 * one that had started fails (WORKER_CRASHED), one that had not runs elsewhere, and nothing
 * runs twice.
 *
 * The socket alone tells the gateway little: a host reads many Invoke frames at once and
 * runs them back to back, and their results are written at the end of the turn. Writing
 * to the socket before each start would wake the gateway each time (~10 % of a hello
 * world's throughput, measured). So the host writes to a file the gateway only reads
 * once the host is gone: an unlinked temporary file, shared as the host's fd 4, written
 * with pwrite (~0.5 µs; page cache, no wake-up), which outlives the process that wrote it.
 *
 * What the file must hold is small. An instance runs one invocation at a time, in the order
 * sent, and starts the next only once the one before it has settled and queued its result.
 * So whenever every frame the host queued is in the socket, each started invocation without
 * a result is its instance's oldest, which the gateway counts as started anyway
 * (SandboxHost). Only starts after that moment need a record. A free instance's invocation
 * that finds everything written starts at once, and begins a new generation; the others
 * are held for the host's next round, which records all it may start in one write.
 *
 * record := f64 generation | f64 invocation id, at offset 16 x index; the records of the
 * latest generation are those from offset 0 on whose generation equals the first's.
 */
import { closeSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const RECORD_BYTES = 16;

/** The host's side: records starts on the file it was given. */
export class StartLog {
  readonly #fd: number;
  #generation = 0;
  #next = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * The invocations `ids` may start now; `written`: every frame so far is in the socket,
   * so what is recorded before is no longer needed.
   */
  starting(ids: readonly number[], written: boolean): void {
    if (written) this.#next = 0;
    if (ids.length === 0) return;
    if (this.#next === 0) this.#generation++;
    const records = new Float64Array(ids.length * 2);
    for (let i = 0; i < ids.length; i++) {
      records[2 * i] = this.#generation;
      records[2 * i + 1] = ids[i]!;
    }
    writeSync(this.#fd, new Uint8Array(records.buffer), 0, records.byteLength, this.#next * RECORD_BYTES);
    this.#next += ids.length;
  }
}

/**
 * The gateway's side: a new log file for one host, already unlinked; pass `fd` to it. When
 * no file can be made (temporary directory unwritable, disk full), the host writes to
 * /dev/null and `readable` is false: the gateway then counts every invocation it has no
 * result for as started, failing some that could have run elsewhere, never running one twice.
 */
export function createStartLogFile(): { fd: number; readable: boolean } {
  try {
    const path = join(tmpdir(), `atoll-start-log-${process.pid}-${randomBytes(6).toString('hex')}`);
    const fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
    return { fd, readable: true };
  } catch {
    return { fd: openSync('/dev/null', 'w'), readable: false };
  }
}

/** The invocation ids of the latest generation in a host's log (read once the host is gone). */
export function readStartLog(fd: number): Set<number> {
  const size = fstatSync(fd).size;
  const bytes = new Uint8Array(size - (size % RECORD_BYTES));
  if (bytes.length > 0) readSync(fd, bytes, 0, bytes.length, 0);
  const records = new Float64Array(bytes.buffer, 0, bytes.length / RECORD_BYTES * 2);
  const ids = new Set<number>();
  for (let i = 0; i < records.length; i += 2) {
    if (records[i] !== records[0]) break;
    ids.add(records[i + 1]!);
  }
  return ids;
}

export function closeStartLogFile(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

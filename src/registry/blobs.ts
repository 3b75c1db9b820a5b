/**
 * Content-addressed code blobs: `<dataDir>/blobs/sha256/<2 hex>/<62 hex>`.
 * A blob is written to a temp file in its final directory, fsynced, renamed into place,
 * and the directory fsynced, so a crash leaves either no file or the whole file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, fsyncSync, closeSync, readdirSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AtollError } from '../errors/index.ts';

const HASH_PATTERN = /^[0-9a-f]{64}$/;
const TEMP_PREFIX = '.tmp-';

/** sha256 hex of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * fsync a directory so a rename or a new entry in it survives power loss; the file's own
 * fsync does not cover the directory entry that names it.
 */
function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether process `pid` exists (a server's leftovers are its own while it lives). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class BlobStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs', 'sha256');
    const created = mkdirSync(this.root, { recursive: true });
    if (created !== undefined) {
      // New directories are themselves entries in their parents: make them durable too.
      fsyncDirSync(join(dataDir, 'blobs'));
      fsyncDirSync(dataDir);
    }
  }

  /** The file that holds blob `hash`. */
  pathOf(hash: string): string {
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  /**
   * Stores each content and returns its hash, in order. Returns only once every blob and
   * its directory entry is on disk. A blob already present and whole is not rewritten.
   */
  async putMany(contents: readonly Uint8Array[]): Promise<string[]> {
    const hashes = contents.map(sha256Hex);
    const unique = new Map<string, Uint8Array>();
    hashes.forEach((hash, i) => unique.set(hash, contents[i]!));
    const dirsToSync = new Set<string>();
    let rootChanged = false;
    await Promise.all(
      [...unique].map(async ([hash, bytes]) => {
        if (await this.isWhole(hash, bytes.byteLength)) return;
        const dir = join(this.root, hash.slice(0, 2));
        if ((await mkdir(dir, { recursive: true })) !== undefined) rootChanged = true;
        const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
        const handle = await open(temp, 'wx');
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } catch (error) {
          await handle.close();
          await unlink(temp).catch(() => {});
          throw error;
        }
        await handle.close();
        await rename(temp, this.pathOf(hash));
        dirsToSync.add(dir);
      }),
    );
    await Promise.all([...dirsToSync].map(fsyncDir));
    if (rootChanged) await fsyncDir(this.root);
    return hashes;
  }

  /** A blob's bytes, verified against its hash. */
  async read(hash: string): Promise<Buffer> {
    if (!HASH_PATTERN.test(hash)) {
      throw new AtollError('INTERNAL_ERROR', `not a sha256 blob hash: ${JSON.stringify(hash)}`, {
        hash,
        reason: 'invalid',
      });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(hash));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new AtollError('INTERNAL_ERROR', `code blob sha256:${hash} is missing from the data directory`, {
        hash,
        reason: 'missing',
      });
    }
    if (sha256Hex(bytes) !== hash) {
      throw new AtollError('INTERNAL_ERROR', `code blob sha256:${hash} is corrupt (content does not match its hash)`, {
        hash,
        reason: 'corrupt',
      });
    }
    return bytes;
  }

  /**
   * Deletes temp files left by a crashed writer. Temp names carry the writer's pid so a
   * live process's in-flight writes (this one's, or another's) are left alone.
   */
  cleanTempFiles(): number {
    let removed = 0;
    for (const prefix of readdirSync(this.root)) {
      let names: string[];
      try {
        names = readdirSync(join(this.root, prefix));
      } catch {
        continue;
      }
      for (const name of names) {
        if (!name.startsWith(TEMP_PREFIX)) continue;
        const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
        if (pid === process.pid) continue;
        if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) continue;
        try {
          unlinkSync(join(this.root, prefix, name));
          removed++;
        } catch {
          // Someone else removed it first: fine.
        }
      }
    }
    return removed;
  }

  /** Present with the right length and hash; a torn or corrupt file gets rewritten. */
  private async isWhole(hash: string, length: number): Promise<boolean> {
    try {
      const info = await stat(this.pathOf(hash));
      if (info.size !== length) return false;
      return sha256Hex(await readFile(this.pathOf(hash))) === hash;
    } catch {
      return false;
    }
  }
}

/**
 * A server killed outright (SIGKILL, a crash) cannot clean up: its workers' temporary
 * directories and its socket directory stay in the data directory. The next start on that
 * directory removes them, and keeps what belongs to a process still alive.
 */
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';

let servers: ServerProcess[] = [];
let dataDir: string | undefined;
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('what a killed server leaves behind', () => {
  it('leftovers: the next start removes a SIGKILLed server\'s worker directories and keeps a live process\'s', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'atoll-leftovers-'));
    const runRoot = join(dataDir, 'workers', 'run');
    const tmpRoot = join(dataDir, 'workers', 'tmp');
    const first = await startServerProcess([], {}, dataDir);
    servers.push(first);
    const firstPid = first.child.pid!;
    expect(readdirSync(runRoot)).toEqual([`pool1-${firstPid}`]);
    // A worker's temporary directory with a file in it, as the first server's worker left it.
    mkdirSync(join(tmpRoot, `i7-${firstPid}`));
    writeFileSync(join(tmpRoot, `i7-${firstPid}`, 'scratch'), 'x');
    // One of a process that is alive: this test's.
    mkdirSync(join(tmpRoot, `i8-${process.pid}`));

    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const second = await startServerProcess([], {}, dataDir);
    servers.push(second);
    expect(readdirSync(runRoot)).toEqual([`pool1-${second.child.pid}`]);
    expect(readdirSync(tmpRoot)).toEqual([`i8-${process.pid}`]);

    // A server that stops cleanly removes its own.
    await second.close();
    expect(readdirSync(runRoot)).toEqual([]);
  });
});

/** The start log a sandbox host leaves for the gateway: which invocations may have started. */
import { fstatSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeStartLogFile, createStartLogFile, readStartLog, StartLog } from '../../src/sandbox-host/start-log.ts';

let fd: number | undefined;
afterEach(() => {
  if (fd !== undefined) closeStartLogFile(fd);
  fd = undefined;
});

describe('start log', () => {
  it('is a file nobody else can open: unlinked at once', () => {
    fd = createStartLogFile().fd;
    expect(fstatSync(fd).nlink).toBe(0);
    expect(readStartLog(fd)).toEqual(new Set());
  });

  it('holds every invocation recorded since everything was last written, across rounds', () => {
    fd = createStartLogFile().fd;
    const log = new StartLog(fd);
    log.starting([1, 2], false);
    log.starting([3], false);
    log.starting([], false);
    expect(readStartLog(fd)).toEqual(new Set([1, 2, 3]));
  });

  it('forgets what came before a moment when everything was written, even where the file still holds it', () => {
    fd = createStartLogFile().fd;
    const log = new StartLog(fd);
    log.starting([1, 2, 3, 4], false);
    log.starting([], true);
    log.starting([7], false);
    // Records 2-4 of the earlier generation are still in the file, after the new one.
    expect(readStartLog(fd)).toEqual(new Set([7]));
    log.starting([8, 9], true);
    expect(readStartLog(fd)).toEqual(new Set([8, 9]));
  });

  it('without a writable temporary directory, the host writes to /dev/null and the gateway knows the log is unreadable', () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent/atoll-start-log-test';
    try {
      const log = createStartLogFile();
      fd = log.fd;
      expect(log.readable).toBe(false);
      expect(() => new StartLog(log.fd).starting([1, 2], false)).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('keeps invocation ids past 2^32 exact', () => {
    fd = createStartLogFile().fd;
    const log = new StartLog(fd);
    const big = 2 ** 40 + 3;
    log.starting([big, big + 1], false);
    expect(readStartLog(fd)).toEqual(new Set([big, big + 1]));
  });
});

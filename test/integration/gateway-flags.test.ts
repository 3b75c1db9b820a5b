import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';

/** The command line of a running process, from /proc (Linux). */
function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('atoll serve: the gateway\'s V8 flags', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('runs the gateway with a small young generation and no memory reducer, in the process that was started', async () => {
    server = await startServerProcess();
    const argv = commandLine(server.child.pid!);
    expect(argv).toContain('--max-semi-space-size=8');
    expect(argv).toContain('--no-memory-reducer');
    expect(argv.slice(-8)).toContain('serve');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('keeps a young-generation size the user set in NODE_OPTIONS, and adds the other flag', async () => {
    server = await startServerProcess([], { NODE_OPTIONS: '--max-semi-space-size=4' });
    const argv = commandLine(server.child.pid!);
    expect(argv.some((arg) => arg.startsWith('--max-semi-space-size'))).toBe(false);
    expect(argv).toContain('--no-memory-reducer');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

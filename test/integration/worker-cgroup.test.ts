/**
 * The memory cgroup of a worker, on its own: the kernel holds the processes in it to the
 * limit and counts the ones it kills. This machine (root, a writable memory controller)
 * has one; README says what holds where it does not.
 */
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { cgroupLayout, removeLayout, WorkerCgroup } from '../../src/workers/cgroup.ts';

const layout = cgroupLayout();
afterAll(() => removeLayout(layout));

function run(cgroup: WorkerCgroup, script: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    // The child waits on stdin until it is in the cgroup, then allocates.
    const child = spawn('python3', ['-c', `import sys; sys.stdin.read(1); ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    cgroup.add(child.pid!);
    child.stdin!.end('x');
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

it('a process past the cgroup limit is killed by the kernel, and the kill is counted', async () => {
  expect(layout).toBeDefined();
  const cgroup = WorkerCgroup.create(layout, 'test-oom', 32 * 1024 * 1024)!;
  expect(cgroup).toBeDefined();
  try {
    expect(cgroup.oomKills()).toBe(0);
    const { signal } = await run(cgroup, 'b = bytearray(100 * 1024 * 1024)');
    expect(signal).toBe('SIGKILL');
    expect(cgroup.oomKills()).toBe(1);
  } finally {
    cgroup.remove();
  }
});

it('a process under the limit runs as usual', async () => {
  const cgroup = WorkerCgroup.create(layout, 'test-ok', 64 * 1024 * 1024)!;
  try {
    expect(await run(cgroup, 'b = bytearray(8 * 1024 * 1024)')).toEqual({ code: 0, signal: null });
    expect(cgroup.oomKills()).toBe(0);
  } finally {
    cgroup.remove();
  }
});

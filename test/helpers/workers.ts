/** Helpers for tests of language workers: fixtures, and the worker processes alive in /proc. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.ts';

export const FIXTURES = join(REPO_ROOT, 'test/fixtures/workers');

/** A fixture's text. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The shell+curl bootstrap with `handler` (shell code that sets RESPONSE) in place of the default answer. */
export function curlBootstrap(handler?: string): string {
  const base = fixture('curl-bootstrap.sh');
  if (handler === undefined) return base;
  return base.replace(/  RESPONSE=.*\n/, () => `${handler}\n`);
}

/** PIDs of live processes whose environment names `AWS_LAMBDA_FUNCTION_NAME=name` (workers and everything they started). */
export function workerProcesses(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) === 'Z') continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (env.split('\0').includes(`AWS_LAMBDA_FUNCTION_NAME=${name}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Waits until no process of function `name` is left (killing is asynchronous); returns what is left. */
export async function settledWorkerProcesses(name: string, waitMs = 3000): Promise<number[]> {
  const until = Date.now() + waitMs;
  let left = workerProcesses(name);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = workerProcesses(name);
  }
  return left;
}

/**
 * Shared steps of the language-worker attacks: deploy a hostile `bootstrap` next to the
 * canary, invoke it, and check that the canary still answers and that no process of the
 * attacker is left alive.
 */
import { expect } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { settledWorkerProcesses } from '../helpers/workers.ts';
import { expectSurvives } from './attack.ts';

export interface Limits {
  memoryMb?: number;
  cpuMs?: number;
  timeoutMs?: number;
}

/**
 * Deploy `bootstrap` (a JSON deploy: no file modes) as a provided function. A shell loop
 * forks a few processes per invocation, whose CPU counts: unless an attack is about CPU,
 * it gets more than the 50 ms default, so a loaded machine cannot turn it into a CPU breach.
 */
export async function deployBootstrap(server: ServerProcess, name: string, bootstrap: string, limits: Limits = {}): Promise<void> {
  const res = await server.api('PUT', `/functions/${name}`, { files: { bootstrap }, runtime: 'provided', limits: { cpuMs: 5000, ...limits } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/**
 * After an attack: the canary answers on the same gateway, and nothing of `name` runs any
 * more. `deleteFirst` for an attack its worker legitimately survives (kept warm): then
 * nothing may be left once the function is deleted.
 */
export async function expectCleanAfter(server: ServerProcess, pid: number, name: string, deleteFirst = false): Promise<void> {
  await expectSurvives(server, pid);
  if (deleteFirst) expect((await server.api('DELETE', `/functions/${name}`)).status).toBe(200);
  expect(await settledWorkerProcesses(name)).toEqual([]);
}

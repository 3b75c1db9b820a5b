/**
 * HostInstance with a real guest isolate and a real watchdog, in an order a live host meets
 * only by chance: an invocation reaches an instance whose module load is still waiting for
 * the watchdog, paused to take on another isolate (in a host, a burst of new instances).
 */
import { expect, it } from 'vitest';
import { bundleFunction } from '../../src/bundler/index.ts';
import { HostInstance, type InstanceEnvironment } from '../../src/sandbox-host/host-instance.ts';
import { WRAPPER_COLUMN_OFFSET } from '../../src/sandbox-host/isolate.ts';
import type { ResultMessage } from '../../src/sandbox-host/messages.ts';
import { StackMapper } from '../../src/sandbox-host/stack-map.ts';
import { fileWatchdog, guestIsolates, httpRequest } from '../helpers/guest.ts';

const guests = guestIsolates();
const watchdogOfFile = fileWatchdog();

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

it('an invocation that arrives while its module load waits for the watchdog is not charged the module top level', async () => {
  const watchdog = watchdogOfFile();
  // The top level burns ~100 ms of CPU under the start-up budget (a guest's clock stands
  // still while it runs, so a count, not a time); the handler answers at once, under a 20 ms limit.
  const bundle = await bundleFunction({
    'index.ts': 'let sum = 0;\nfor (let i = 0; i < 3e7; i++) sum = (sum + i) % 1000003;\nexport default { fetch: () => new Response(String(sum)) };',
  });
  const results: ResultMessage[] = [];
  const env: InstanceEnvironment = {
    watchdog,
    settings: { fetchAllow: [], maxSubrequests: 50 },
    send: (header) => results.push(header),
    chunk: () => {},
    end: () => {},
    finished: () => {},
    log: () => {},
    onGone: () => {},
    mayStartAtOnce: () => true,
    startSoon: (instance) => setImmediate(() => instance.startHeld()),
  };
  const limits = { memoryMb: 64, cpuMs: 20, timeoutMs: 5_000 };
  const instance = new HostInstance({ instanceId: 1, fnKey: 'slow-start@1', name: 'slow-start', version: 1, limits, env: {} }, env);
  const guest = guests.boot();
  await watchdog.watch(guest);

  // Another isolate joins: the watchdog pauses, and every entry into a guest waits for it.
  const paused = watchdog.watch(guests.boot());
  const mapper = new StackMapper('slow-start.js', bundle.sourceMap, WRAPPER_COLUMN_OFFSET);
  instance.attach(guest, bundle.code, 'slow-start.js', mapper, { startupCpuMs: 1_000, startupTimeoutMs: 5_000, maxResponseBytes: 1 << 20 });
  instance.invoke({ id: 7, instanceId: 1, request: httpRequest() }, undefined);
  await paused;
  await until(() => results.length > 0);

  expect(results).toHaveLength(1);
  expect(results[0]).toMatchObject({ id: 7, kind: 'response', status: 200 });
  // Its own CPU time only: the ~100 ms top level went to the start-up budget.
  expect(results[0]!.cpuMs).toBeLessThan(40);
});

/** Pieces shared by the tests that drive real guest isolates through GuestIsolate, as a sandbox host does. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';
import { buildRuntime } from '../../sandbox/build.ts';
import { GuestIsolate, RuntimeScript, Watchdog, type GuestHooks } from '../../src/sandbox-host/isolate.ts';

/** A plain GET to the function at http://fn.test/, with `over` on top. */
export function httpRequest(over: Partial<Extract<GuestRequest, { kind: 'http' }>> = {}): GuestRequest {
  return {
    kind: 'http',
    requestId: 'req-1',
    method: 'GET',
    url: 'http://fn.test/',
    basePath: '/fn/fn',
    headers: [['host', 'fn.test']],
    sourceIp: '203.0.113.9',
    timeEpochMs: Date.now(),
    deadlineMs: Date.now() + 30_000,
    ...over,
  };
}

/** The guest's timers on Node's own: each fires `guest.fireTimer` unless the guest is gone. `onSet` sees every delay asked for. */
export function nodeTimers(guest: GuestIsolate, onSet?: (delayMs: number) => void): Pick<GuestHooks, 'setTimer' | 'clearTimer'> {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    setTimer: (id, delayMs) => {
      onSet?.(delayMs);
      timers.set(id, setTimeout(() => {
        timers.delete(id);
        if (!guest.isDisposed) guest.fireTimer(id);
      }, delayMs));
    },
    clearTimer: (id) => {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
  };
}

/** The built runtime, with every lazy module an isolate asks it for recorded in `lazyLoads` (in order). */
export async function recordingRuntime(lazyLoads: string[]): Promise<RuntimeScript> {
  const runtime = new RuntimeScript(await buildRuntime());
  const lazySource = runtime.lazySource.bind(runtime);
  runtime.lazySource = (name: string) => {
    lazyLoads.push(name);
    return lazySource(name);
  };
  return runtime;
}

/**
 * The guest isolates of one test file: `boot()` makes a fresh isolate of the runtime (built
 * once, before the file's tests; `script` for another build), and every isolate booted
 * during a test is disposed after it. `lazyLoads` lists the lazy modules the isolates asked
 * the host for during the current test.
 */
export function guestIsolates(): { boot(script?: RuntimeScript): GuestIsolate; lazyLoads: string[] } {
  const lazyLoads: string[] = [];
  const running: GuestIsolate[] = [];
  let runtime: RuntimeScript;
  beforeAll(async () => {
    runtime = await recordingRuntime(lazyLoads);
  });
  afterEach(() => {
    for (const guest of running.splice(0)) guest.dispose();
    lazyLoads.length = 0;
  });
  return {
    lazyLoads,
    boot(script = runtime) {
      const guest = new GuestIsolate(script, 64, () => {});
      running.push(guest);
      return guest;
    },
  };
}

/** A real watchdog for one test file: started before its tests, stopped after them. Call the result for it. */
export function fileWatchdog(maxSlots = 16): () => Watchdog {
  let watchdog: Watchdog | undefined;
  beforeAll(() => {
    watchdog = new Watchdog(maxSlots);
  });
  afterAll(async () => {
    await watchdog?.stop();
  });
  return () => watchdog!;
}

/** A host operation's context as a sandbox host gives it, for tests that call the ops directly. */
import type { HostOpSettings, OpContext } from '../../src/sandbox-host/host-ops/index.ts';

/** A fresh invocation's context (`over` on top) and `abort()`, which ends the invocation. */
export function opContext(over: { settings?: Partial<HostOpSettings>; deadlineMs?: number; memoryMb?: number } = {}): OpContext & { abort(): void } {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    requestId: 'req-1',
    fnKey: 'fn@1',
    deadlineMs: over.deadlineMs ?? Date.now() + 30_000,
    memoryMb: over.memoryMb ?? 64,
    state: new Map(),
    settings: { fetchAllow: [], maxSubrequests: 50, ...over.settings },
    log() {},
    abort: () => controller.abort(),
  };
}

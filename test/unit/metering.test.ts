/**
 * Metering never fails a request: whatever a host reports for an invocation's cost (a
 * CPU time it could not read, or one below zero), the record is written with a usable
 * value and the Prometheus counters take it. A negative CPU time once made prom-client's
 * counter throw inside the invoke route, which turned a 503 CPU_LIMIT_EXCEEDED into a
 * 500 INTERNAL_ERROR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Meter } from '../../src/gateway/metering.ts';
import { Metrics } from '../../src/gateway/metrics.ts';
import { openRegistry, type Registry } from '../../src/registry/index.ts';

let dir: string;
let registry: Registry;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atoll-metering-'));
  registry = openRegistry(dir);
});
afterEach(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const record = (requestId: string, cpuMs: number, wallMs: number) => ({
  requestId, function: 'f', version: 1, startTime: Date.now(), wallMs, cpuMs, memoryMb: 128, cold: false, outcome: 'CPU_LIMIT_EXCEEDED',
});

describe('metering', () => {
  it('records a negative or unknown CPU or wall time as 0, without throwing', async () => {
    const metrics = new Metrics(() => ({ instances: 0, hostRestarts: 0 }));
    const meter = new Meter(registry, 1, metrics);
    expect(() => meter.record(record('negative', -3.5, -1))).not.toThrow();
    expect(() => meter.record(record('unknown', Number.NaN, Number.NaN))).not.toThrow();
    meter.record(record('normal', 51.2, 52));
    await meter.close();
    const { invocations } = await registry.queryLogs('f', { limit: 10 });
    expect(invocations.map((r) => [r.requestId, r.cpuMs, r.wallMs])).toEqual([
      ['negative', 0, 0],
      ['unknown', 0, 0],
      ['normal', 51.2, 52],
    ]);
    const cpu = await metrics.cpu.get();
    expect(cpu.values.find((v) => v.labels.function === 'f')?.value).toBeCloseTo(0.0512, 6);
  });

  it('a scrape between flushes counts every invocation recorded so far, each once', async () => {
    const metrics = new Metrics(() => ({ instances: 0, hostRestarts: 0 }));
    const meter = new Meter(registry, 1, metrics);
    const ok = (requestId: string, cold: boolean) => ({ ...record(requestId, 2, 3), outcome: 'OK', cold });
    meter.record(ok('a', true));
    meter.record(ok('b', false));
    meter.record(record('c', 60, 61));
    const scrape = async () => {
      const text = await metrics.registry.metrics();
      const value = (pattern: RegExp) => Number(text.match(pattern)?.[1]);
      return {
        ok: value(/^atoll_invocations_total\{function="f",outcome="OK"\} (\S+)$/m),
        failed: value(/^atoll_invocations_total\{function="f",outcome="CPU_LIMIT_EXCEEDED"\} (\S+)$/m),
        cold: value(/^atoll_cold_starts_total\{function="f"\} (\S+)$/m),
        durations: value(/^atoll_invocation_duration_seconds_count (\S+)$/m),
      };
    };
    expect(await scrape()).toEqual({ ok: 2, failed: 1, cold: 1, durations: 3 });
    meter.record(ok('d', false));
    expect(await scrape()).toEqual({ ok: 3, failed: 1, cold: 1, durations: 4 });
    await meter.close();
    expect(await scrape()).toEqual({ ok: 3, failed: 1, cold: 1, durations: 4 });
    const cpu = await metrics.cpu.get();
    expect(cpu.values.find((v) => v.labels.function === 'f')?.value).toBeCloseTo(0.066, 6);
  });
});

/**
 * Metering: one record per invocation (wall, CPU and billed time, cold or warm, outcome)
 * and the functions' console lines, batched and written to the registry a few times a
 * second so the hot path only appends to a batch (held in typed arrays: see InvocationBatch).
 */
import { InvocationBatch, LogBatch, type InvocationRecord, type Registry } from '../registry/index.ts';
import { MAX_LOG_LINE_BYTES } from '../limits/index.ts';
import type { LogRecord } from '../sandbox-host/index.ts';
import type { InvocationEnd } from '../scheduler/index.ts';
import type { Metrics } from './metrics.ts';

const FLUSH_INTERVAL_MS = 200;
const MAX_BATCH = 5000;

export class Meter {
  readonly #registry: Registry;
  readonly #billingGranularityMs: number;
  #invocations = new InvocationBatch();
  /** Records of the current batch already counted in the Prometheus metrics. */
  #counted = 0;
  #logs = new LogBatch();
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  readonly #metrics: Metrics;

  constructor(registry: Registry, billingGranularityMs: number, metrics: Metrics) {
    this.#registry = registry;
    this.#billingGranularityMs = billingGranularityMs;
    this.#metrics = metrics;
    this.#timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.#timer.unref();
    metrics.beforeScrape(() => this.#count());
  }

  /** Billed time: wall time rounded up to the billing granularity (at least one unit). */
  billedMs(wallMs: number): number {
    const unit = this.#billingGranularityMs;
    return Math.max(unit, Math.ceil(wallMs / unit) * unit);
  }

  /** One finished invocation: its record for the registry, counted in the Prometheus metrics at the next flush or scrape. */
  record(record: Omit<InvocationRecord, 'billedMs'>): void {
    // A host that died reports its CPU time as unknown (NaN); the registry's columns are
    // NOT NULL, and one such row would fail the whole batch it is written with. Never
    // negative either: prom-client's counter throws on a negative increment, and metering
    // must never fail a request.
    const cpuMs = Number.isFinite(record.cpuMs) ? Math.max(0, record.cpuMs) : 0;
    const wallMs = Number.isFinite(record.wallMs) ? Math.max(0, record.wallMs) : 0;
    this.#invocations.add({ ...record, cpuMs, wallMs, billedMs: this.billedMs(wallMs) });
    if (this.#invocations.length >= MAX_BATCH) void this.flush();
  }

  /**
   * Records an invocation now or, when it goes on after its response (`finished` set: a
   * streamed body, waitUntil work), once it is over, with its whole cost and how it ended.
   */
  recordWhenOver(record: Omit<InvocationRecord, 'billedMs'>, finished: Promise<InvocationEnd> | undefined): void {
    if (!finished) return this.record(record);
    void finished.then((end) => this.record({ ...record, ...end.metrics, outcome: record.outcome === 'OK' ? end.code : record.outcome }));
  }

  /** Console lines from a sandbox host; `fnKey` is `name@version`. */
  logs(records: LogRecord[]): void {
    for (const r of records) {
      const at = r.fnKey.lastIndexOf('@');
      const message = r.message.length > MAX_LOG_LINE_BYTES ? `${r.message.slice(0, MAX_LOG_LINE_BYTES)}…` : r.message;
      this.#logs.add({ ts: r.ts, requestId: r.requestId, function: r.fnKey.slice(0, at), version: Number(r.fnKey.slice(at + 1)), level: r.level, message });
    }
    if (this.#logs.length >= MAX_BATCH) void this.flush();
  }

  /**
   * Count the records not counted yet, a function and an outcome at a time: prom-client
   * hashes the labels of every call, which per request cost about a microsecond.
   */
  #count(): void {
    const byOutcome = new Map<string, Map<string, number>>();
    const cost = new Map<string, { cpuMs: number; cold: number }>();
    this.#invocations.each(this.#counted, (fn, outcome, wallMs, cpuMs, cold) => {
      let outcomes = byOutcome.get(fn);
      if (!outcomes) byOutcome.set(fn, (outcomes = new Map()));
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      let c = cost.get(fn);
      if (!c) cost.set(fn, (c = { cpuMs: 0, cold: 0 }));
      c.cpuMs += cpuMs;
      if (cold) c.cold++;
      this.#metrics.observeDuration(wallMs);
    });
    this.#counted = this.#invocations.length;
    for (const [fn, outcomes] of byOutcome) {
      for (const [outcome, count] of outcomes) this.#metrics.countInvocations(fn, outcome, count);
    }
    for (const [fn, c] of cost) this.#metrics.addCost(fn, c.cpuMs, c.cold);
  }

  /** Write what is pending. Batches are written one after another, never concurrently. */
  flush(): Promise<void> {
    if (this.#invocations.length === 0 && this.#logs.length === 0) return this.#flushing;
    this.#count();
    this.#counted = 0;
    const invocations = this.#invocations;
    // An empty log batch stays: most functions do not log on every request.
    const logs = this.#logs.length > 0 ? this.#logs : undefined;
    // Sized for as many as the last batch held, so they rarely grow.
    this.#invocations = new InvocationBatch(invocations.length);
    if (logs) this.#logs = new LogBatch(logs.length);
    this.#flushing = this.#flushing.then(async () => {
      try {
        if (logs) await this.#registry.appendLogs(logs);
        await this.#registry.appendInvocations(invocations);
      } catch (error) {
        process.stderr.write(`atoll: could not write ${invocations.length} invocation records and ${logs?.length ?? 0} log lines: ${String(error)}\n`);
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

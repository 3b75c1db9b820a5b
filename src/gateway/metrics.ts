/** Prometheus metrics of the gateway (`GET /metrics`). */
import { Counter, Gauge, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new PromRegistry();
  /** Brings the counters up to date before a scrape (see `beforeScrape`). */
  #pending: (() => void) | undefined;
  readonly invocations = new Counter({
    name: 'atoll_invocations_total',
    help: 'Invocations by function and outcome (OK or an error code).',
    labelNames: ['function', 'outcome'] as const,
    registers: [this.registry],
    // Registered first, so a scrape calls this before it reads any invocation metric.
    collect: () => this.#pending?.(),
  });
  readonly coldStarts = new Counter({
    name: 'atoll_cold_starts_total',
    help: 'Invocations that created a new instance.',
    labelNames: ['function'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'atoll_invocation_duration_seconds',
    help: 'Wall-clock time of invocations inside the sandbox.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly cpu = new Counter({
    name: 'atoll_invocation_cpu_seconds_total',
    help: 'CPU time used by functions.',
    labelNames: ['function'] as const,
    registers: [this.registry],
  });
  readonly instances: Gauge;
  readonly hostRestarts: Gauge;

  constructor(sample: () => { instances: number; hostRestarts: number }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'atoll_gateway_' });
    this.instances = new Gauge({
      name: 'atoll_instances',
      help: 'Function instances (isolates) alive.',
      registers: [this.registry],
      collect() {
        this.set(sample().instances);
      },
    });
    this.hostRestarts = new Gauge({
      name: 'atoll_sandbox_host_restarts',
      help: 'Sandbox hosts replaced since start.',
      registers: [this.registry],
      collect() {
        this.set(sample().hostRestarts);
      },
    });
  }

  /** `fold` counts what is pending (Meter: the records of its batch not counted yet); a scrape calls it first. */
  beforeScrape(fold: () => void): void {
    this.#pending = fold;
  }

  /** Count `count` finished invocations of a function with one outcome. */
  countInvocations(fn: string, outcome: string, count: number): void {
    this.invocations.inc({ function: fn, outcome }, count);
  }

  /** Add to a function's CPU time and cold starts. */
  addCost(fn: string, cpuMs: number, coldStarts: number): void {
    if (Number.isFinite(cpuMs)) this.cpu.inc({ function: fn }, cpuMs / 1000);
    if (coldStarts > 0) this.coldStarts.inc({ function: fn }, coldStarts);
  }

  /** One invocation's wall time. */
  observeDuration(wallMs: number): void {
    this.duration.observe(wallMs / 1000);
  }
}

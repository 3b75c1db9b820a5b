import type { ServerConfig } from '../config/index.ts';
import type { Registry } from '../registry/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { HostPool } from '../sandbox-host/index.ts';
import type { WorkerPool } from '../workers/index.ts';
import type { Catalog } from './catalog.ts';
import type { Deployments } from './deployments.ts';
import type { Meter } from './metering.ts';
import type { Metrics } from './metrics.ts';

/** Everything the routes use, built once by startAtoll. */
export interface GatewayContext {
  readonly config: ServerConfig;
  readonly adminToken: string;
  readonly registry: Registry;
  readonly catalog: Catalog;
  readonly scheduler: Scheduler;
  readonly hosts: HostPool;
  readonly workers: WorkerPool;
  readonly meter: Meter;
  readonly metrics: Metrics;
  readonly deployments: Deployments;
  /** Where clients reach this server, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** False until the sandbox hosts are up, and again while shutting down. */
  ready: boolean;
}

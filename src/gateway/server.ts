/**
 * Starting and stopping an Atoll server: configuration, registry, sandbox hosts,
 * scheduler, metering, the Hono app on Node's HTTP server, and the local functions.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { buildRuntime } from '../../sandbox/build.ts';
import { resolveServerConfig, type ServerOptions } from '../config/index.ts';
import { MAX_SUBREQUESTS } from '../limits/index.ts';
import { openRegistry } from '../registry/index.ts';
import { buildHostProgram, HostPool } from '../sandbox-host/index.ts';
import { isolateExecutor, Scheduler } from '../scheduler/index.ts';
import { WorkerPool } from '../workers/index.ts';
import { loadAdminToken } from './admin-token.ts';
import { createApp, nodeFetch } from './app.ts';
import { Catalog } from './catalog.ts';
import type { GatewayContext } from './context.ts';
import { Deployments } from './deployments.ts';
import { deployLocalFunctions } from './local-functions.ts';
import { Meter } from './metering.ts';
import { Metrics } from './metrics.ts';

export interface StartedAtoll {
  /** e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  adminToken: string;
  adminTokenGenerated: boolean;
  deployed: { name: string; version: number; url: string }[];
  /** PIDs of the sandbox host processes right now (they change when a host is replaced). */
  sandboxPids(): number[];
  context: GatewayContext;
  close(): Promise<void>;
}

/** Start a server; resolves once it is listening and the local functions are deployed. */
export async function startAtoll(options: ServerOptions = {}): Promise<StartedAtoll> {
  const config = resolveServerConfig(options);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const adminToken = loadAdminToken(config.dataDir, config.adminToken);
  const registry = openRegistry(config.dataDir, { logWriterThread: true });
  let scheduler: Scheduler | undefined;
  // Sampled only when /metrics is scraped, by which time the hosts and scheduler exist.
  const metrics = new Metrics(() => ({ instances: scheduler?.stats().instances ?? 0, hostRestarts: hosts.restarts }));
  const meter = new Meter(registry, config.billingGranularityMs, metrics);
  const hosts = new HostPool({
    hosts: config.sandboxHosts,
    program: await buildHostProgram(),
    runtimeSource: await buildRuntime(),
    init: {
      defaultMemoryMb: 128,
      spareIsolates: config.spareIsolates,
      maxIsolates: config.maxIsolatesPerHost,
      startupCpuMs: config.startupCpuMs,
      startupTimeoutMs: config.startupTimeoutMs,
      maxResponseBytes: config.maxBodyBytes,
      hostOps: { fetchAllow: config.fetchAllow, maxSubrequests: MAX_SUBREQUESTS },
    },
    onLogs: (records) => meter.logs(records),
    onInstancesLost: (ids) => scheduler?.onInstancesLost(ids),
  });
  const workers = new WorkerPool({
    dataDir: config.dataDir,
    pythonBootstrap: config.pythonBootstrap,
    network: config.workerNetwork,
    maxResponseBytes: config.maxBodyBytes,
    startupCpuMs: config.startupCpuMs,
    startupTimeoutMs: config.startupTimeoutMs,
    onLogs: (records) => meter.logs(records),
    onInstancesLost: (ids) => scheduler?.onInstancesLost(ids),
  });
  scheduler = new Scheduler({ isolates: isolateExecutor(hosts, config.dispatchAhead), workers }, {
    idleMs: config.idleMs,
    queueDepth: config.queueDepth,
    queueWaitMs: config.queueWaitMs,
    memoryBudgetBytes: config.memoryBudgetBytes,
    instanceEstimateBytes: config.instanceEstimateBytes,
    startupTimeoutMs: config.startupTimeoutMs,
    eagerInstances: config.sandboxHosts * config.eagerInstancesPerHost,
    scaleOutDelayMs: config.scaleOutDelayMs,
  });
  const catalog = new Catalog(registry);
  const deployments = new Deployments(registry, catalog, scheduler, config);
  const context: GatewayContext = {
    config, adminToken: adminToken.token, registry, catalog, scheduler, hosts, workers, meter, metrics, deployments,
    baseUrl: '', ready: false,
  };
  const memoryRefresh = setInterval(() => void scheduler!.refreshMemory().catch(() => {}), 15_000);
  memoryRefresh.unref();

  let server: Server;
  try {
    await hosts.ready();
    const app = createApp(context);
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: nodeFetch(app), port: config.port, hostname: config.host }, () => resolve(s as Server));
      (s as Server).once('error', reject);
    });
  } catch (error) {
    await workers.close();
    await hosts.close();
    await meter.close();
    await registry.close();
    throw error;
  }
  // Clients and proxies keep connections open; a long keep-alive saves reconnects under load.
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  context.baseUrl = url;

  const deployed = config.functionsDir ? await deployLocalFunctions(config.functionsDir, deployments, registry) : [];
  context.ready = true;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    adminToken: adminToken.token,
    adminTokenGenerated: adminToken.generated,
    deployed: deployed.map((d) => ({ name: d.name, version: d.version, url: `${url}/fn/${d.name}` })),
    sandboxPids: () => hosts.pids(),
    context,
    close() {
      closing ??= (async () => {
        context.ready = false;
        clearInterval(memoryRefresh);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        scheduler!.close();
        await workers.close();
        await hosts.close();
        await meter.close();
        await registry.close();
      })();
      return closing;
    },
  };
}

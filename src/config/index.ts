/**
 * Server configuration: flags first, then ATOLL_* environment variables, then defaults.
 * Validated once at start-up with a strict schema, then frozen; the hot paths trust it.
 */
import { availableParallelism, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AtollError } from '../errors/index.ts';
import { formatAllowEntry, parseAllowList } from '../sandbox-host/outbound/allow-list.ts';
import {
  DEFAULT_IDLE_MS, DEFAULT_MAX_FUNCTION_LIMITS, DEFAULT_QUEUE_DEPTH, DEFAULT_QUEUE_WAIT_MS, MAX_BODY_BYTES,
  MAX_DEPLOY_BYTES, STARTUP_CPU_MS, type FunctionLimits,
} from '../limits/index.ts';

export { parseDeployBody, type DeployFile, type DeploySpec } from './deploy-schema.ts';

/** What a caller of startAtoll may set; anything unset falls back to ATOLL_* env vars and defaults. */
export interface ServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  functionsDir?: string;
  adminToken?: string;
  billingGranularityMs?: number;
  sandboxHosts?: number;
  idleMs?: number;
  spareIsolates?: number;
  /** Requests that may wait per function version once its instances are all busy. */
  queueDepth?: number;
  /** How long a queued request may wait before TOO_MANY_REQUESTS. */
  queueWaitMs?: number;
  /** How long a request waits for a busy instance before the pool grows for it. */
  scaleOutDelayMs?: number;
  /** Invocations a saturated instance may hold, the running one included (dispatch ahead); 1 turns it off. */
  dispatchAhead?: number;
  /** Memory all instances may use together before idle ones are evicted; default half the machine's. */
  memoryBudgetMb?: number;
  /** `HOST[:PORT]` entries (each may be a comma list) that outbound fetch may reach although they are barred. */
  fetchAllow?: string[];
  /** The python3 runtime's bootstrap script; default sandbox/python3/bootstrap.py (ATOLL_PYTHON_BOOTSTRAP). */
  pythonBootstrap?: string;
  /** `isolated` (default): workers without outboundNetwork get a network namespace of their own; `host`: never (ATOLL_WORKER_NETWORK). */
  workerNetwork?: 'isolated' | 'host';
  /**
   * `isolated` (default): each worker runs as a uid of its own, which needs the server to run
   * as root; elsewhere python3/provided deploys are refused. `shared`: workers run as the
   * server's own user and can read its data directory: trusted code only (ATOLL_WORKER_USERS).
   */
  workerUsers?: 'isolated' | 'shared';
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly functionsDir: string | undefined;
  /** Undefined: read from or generated into the data directory. */
  readonly adminToken: string | undefined;
  readonly billingGranularityMs: number;
  readonly sandboxHosts: number;
  readonly spareIsolates: number;
  readonly maxIsolatesPerHost: number;
  readonly idleMs: number;
  readonly queueDepth: number;
  readonly scaleOutDelayMs: number;
  readonly dispatchAhead: number;
  /**
   * Instances a pool adds without waiting, per sandbox host; past them it scales out on
   * evidence (FunctionPool). With dispatch ahead, one per host: a host runs one guest at a
   * time, and each more isolate of the same function it cycles through brings its own heap
   * and JIT code into the caches (hello world: ~30 -> ~23 µs of host CPU per request with 1
   * instead of 4). Without it, a few requests in flight per host let each message to it
   * carry several (1 per host ≈ 3k req/s, 4 ≈ 6.7k, measured before dispatch ahead).
   */
  readonly eagerInstancesPerHost: number;
  readonly queueWaitMs: number;
  readonly memoryBudgetBytes: number;
  readonly instanceEstimateBytes: number;
  readonly startupCpuMs: number;
  readonly startupTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxDeployBytes: number;
  readonly maxFunctionLimits: FunctionLimits;
  /** Outbound fetch allow-list, canonical `HOST[:PORT]` entries (`[v6]` in brackets). */
  readonly fetchAllow: readonly string[];
  /** The python3 runtime's bootstrap script; undefined: the one in sandbox/python3. */
  readonly pythonBootstrap: string | undefined;
  readonly workerNetwork: 'isolated' | 'host';
  readonly workerUsers: 'isolated' | 'shared';
}

const intFromEnv = z.coerce.number().int();

const schema = z.strictObject({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  functionsDir: z.string().min(1).optional(),
  adminToken: z.string().min(16, 'the admin token must be at least 16 characters').optional(),
  billingGranularityMs: z.number().int().min(1).max(60_000),
  sandboxHosts: z.number().int().min(1).max(64),
  spareIsolates: z.number().int().min(0).max(64),
  idleMs: z.number().int().min(100),
  scaleOutDelayMs: z.number().int().min(0).max(10_000),
  // A host holds at most 64 invocations per instance (host-instance.ts, MAX_HELD).
  dispatchAhead: z.number().int().min(1).max(64),
  memoryBudgetMb: z.number().int().min(1),
  queueDepth: z.number().int().min(0).max(100_000),
  queueWaitMs: z.number().int().min(1).max(600_000),
});

/** Resolve and validate the server configuration; throws INVALID_CONFIG. */
export function resolveServerConfig(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fromEnv = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const parsed = intFromEnv.safeParse(raw);
    if (!parsed.success) throw new AtollError('INVALID_CONFIG', `${name} must be an integer, got ${JSON.stringify(raw)}`);
    return parsed.data;
  };
  const candidate = {
    port: options.port ?? fromEnv('ATOLL_PORT') ?? 8787,
    host: options.host ?? (env.ATOLL_HOST || '127.0.0.1'),
    dataDir: options.dataDir ?? (env.ATOLL_DATA || './.atoll'),
    functionsDir: options.functionsDir ?? (env.ATOLL_FUNCTIONS || undefined),
    adminToken: options.adminToken ?? (env.ATOLL_ADMIN_TOKEN || undefined),
    billingGranularityMs: options.billingGranularityMs ?? fromEnv('ATOLL_BILLING_MS') ?? 1,
    sandboxHosts: options.sandboxHosts ?? fromEnv('ATOLL_SANDBOX_HOSTS') ?? Math.min(4, availableParallelism()),
    spareIsolates: options.spareIsolates ?? fromEnv('ATOLL_SPARE_ISOLATES') ?? 2,
    idleMs: options.idleMs ?? fromEnv('ATOLL_IDLE_MS') ?? DEFAULT_IDLE_MS,
    scaleOutDelayMs: options.scaleOutDelayMs ?? fromEnv('ATOLL_SCALE_OUT_DELAY_MS') ?? 2,
    // 64: enough that 50 connections to a saturated hello world, served by one instance per
    // host (eagerInstancesPerHost), never wait in the gateway's queue, where each one costs
    // a round trip to the host. 16 with 4 instances was 1.4x the requests per second of 4,
    // and 4 was 1.6-1.8x those of 1 (bench/README.md).
    dispatchAhead: options.dispatchAhead ?? fromEnv('ATOLL_DISPATCH_AHEAD') ?? 64,
    memoryBudgetMb: options.memoryBudgetMb ?? fromEnv('ATOLL_MEMORY_BUDGET_MB') ?? Math.floor(totalmem() / 2 / 1024 / 1024),
    queueDepth: options.queueDepth ?? fromEnv('ATOLL_QUEUE_DEPTH') ?? DEFAULT_QUEUE_DEPTH,
    queueWaitMs: options.queueWaitMs ?? fromEnv('ATOLL_QUEUE_WAIT_MS') ?? DEFAULT_QUEUE_WAIT_MS,
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new AtollError('INVALID_CONFIG', `invalid server configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
  }
  const c = parsed.data;
  const fetchAllow = resolveFetchAllow(options.fetchAllow, env);
  return Object.freeze({
    ...c,
    adminToken: c.adminToken,
    dataDir: resolve(c.dataDir),
    functionsDir: c.functionsDir === undefined ? undefined : resolve(c.functionsDir),
    maxIsolatesPerHost: 8192,
    eagerInstancesPerHost: c.dispatchAhead > 1 ? 1 : 4,
    // Idle instances beyond this are evicted least recently used first.
    memoryBudgetBytes: c.memoryBudgetMb * 1024 * 1024,
    instanceEstimateBytes: 2 * 1024 * 1024,
    startupCpuMs: STARTUP_CPU_MS,
    startupTimeoutMs: 10_000,
    maxBodyBytes: MAX_BODY_BYTES,
    maxDeployBytes: MAX_DEPLOY_BYTES,
    maxFunctionLimits: DEFAULT_MAX_FUNCTION_LIMITS,
    fetchAllow,
    pythonBootstrap: options.pythonBootstrap ?? (env.ATOLL_PYTHON_BOOTSTRAP ? resolve(env.ATOLL_PYTHON_BOOTSTRAP) : undefined),
    workerNetwork: resolveWorkerNetwork(options.workerNetwork ?? env.ATOLL_WORKER_NETWORK),
    workerUsers: resolveWorkerUsers(options.workerUsers ?? env.ATOLL_WORKER_USERS),
  });
}

/** The fetch allow-list from the option (each item a comma list) or ATOLL_FETCH_ALLOW, validated. */
function resolveFetchAllow(option: string[] | undefined, env: NodeJS.ProcessEnv): readonly string[] {
  const source = option === undefined ? 'ATOLL_FETCH_ALLOW' : 'fetchAllow';
  try {
    return Object.freeze(parseAllowList(option ?? [env.ATOLL_FETCH_ALLOW ?? '']).map(formatAllowEntry));
  } catch (err) {
    const message = `${source}: ${(err as Error).message}`;
    throw new AtollError('INVALID_CONFIG', message, { issues: [{ path: 'fetchAllow', message }] });
  }
}

function resolveWorkerUsers(value: string | undefined): 'isolated' | 'shared' {
  if (value === undefined || value === '' || value === 'isolated') return 'isolated';
  if (value === 'shared') return 'shared';
  throw new AtollError('INVALID_CONFIG', `ATOLL_WORKER_USERS must be "isolated" or "shared", got ${JSON.stringify(value)}`);
}

function resolveWorkerNetwork(value: string | undefined): 'isolated' | 'host' {
  if (value === undefined || value === '' || value === 'isolated') return 'isolated';
  if (value === 'host') return 'host';
  throw new AtollError('INVALID_CONFIG', `ATOLL_WORKER_NETWORK must be "isolated" or "host", got ${JSON.stringify(value)}`);
}

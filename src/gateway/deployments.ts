/**
 * Deploy, roll back and delete: validation, bundling and the registry's atomic write,
 * then the in-memory catalog and the scheduler are brought in line.
 */
import { AtollError } from '../errors/index.ts';
import { bundleFunction } from '../bundler/index.ts';
import { parseDeployBody, type ServerConfig } from '../config/index.ts';
import { validateFunctionName, type DeployResult, type FunctionRecord, type Registry, type VersionRecord } from '../registry/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { Catalog } from './catalog.ts';

export class Deployments {
  readonly #registry: Registry;
  readonly #catalog: Catalog;
  readonly #scheduler: Scheduler;
  readonly #config: ServerConfig;
  /** Deploys of one function run one after another, so versions go live in order. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(registry: Registry, catalog: Catalog, scheduler: Scheduler, config: ServerConfig) {
    this.#registry = registry;
    this.#catalog = catalog;
    this.#scheduler = scheduler;
    this.#config = config;
  }

  /** Validate, bundle and store a new version, and make it live. */
  async deploy(name: string, body: unknown): Promise<DeployResult> {
    validateFunctionName(name);
    const spec = parseDeployBody(body, this.#config.maxFunctionLimits);
    if (spec.runtime !== 'js' && this.#config.workerUsers === 'isolated' && process.getuid?.() !== 0) {
      // Only root can give each worker a uid of its own; as the server's user a worker could
      // read the data directory (other functions' code, the admin token).
      throw new AtollError('INVALID_CONFIG', `runtime "${spec.runtime}" needs the server to run as root, which runs every worker as an unprivileged user of its own; set ATOLL_WORKER_USERS=shared to run workers as the server's user (trusted code only)`, {
        issues: [{ path: 'runtime', message: 'worker runtimes need a root server or ATOLL_WORKER_USERS=shared' }],
      });
    }
    // Other runtimes run the files as they came: nothing to bundle, nothing to compile.
    const bundle = spec.runtime === 'js'
      // A js deploy holds text only: parseDeployBody refuses its binary files.
      ? await bundleFunction({ ...(spec.files as Readonly<Record<string, string>>) }, spec.entry)
      : { style: 'lambda' as const, entry: workerEntry(spec.runtime, spec.handler), code: null, sourceMap: null };
    return this.#serial(name, async () => {
      const result = await this.#registry.deploy({
        name,
        runtime: spec.runtime,
        style: bundle.style,
        entry: bundle.entry,
        handler: spec.handler,
        limits: spec.limits,
        env: spec.env,
        concurrency: spec.concurrency,
        outboundNetwork: spec.outboundNetwork,
        files: spec.files,
        bundle: bundle.code,
        sourceMap: bundle.sourceMap,
      });
      const live = await this.#catalog.setLive(result.version);
      this.#scheduler.prewarm(live);
      return result;
    });
  }

  async rollback(name: string, version: number): Promise<FunctionRecord> {
    validateFunctionName(name);
    return this.#serial(name, async () => {
      const record = await this.#registry.rollback(name, version);
      const target = await this.#registry.getVersion(name, version);
      if (target) this.#scheduler.prewarm(await this.#catalog.setLive(target));
      return record;
    });
  }

  async remove(name: string): Promise<void> {
    validateFunctionName(name);
    await this.#serial(name, async () => {
      const existed = await this.#registry.remove(name);
      for (const fnKey of this.#catalog.drop(name)) this.#scheduler.retire(fnKey);
      if (!existed) throw new AtollError('FUNCTION_NOT_FOUND', `no function named "${name}"`);
    });
  }

  /** The live version record, or FUNCTION_NOT_FOUND. */
  async live(name: string): Promise<VersionRecord> {
    validateFunctionName(name);
    const record = await this.#registry.getLiveVersion(name);
    if (!record) throw new AtollError('FUNCTION_NOT_FOUND', `no function named "${name}"`);
    return record;
  }

  #serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(name) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => {});
    this.#locks.set(name, tail);
    void tail.then(() => {
      if (this.#locks.get(name) === tail) this.#locks.delete(name);
    });
    return next;
  }
}

/** The file a worker starts from: `bootstrap`, or the module of a python3 handler. */
function workerEntry(runtime: string, handler: string | null): string {
  if (runtime !== 'python3' || handler === null) return 'bootstrap';
  return `${handler.slice(0, handler.lastIndexOf('.')).replaceAll('.', '/')}.py`;
}

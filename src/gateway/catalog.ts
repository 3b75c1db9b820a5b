/**
 * Which version of each function is live, and the loaded code of recently used versions.
 * The registry is the source of truth; this process keeps what the hot path needs in
 * memory and updates it on every deploy, rollback and delete it performs.
 */
import { LRUCache } from 'lru-cache';
import { AtollError } from '../errors/index.ts';
import type { Registry, VersionRecord } from '../registry/index.ts';
import type { FunctionVersion } from '../scheduler/index.ts';

const CODE_CACHE_BYTES = 256 * 1024 * 1024;

export class Catalog {
  readonly #registry: Registry;
  /** name → live version number. */
  readonly #live = new Map<string, number>();
  /** `name@version` → loaded version, bounded by code size. */
  readonly #loaded = new LRUCache<string, FunctionVersion>({
    maxSize: CODE_CACHE_BYTES,
    sizeCalculation: (v) => v.code.length + (v.sourceMap?.length ?? 0) + Object.values(v.files).reduce((n, f) => n + f.length, 0) + 1,
  });

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** The live version if it is in memory: the hot path, no await. */
  cachedLive(name: string): FunctionVersion | undefined {
    const version = this.#live.get(name);
    return version === undefined ? undefined : this.#loaded.get(`${name}@${version}`);
  }

  /** The live version of `name`; FUNCTION_NOT_FOUND if there is none. */
  async live(name: string): Promise<FunctionVersion> {
    const cached = this.cachedLive(name);
    if (cached) return cached;
    const record = await this.#registry.getLiveVersion(name);
    if (!record) throw new AtollError('FUNCTION_NOT_FOUND', `no function named "${name}"`);
    this.#live.set(name, record.version);
    return this.#load(record);
  }

  /** A specific version of `name`; FUNCTION_NOT_FOUND if it does not exist. */
  async version(name: string, version: number): Promise<FunctionVersion> {
    const cached = this.#loaded.get(`${name}@${version}`);
    if (cached) return cached;
    const record = await this.#registry.getVersion(name, version);
    if (!record) throw new AtollError('FUNCTION_NOT_FOUND', `function "${name}" has no version ${version}`);
    return this.#load(record);
  }

  /** A deploy or rollback made `record` live. */
  async setLive(record: VersionRecord): Promise<FunctionVersion> {
    this.#live.set(record.name, record.version);
    return this.#load(record);
  }

  /** The function was deleted: forget it. Returns the keys of the versions that were loaded. */
  drop(name: string): string[] {
    this.#live.delete(name);
    const dropped: string[] = [];
    for (const key of [...this.#loaded.keys()]) {
      if (key.startsWith(`${name}@`)) {
        this.#loaded.delete(key);
        dropped.push(key);
      }
    }
    return dropped;
  }

  async #load(record: VersionRecord): Promise<FunctionVersion> {
    const fnKey = `${record.name}@${record.version}`;
    const cached = this.#loaded.get(fnKey);
    if (cached) return cached;
    const loaded: FunctionVersion = Object.freeze({
      fnKey,
      name: record.name,
      version: record.version,
      runtime: record.runtime,
      handler: record.handler,
      style: record.style,
      limits: record.limits,
      env: record.env,
      concurrency: record.concurrency,
      outboundNetwork: record.outboundNetwork,
      ...(record.runtime === 'js' ? await this.#bundle(record) : { code: '', sourceMap: undefined, files: Object.freeze(await this.#files(record)) }),
    });
    this.#loaded.set(fnKey, loaded);
    return loaded;
  }

  /** A js version's bundled code and source map. */
  async #bundle(record: VersionRecord): Promise<Pick<FunctionVersion, 'code' | 'sourceMap' | 'files'>> {
    if (!record.bundleHash) throw new AtollError('FUNCTION_NOT_FOUND', `function "${record.name}" version ${record.version} has no code for this runtime`);
    const [code, sourceMap] = await Promise.all([
      this.#registry.readBlob(record.bundleHash),
      record.sourceMapHash ? this.#registry.readBlob(record.sourceMapHash) : undefined,
    ]);
    return { code: code.toString('utf8'), sourceMap: sourceMap?.toString('utf8'), files: Object.freeze({}) };
  }

  /** A worker runtime's files as they came, read from their blobs. */
  async #files(record: VersionRecord): Promise<Record<string, Uint8Array>> {
    const paths = Object.keys(record.manifest);
    const contents = await Promise.all(paths.map((p) => this.#registry.readBlob(record.manifest[p]!)));
    const files: Record<string, Uint8Array> = {};
    paths.forEach((p, i) => (files[p] = contents[i]!));
    return files;
  }
}

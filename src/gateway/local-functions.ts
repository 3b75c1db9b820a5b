/**
 * `atoll serve --functions DIR`: deploy every function found in DIR at start-up. Each
 * sub-directory (or single .js/.ts file) is a function named after it; an optional
 * `atoll.json` beside the code holds its deploy options (limits, env, concurrency, entry).
 * A function whose files and options equal its live version is left as it is, so restarts
 * do not pile up versions.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { AtollError } from '../errors/index.ts';
import { readSources } from '../bundler/sources.ts';
import type { Registry, VersionRecord } from '../registry/index.ts';
import { parseDeployBody, type DeployFile, type DeploySpec } from '../config/index.ts';
import type { Deployments } from './deployments.ts';

const CONFIG_FILE = 'atoll.json';
const CODE_FILE = /\.(?:[cm]?[jt]s)$/;

export interface LocalDeploy {
  name: string;
  version: number;
  changed: boolean;
}

/** Deploy the functions of `dir`; a function that fails to deploy is reported, not fatal. */
export async function deployLocalFunctions(dir: string, deployments: Deployments, registry: Registry): Promise<LocalDeploy[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const deployed: LocalDeploy[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const isCodeFile = entry.isFile() && CODE_FILE.test(entry.name);
    if (!entry.isDirectory() && !isCodeFile) continue;
    const name = isCodeFile ? basename(entry.name, extname(entry.name)) : entry.name;
    try {
      deployed.push(await deployOne(name, join(dir, entry.name), entry.isDirectory(), deployments, registry));
    } catch (error) {
      const detail = error instanceof AtollError ? `${error.code}: ${error.message}` : String(error);
      process.stderr.write(`atoll: could not deploy ${join(dir, entry.name)}: ${detail}\n`);
    }
  }
  return deployed;
}

async function deployOne(name: string, path: string, isDir: boolean, deployments: Deployments, registry: Registry): Promise<LocalDeploy> {
  const files = await readSources(path);
  let options: Record<string, unknown> = {};
  if (isDir && files[CONFIG_FILE] !== undefined) {
    try {
      options = JSON.parse(await readFile(join(path, CONFIG_FILE), 'utf8')) as Record<string, unknown>;
    } catch {
      throw new AtollError('INVALID_CONFIG', `${join(path, CONFIG_FILE)} is not valid JSON`);
    }
    delete files[CONFIG_FILE];
  }
  const body = { ...options, files };
  const live = await registry.getLiveVersion(name);
  if (live && sameFiles(live.manifest, files) && sameOptions(live, parseDeployBody(body))) {
    return { name, version: live.version, changed: false };
  }
  const { version } = await deployments.deploy(name, body);
  return { name, version: version.version, changed: true };
}

function sameFiles(manifest: Readonly<Record<string, string>>, files: Record<string, DeployFile>): boolean {
  const paths = Object.keys(files);
  if (paths.length !== Object.keys(manifest).length) return false;
  const bytes = (content: DeployFile) => (typeof content === 'string' ? content : Buffer.from(content.base64, 'base64'));
  return paths.every((p) => manifest[p] === createHash('sha256').update(bytes(files[p]!)).digest('hex'));
}

function sameOptions(live: VersionRecord, spec: DeploySpec): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return same(live.limits, spec.limits) && same(live.env, spec.env) && same(live.concurrency, spec.concurrency)
    && live.runtime === spec.runtime && live.handler === spec.handler && live.outboundNetwork === spec.outboundNetwork
    && (spec.entry === undefined || spec.entry === live.entry);
}

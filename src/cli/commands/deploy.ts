/** `atoll deploy <file|dir> --name N`: uploads sources as a new immutable version. */
import type { DeployFile } from '../../config/index.ts';
import { intOption, listOption, parseEnvPairs, requiredString, stringOption, type ParsedArgs } from '../args.ts';
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';
import { readSources } from '../files.ts';

export interface DeployBody {
  files: Record<string, DeployFile>;
  entry?: string;
  handler?: string;
  runtime?: string;
  outboundNetwork?: boolean;
  limits?: { memoryMb?: number; cpuMs?: number; timeoutMs?: number };
  env?: Record<string, string>;
  concurrency?: { max?: number; minWarm?: number };
}

/** Builds the PUT body from the parsed flags; only flags that were given are sent, so server defaults apply. */
export function buildDeployBody(args: ParsedArgs, files: Record<string, DeployFile>): DeployBody {
  const body: DeployBody = { files };
  const entry = stringOption(args, 'entry');
  if (entry !== undefined) body.entry = entry;
  const handler = stringOption(args, 'handler');
  if (handler !== undefined) body.handler = handler;
  const runtime = stringOption(args, 'runtime');
  if (runtime !== undefined) body.runtime = runtime;
  if (args.values['outbound-network'] === true) body.outboundNetwork = true;

  const limits = compact({
    memoryMb: intOption(args, 'memory', { min: 1 }),
    cpuMs: intOption(args, 'cpu-ms', { min: 1 }),
    timeoutMs: intOption(args, 'timeout-ms', { min: 1 }),
  });
  if (limits) body.limits = limits;

  const envPairs = listOption(args, 'env');
  if (envPairs.length > 0) body.env = parseEnvPairs(envPairs);

  const concurrency = compact({
    max: intOption(args, 'concurrency', { min: 1 }),
    minWarm: intOption(args, 'min-warm', { min: 0 }),
  });
  if (concurrency) body.concurrency = concurrency;
  return body;
}

function compact<T extends Record<string, number | undefined>>(obj: T): Partial<T> | undefined {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as Partial<T>);
}

export const deploy: Command = {
  spec: {
    name: 'deploy',
    summary: 'Deploy a file or a directory as a new version of a function.',
    usage: 'atoll deploy <file|dir> --name NAME [options]',
    positionals: ['<file|dir>'],
    client: true,
    options: {
      name: { type: 'string', short: 'n', arg: 'NAME', help: 'function name (required)' },
      entry: { type: 'string', arg: 'FILE', help: 'entry module (default: the only file, or index.*)' },
      runtime: { type: 'string', arg: 'RT', help: 'js, python3 or provided (default: from the files)' },
      handler: { type: 'string', arg: 'FILE.FN', help: "Lambda handler for python3/provided, e.g. app.handler" },
      'outbound-network': { type: 'boolean', help: 'python3/provided: let the workers reach the network (default: the Runtime API only)' },
      memory: { type: 'string', arg: 'MB', help: 'memory limit in MB' },
      'cpu-ms': { type: 'string', arg: 'N', help: 'CPU time limit per invocation, ms' },
      'timeout-ms': { type: 'string', arg: 'N', help: 'wall-clock timeout per invocation, ms' },
      env: { type: 'string', multiple: true, arg: 'K=V', help: 'environment variable' },
      concurrency: { type: 'string', arg: 'N', help: 'maximum concurrent instances' },
      'min-warm': { type: 'string', arg: 'N', help: 'instances kept warm when idle' },
    },
  },

  async run(ctx) {
    const name = requiredString(ctx.args, 'name');
    const conn = connectionFrom(ctx.args, ctx.env);
    // Validate every flag before touching the disk or the network.
    buildDeployBody(ctx.args, {});
    const files = await readSources(ctx.args.positionals[0]!);
    const body = buildDeployBody(ctx.args, files);
    const result = (await call(conn, 'PUT', functionPath(name), { body })) as {
      name: string;
      version: number | string;
      url?: string;
    };
    ctx.out(`deployed ${result.name} version ${result.version}`);
    if (result.url) ctx.out(result.url);
  },
};

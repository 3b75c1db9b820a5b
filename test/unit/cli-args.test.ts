import { describe, expect, it } from 'vitest';
import { intOption, parseCommandArgs, parseEnvPairs } from '../../src/cli/args.ts';
import { connectionFrom } from '../../src/cli/client.ts';
import { buildDeployBody, deploy } from '../../src/cli/commands/deploy.ts';
import { invoke } from '../../src/cli/commands/invoke.ts';
import { ls } from '../../src/cli/commands/ls.ts';
import { CliError } from '../../src/cli/errors.ts';

function usageCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return `${err.code}/${err.exitCode}`;
    throw err;
  }
  return undefined;
}

describe('cli args', () => {
  it('deploy: parses the path, name and repeatable --env', () => {
    const args = parseCommandArgs(deploy.spec, ['./fn', '--name', 'hello', '--env', 'A=1', '--env', 'B=x=y']);
    expect(args.positionals).toEqual(['./fn']);
    expect(args.values.name).toBe('hello');
    expect(parseEnvPairs(args.values.env as string[])).toEqual({ A: '1', B: 'x=y' });
  });

  it('deploy: sends only the limits that were given', () => {
    const args = parseCommandArgs(deploy.spec, ['f.ts', '-n', 'x', '--memory', '64', '--min-warm', '0']);
    expect(buildDeployBody(args, { 'f.ts': 'x' })).toEqual({
      files: { 'f.ts': 'x' },
      limits: { memoryMb: 64 },
      concurrency: { minWarm: 0 },
    });
  });

  it('deploy: a full flag set maps onto the API body', () => {
    const args = parseCommandArgs(deploy.spec, [
      'dir', '--name', 'x', '--entry', 'src/main.ts', '--memory', '256', '--cpu-ms', '100',
      '--timeout-ms', '5000', '--runtime', 'python3', '--handler', 'app.handler', '--concurrency', '4', '--min-warm', '1', '--env', 'K=V',
    ]);
    expect(buildDeployBody(args, {})).toEqual({
      files: {},
      entry: 'src/main.ts',
      runtime: 'python3',
      handler: 'app.handler',
      limits: { memoryMb: 256, cpuMs: 100, timeoutMs: 5000 },
      env: { K: 'V' },
      concurrency: { max: 4, minWarm: 1 },
    });
  });

  it('rejects an unknown option as a usage error (exit 2)', () => {
    expect(usageCode(() => parseCommandArgs(ls.spec, ['--nope']))).toBe('USAGE/2');
  });

  it('rejects a missing positional and an extra one', () => {
    expect(usageCode(() => parseCommandArgs(invoke.spec, []))).toBe('USAGE/2');
    expect(usageCode(() => parseCommandArgs(invoke.spec, ['a', 'b']))).toBe('USAGE/2');
  });

  it('--help needs no positionals', () => {
    expect(parseCommandArgs(invoke.spec, ['--help']).help).toBe(true);
  });

  it('rejects non-integer and out-of-range numbers', () => {
    for (const bad of ['abc', '1.5', '1e3', '', '-1', '0']) {
      const args = parseCommandArgs(deploy.spec, ['f', '-n', 'x', `--memory=${bad}`]);
      expect(usageCode(() => intOption(args, 'memory', { min: 1 })), bad).toBe('USAGE/2');
    }
  });

  it('rejects --env without KEY=', () => {
    expect(usageCode(() => parseEnvPairs(['NOEQUALS']))).toBe('USAGE/2');
    expect(usageCode(() => parseEnvPairs(['=v']))).toBe('USAGE/2');
    expect(usageCode(() => parseEnvPairs(['1A=v']))).toBe('USAGE/2');
  });

  it('connection: flags win over env, env over the default', () => {
    const none = parseCommandArgs(ls.spec, []);
    expect(connectionFrom(none, {})).toEqual({ url: 'http://127.0.0.1:8787', token: undefined });
    expect(connectionFrom(none, { ATOLL_URL: 'http://h:1/', ATOLL_TOKEN: 't' })).toEqual({ url: 'http://h:1', token: 't' });
    const flags = parseCommandArgs(ls.spec, ['--url', 'https://x.test', '--token', 'f']);
    expect(connectionFrom(flags, { ATOLL_URL: 'http://h:1', ATOLL_TOKEN: 't' })).toEqual({ url: 'https://x.test', token: 'f' });
  });

  it('connection: a malformed URL is a usage error', () => {
    const args = parseCommandArgs(ls.spec, ['--url', 'not a url']);
    expect(usageCode(() => connectionFrom(args, {}))).toBe('USAGE/2');
    const ftp = parseCommandArgs(ls.spec, ['--url', 'ftp://x']);
    expect(usageCode(() => connectionFrom(ftp, {}))).toBe('USAGE/2');
  });
});

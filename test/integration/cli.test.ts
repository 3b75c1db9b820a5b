// Drives the real `atoll` binary as a subprocess against a real in-process server.
// Assertions are on exit codes, table columns and error codes, never message text.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAtoll } from '../../src/gateway/index.ts';

const BIN = fileURLToPath(new URL('../../bin/atoll.js', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/functions', import.meta.url));
// startAtoll refuses admin tokens shorter than 16 characters, so not the brief's 'test-token'.
const TOKEN = 'test-token-0123456789';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment without any ATOLL_* the developer may have exported, so tests see only what they set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATOLL_')));
  return { ...env, ...extra };
}

let server: Awaited<ReturnType<typeof startAtoll>>;
let tmp: string;

// Asynchronous on purpose: the server runs in this process, so a blocking spawnSync would deadlock it.
function atoll(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: cleanEnv({ ATOLL_URL: server.url, ATOLL_TOKEN: TOKEN, ...env }), timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The error code from the CLI's one-line `error: CODE: message` report. */
function errorCode(r: Run): string | undefined {
  return /^error: ([A-Z0-9_]+): /.exec(r.stderr)?.[1];
}

/** Header cells of a table printed by the CLI (columns are separated by 2+ spaces). */
function headerOf(r: Run): string[] {
  return r.stdout.split('\n')[0]!.trim().split(/\s{2,}/);
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<string> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

const v1 = {
  'index.ts': [
    "import { greet } from './lib/greet.ts';",
    'export async function handler(event: { who?: string }) {',
    "  console.log('invoked for', event.who);",
    "  return { message: greet(event.who ?? 'world'), v: 1 };",
    '}',
  ].join('\n'),
  'lib/greet.ts': 'export const greet = (who: string): string => `hello ${who}`;\n',
  'node_modules/ignored/index.js': 'this is not JavaScript',
  '.env': 'NOT_DEPLOYED=1',
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'atoll-cli-it-'));
  server = await startAtoll({ port: 0, dataDir: join(tmp, 'data'), adminToken: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('atoll CLI against a running server', () => {
  it('deploy: a directory becomes version 1 and prints its URL', async () => {
    const dir = await writeFiles(join(tmp, 'v1'), v1);
    const r = await atoll(['deploy', dir, '--name', 'cli-hello', '--memory', '64', '--env', 'GREETING=hi']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployed cli-hello version 1/);
    expect(r.stdout).toContain('/fn/cli-hello');
  });

  it('invoke: prints the handler result as JSON', async () => {
    const r = await atoll(['invoke', 'cli-hello', '--data', '{"who":"atoll"}']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ message: 'hello atoll', v: 1 });
  });

  it('ls: a table with the documented columns and the function', async () => {
    const r = await atoll(['ls']);
    expect(r.code).toBe(0);
    expect(headerOf(r)).toEqual(['NAME', 'VERSION', 'RUNTIME', 'STYLE', 'MEMORY', 'UPDATED']);
    expect(r.stdout).toMatch(/^cli-hello\s+1\s/m);
  });

  it('deploy: a single file becomes version 2 and goes live', async () => {
    const dir = await writeFiles(join(tmp, 'v2'), {
      'handler.js': 'export const handler = async () => ({ v: 2 });\n',
    });
    const r = await atoll(['deploy', join(dir, 'handler.js'), '--name', 'cli-hello']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deployed cli-hello version 2/);
    expect(JSON.parse((await atoll(['invoke', 'cli-hello'])).stdout)).toEqual({ v: 2 });
  });

  it('invoke --version: runs a version that is not live', async () => {
    const r = await atoll(['invoke', 'cli-hello', '--version', '1', '--data', '{"who":"v1"}']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ message: 'hello v1', v: 1 });
  });

  it('versions: a table with the live version starred', async () => {
    const r = await atoll(['versions', 'cli-hello']);
    expect(r.code).toBe(0);
    expect(headerOf(r)).toEqual(['VERSION', 'LIVE', 'CREATED', 'SIZE', 'SHA']);
    expect(r.stdout).toMatch(/^\s*2\s+\*\s/m);
  });

  it('rollback --to 1: version 1 is live again', async () => {
    const r = await atoll(['rollback', 'cli-hello', '--to', '1']);
    expect(r.code).toBe(0);
    expect((await atoll(['versions', 'cli-hello'])).stdout).toMatch(/^\s*1\s+\*\s/m);
    expect(JSON.parse((await atoll(['invoke', 'cli-hello'])).stdout)).toMatchObject({ v: 1 });
  });

  it('logs: invocation table columns and the captured console line', async () => {
    const r = await atoll(['logs', 'cli-hello', '--limit', '50']);
    expect(r.code).toBe(0);
    expect(headerOf(r)).toEqual(
      ['REQUEST ID', 'VERSION', 'START', 'WALL ms', 'CPU ms', 'BILLED ms', 'MEM', 'COLD', 'OUTCOME']);
    expect(r.stdout).toContain('invoked for atoll');
  });

  it('deploy: a compile error exits 1 with COMPILE_ERROR and file:line:column lines', async () => {
    const dir = await writeFiles(join(tmp, 'broken'), {
      'index.ts': 'export async function handler() {\n  return {;\n}\n',
    });
    const r = await atoll(['deploy', dir, '--name', 'cli-broken']);
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('COMPILE_ERROR');
    expect(r.stderr).toMatch(/^index\.ts:\d+:\d+: /m);
  });

  it('invoke: an unknown function exits 1 with FUNCTION_NOT_FOUND on one line', async () => {
    const r = await atoll(['invoke', 'no-such-function']);
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('FUNCTION_NOT_FOUND');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a wrong token exits 1 with UNAUTHORIZED', async () => {
    const r = await atoll(['ls', '--token', 'wrong']);
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('UNAUTHORIZED');
  });

  it('deploy: a bad name exits 1 with INVALID_FUNCTION_NAME', async () => {
    const dir = await writeFiles(join(tmp, 'named'), { 'index.js': 'export const handler = () => 1;' });
    const r = await atoll(['deploy', dir, '--name', 'Bad_Name']);
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('INVALID_FUNCTION_NAME');
  });

  it('invoke: a throwing handler exits 1 with FUNCTION_ERROR', async () => {
    const dir = await writeFiles(join(tmp, 'thrower'), {
      'index.js': "export async function handler() { throw new Error('boom'); }",
    });
    expect((await atoll(['deploy', dir, '--name', 'cli-thrower'])).code).toBe(0);
    const r = await atoll(['invoke', 'cli-thrower']);
    expect(r.code).toBe(1);
    expect(errorCode(r)).toBe('FUNCTION_ERROR');
  });

  it('usage errors exit 2 without contacting the server', async () => {
    const bad = await atoll(['invoke', 'cli-hello', '--data', '{not json'], { ATOLL_URL: 'http://127.0.0.1:1' });
    expect(bad.code).toBe(2);
    expect(errorCode(bad)).toBe('USAGE');
    expect((await atoll(['rollback', 'cli-hello'])).code).toBe(2);
    expect((await atoll(['no-such-command'])).code).toBe(2);
  });

  it('rm: removes the function; invoking it is then FUNCTION_NOT_FOUND', async () => {
    const r = await atoll(['rm', 'cli-hello']);
    expect(r.code).toBe(0);
    const after = await atoll(['invoke', 'cli-hello']);
    expect(after.code).toBe(1);
    expect(errorCode(after)).toBe('FUNCTION_NOT_FOUND');
  });
});

describe('atoll serve', () => {
  it('starts, prints its URL, the example functions and a generated token, serves, and stops on SIGTERM', async () => {
    const dataDir = join(tmp, 'serve-data');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--functions', EXAMPLES], {
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c) => {
          stdout += c;
          if (/admin token: .+\n/.test(stdout)) resolve(stdout);
        });
        void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
      const token = /admin token: (\S+)/.exec(banner)?.[1];
      expect(url).toBeDefined();
      expect(banner).toMatch(/generated/);
      expect(banner).toMatch(/^  hello\s+http:\/\/\S+\/fn\/hello$/m);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const ls = await atoll(['ls', '--url', url!, '--token', token!]);
      expect(ls.code).toBe(0);
      expect(headerOf(ls)[0]).toBe('NAME');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('stops cleanly on a SIGTERM sent the moment it says it is listening', async () => {
    // The race is a few microseconds wide: several tries make a regression show.
    for (let attempt = 0; attempt < 8; attempt++) {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', join(tmp, `sigterm-data-${attempt}`)], {
        env: cleanEnv({}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
      await new Promise<void>((resolve) => child.stdout.on('data', (c) => {
        stdout += c;
        if (stdout.includes('listening on')) resolve();
      }));
      child.kill('SIGTERM');
      expect(await exited, `attempt ${attempt}`).toEqual([0, null]);
    }
  });
});

/**
 * Real Atoll servers for tests: in this process (`startTestServer`, for speed) or as a
 * separate `atoll serve` process (`startServerProcess`, for tests that must see the
 * gateway survive). Both listen on 127.0.0.1 on a random port with a fresh data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAtoll, type StartedAtoll } from '../../src/gateway/index.ts';
import type { ServerOptions } from '../../src/config/index.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const TEST_TOKEN = 'test-admin-token-0123456789';

export interface DeployOptions {
  entry?: string;
  limits?: { memoryMb?: number; cpuMs?: number; timeoutMs?: number };
  env?: Record<string, string>;
  concurrency?: { max?: number; minWarm?: number };
}

/** What every test server offers, wherever it runs. */
export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  /** PUT /api/functions/{name}; a string is a single `index.ts`. Returns the parsed response and status. */
  deploy(name: string, source: string | Record<string, string>, options?: DeployOptions): Promise<{ status: number; body: any }>;
  /** Call the management API with the admin token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  /** GET /fn/{path}. */
  fn(path: string, init?: RequestInit): Promise<Response>;
  /** The gateway's PID as the server reports it. */
  gatewayPid(): Promise<number>;
  close(): Promise<void>;
}

function client(url: string, token: string) {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    api,
    async deploy(name: string, source: string | Record<string, string>, options: DeployOptions = {}) {
      const files = typeof source === 'string' ? { 'index.ts': source } : source;
      const { status, body } = await api('PUT', `/functions/${encodeURIComponent(name)}`, { files, ...options });
      return { status, body };
    },
    fn: (path: string, init?: RequestInit) => fetch(`${url}/fn/${path}`, init),
    async gatewayPid() {
      const { body } = await api('GET', '/server');
      return body.pid as number;
    },
  };
}

/** A server inside the test process. */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer & { atoll: StartedAtoll }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atoll-test-'));
  const atoll = await startAtoll({ port: 0, host: '127.0.0.1', dataDir, adminToken: TEST_TOKEN, sandboxHosts: 1, spareIsolates: 1, ...options });
  return {
    ...client(atoll.url, TEST_TOKEN),
    url: atoll.url,
    token: TEST_TOKEN,
    dataDir,
    atoll,
    async close() {
      await atoll.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess extends TestServer {
  child: ChildProcess;
  output(): string;
}

/** `atoll serve` as its own process (Node 24, like `npm start`). */
export async function startServerProcess(args: string[] = [], env: Record<string, string> = {}, dataDir?: string): Promise<ServerProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'atoll-proc-'));
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atoll.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dir, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ATOLL_ADMIN_TOKEN: TEST_TOKEN, ATOLL_SANDBOX_HOSTS: '1', ATOLL_SPARE_ISOLATES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => {
    output += chunk;
    // A gateway's own bug (an INTERNAL_ERROR answer) shows in the test's output, not only in the server's.
    if (String(chunk).includes('atoll: unexpected error')) process.stderr.write(`server ${child.pid}: ${String(chunk)}`);
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    ...client(url, TEST_TOKEN),
    url,
    token: TEST_TOKEN,
    dataDir: dir,
    child,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs are written in batches: `GET /api/functions/{name}/logs` polled until `ready` holds (or given up on, returning the last). */
export async function logsUntil(server: Pick<TestServer, 'api'>, name: string, ready: (body: any) => boolean): Promise<any> {
  let body: any;
  for (let i = 0; i < 60; i++) {
    body = (await server.api('GET', `/functions/${name}/logs`)).body;
    if (ready(body)) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  return body;
}

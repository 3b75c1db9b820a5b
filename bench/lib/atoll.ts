/**
 * Starts a real Atoll server (bin/atoll.js serve) as a child process and talks to it over
 * HTTP, as a user would. The gateway and its sandbox hosts are separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'bench-admin-token-0123456789abcdef';
/** sandbox/ may be mid-edit by someone else: a failed start is retried after this long. */
const START_RETRY_MS = 60_000;
const START_ATTEMPTS = 4;

export interface AtollOptions {
  /** CPU list for `taskset -c`; children (the sandbox hosts) inherit it. */
  cpus?: string;
  /** Extra environment, e.g. ATOLL_SANDBOX_HOSTS. */
  env?: Record<string, string>;
  /** Extra node flags for the gateway process, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

export interface Limits {
  memoryMb?: number;
  cpuMs?: number;
  timeoutMs?: number;
}

export interface InvocationRecord {
  requestId: string;
  wallMs: number;
  cpuMs: number;
  cold: boolean;
  outcome: string;
}

export class AtollServer {
  readonly url: string;
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #dataDir: string;

  private constructor(child: ChildProcess, url: string, dataDir: string) {
    this.#child = child;
    this.url = url;
    this.pid = child.pid!;
    this.#dataDir = dataDir;
  }

  /** Starts a server on a free port; retries while sandbox/ does not build. */
  static async start(options: AtollOptions = {}): Promise<AtollServer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await AtollServer.#startOnce(options);
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw error;
        console.error(`atoll did not start (${(error as Error).message.split('\n')[0]}); retrying in ${START_RETRY_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, START_RETRY_MS));
      }
    }
  }

  static #startOnce(options: AtollOptions): Promise<AtollServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'atoll-bench-'));
    const args = [...(options.nodeFlags ?? []), join(ROOT, 'bin/atoll.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir];
    const [cmd, argv] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: { ...process.env, ATOLL_ADMIN_TOKEN: TOKEN, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /atoll listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          child.stdout!.off('data', onData);
          child.off('exit', onExit);
          resolve(new AtollServer(child, match[1]!, dataDir));
        }
      };
      const onExit = (code: number | null): void => {
        rmSync(dataDir, { recursive: true, force: true });
        reject(new Error(`atoll exited with ${code} before listening:\n${output}`));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('exit', onExit);
    });
  }

  async api(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Deploys a single-file function. */
  deploy(name: string, source: string, limits?: Limits): Promise<unknown> {
    return this.api('PUT', `/api/functions/${name}`, { files: { 'index.ts': source }, ...(limits ? { limits } : {}) });
  }

  /** Invokes over HTTP; returns the status and body. */
  async invoke(name: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.url}/fn/${name}`);
    return { status: res.status, body: await res.text() };
  }

  async invocations(name: string, limit: number): Promise<InvocationRecord[]> {
    const result = await this.api('GET', `/api/functions/${name}/logs?limit=${limit}`);
    return result.invocations;
  }

  /** The gateway pid and the sandbox host pids, as the server reports them. */
  async processes(): Promise<{ pid: number; sandboxPids: number[]; scheduler?: Record<string, number> }> {
    return this.api('GET', '/api/server');
  }

  /** SIGTERM, then SIGKILL if it hangs; removes the data directory. */
  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((r) => this.#child.once('exit', r));
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}

/** The Workers-style hello world every server in hello-http serves. */
export const HELLO_SOURCE = "export default { fetch() { return new Response('Hello World') } }";

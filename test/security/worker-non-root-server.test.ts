/**
 * A server that does not run as root cannot give each language worker a uid of its own, so
 * a worker would run as the server's user and could read its data directory (the admin
 * token, other functions' code). Such a server refuses python3 and provided deploys unless
 * its operator says the code is trusted (ATOLL_WORKER_USERS=shared).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, TEST_TOKEN } from '../helpers/server.ts';

const NOBODY = 65534;
const started: { child: ChildProcess; dataDir: string }[] = [];

afterEach(async () => {
  for (const { child, dataDir } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** `atoll serve` as uid 65534 (setpriv), its data directory that user's; resolves with its URL. */
async function serveAsNobody(env: Record<string, string> = {}): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atoll-nobody-'));
  chownSync(dataDir, NOBODY, NOBODY);
  const child = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath,
    join(REPO_ROOT, 'bin/atoll.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ATOLL_ADMIN_TOKEN: TEST_TOKEN, ATOLL_SANDBOX_HOSTS: '1', ATOLL_SPARE_ISOLATES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push({ child, dataDir });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

async function deploy(url: string, name: string, body: unknown): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${url}/api/functions/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: json.error?.code };
}

const PYTHON = { runtime: 'python3', handler: 'app.handler', files: { 'app.py': 'def handler(event, context):\n    return open("/etc/hostname").read()\n' } };
const SHELL = { runtime: 'provided', files: { bootstrap: '#!/bin/sh\nexit 0\n' } };

describe('a server that is not root', () => {
  it('refuses python3 and provided deploys: 400 INVALID_CONFIG (its workers would share its uid); JS deploys still work', async () => {
    const url = await serveAsNobody();
    expect(await deploy(url, 'py', PYTHON)).toEqual({ status: 400, code: 'INVALID_CONFIG' });
    expect(await deploy(url, 'sh', SHELL)).toEqual({ status: 400, code: 'INVALID_CONFIG' });
    expect((await deploy(url, 'js', { files: { 'index.ts': 'export default { fetch: () => new Response("ok") }' } })).status).toBe(201);
  });

  it('accepts them when the operator declares the code trusted (ATOLL_WORKER_USERS=shared)', async () => {
    const url = await serveAsNobody({ ATOLL_WORKER_USERS: 'shared' });
    expect((await deploy(url, 'py', PYTHON)).status).toBe(201);
  });
});

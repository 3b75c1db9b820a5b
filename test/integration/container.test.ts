// Replays the Dockerfile on this machine, which has no Docker engine: the image's build
// context (git-tracked files minus .dockerignore), its build-stage install, its final
// ENV and CMD, and its HEALTHCHECK. The instructions are parsed from the Dockerfile so
// the test and the image cannot drift apart.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'container-test-token';

interface Stage {
  from: string;
  name: string | undefined;
  lines: string[];
}

/** Splits a Dockerfile into stages of instructions, joining `\` continuations and dropping comments. */
export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) stages.push({ from: m[1]!, name: m[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

function instructions(stage: Stage, keyword: string): string[] {
  const re = new RegExp(`^${keyword}\\s+`, 'i');
  return stage.lines.filter((l) => re.test(l)).map((l) => l.replace(re, ''));
}

/** `ENV A=1 B=2` pairs (no quoting: the Dockerfile keeps values simple). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

/** Whether .dockerignore keeps `file` out of the build context (last matching pattern wins). */
function ignored(file: string, patterns: readonly string[]): boolean {
  let out = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = raw.slice(negate ? 1 : 0).replace(/^\/+|\/+$/g, '');
    if (matchesGlob(file, p) || matchesGlob(file, `${p}/**`)) out = !negate;
  }
  return out;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** PATH with the project's Node 24 first, as the image's `node` is Node 24. */
const PATH = `${join(REPO, 'node_modules', '.bin')}:${process.env.PATH}`;

/**
 * This machine's environment (its proxy and CA settings are needed to reach the registry)
 * without the npm_* variables of the `npm test` that started us (npm_config_prefix would
 * point the install at this repo) and without any ATOLL_* the developer exported.
 */
function baseEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !k.startsWith('ATOLL_')),
  );
  return { ...env, PATH };
}

const dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const build = stages.find((s) => s.name === 'build') ?? stages[0]!;

describe('Dockerfile', () => {
  it('builds on node:24-bookworm-slim and runs as the non-root node user', () => {
    for (const stage of stages) expect(stage.from).toBe('node:24-bookworm-slim');
    expect(instructions(final, 'USER')).toEqual(['node']);
    expect(envOf(final)).toMatchObject({ ATOLL_DATA: '/data', ATOLL_HOST: '0.0.0.0' });
    expect(instructions(final, 'EXPOSE')).toEqual(['8787']);
    expect(instructions(final, 'VOLUME')).toEqual(['/data']);
  });

  it('the build stage installs production dependencies only', () => {
    const installs = instructions(build, 'RUN').filter((r) => /\bnpm ci\b/.test(r));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/--omit=dev/);
  });

  it('code in the image imports only node: builtins and production dependencies', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const { stdout } = await run('git', ['ls-files', '-z', '--', 'src', 'bin', 'sandbox'], { cwd: REPO });
    const patterns = await dockerignore();
    const bad: string[] = [];
    for (const file of stdout.split('\0').filter((f) => /\.(m?[jt]s)$/.test(f) && !ignored(f, patterns))) {
      const text = await readFile(join(REPO, file), 'utf8');
      // Type-only imports are erased before run time, so they may name devDependencies.
      const code = text.replace(/^\s*(import|export)\s+type\b[^;]*;/gm, '');
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('/')) continue;
        const name = spec.startsWith('node:') ? spec.slice(5) : spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!allowed.has(name) && !allowed.has(spec)) bad.push(`${file}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

async function dockerignore(): Promise<string[]> {
  const text = await readFile(join(REPO, '.dockerignore'), 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

describe('container image, replayed without Docker', () => {
  let tmp: string;
  let app: string;
  let server: ChildProcess | undefined;
  let exited: Promise<number | null>;
  let stderr = '';
  let base: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'atoll-container-'));
    app = join(tmp, 'app');

    // The build context: tracked files (what a clean clone has) minus .dockerignore.
    const patterns = await dockerignore();
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: REPO, maxBuffer: 64 << 20 });
    for (const file of stdout.split('\0').filter((f) => f !== '' && !ignored(f, patterns))) {
      await mkdir(dirname(join(app, file)), { recursive: true });
      await copyFile(join(REPO, file), join(app, file));
    }

    // The build stage's RUN lines, e.g. `npm ci --omit=dev`, with Node 24 first on PATH so
    // the install scripts (isolated-vm's prebuilt, esbuild's binary) target Node 24.
    for (const cmd of instructions(build, 'RUN')) {
      await run('bash', ['-c', cmd], { cwd: app, env: baseEnv(), maxBuffer: 64 << 20 });
    }

    // The final stage's ENV and CMD, bound to loopback on a free port instead of 0.0.0.0:8787.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      ...baseEnv(),
      ...envOf(final),
      ATOLL_HOST: '127.0.0.1',
      ATOLL_PORT: String(port),
      ATOLL_DATA: join(tmp, 'data'),
      ATOLL_ADMIN_TOKEN: TOKEN,
    };
    const [cmd, ...args] = JSON.parse(instructions(final, 'CMD')[0]!) as string[];
    expect(cmd).toBe('node');
    server = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr!.on('data', (c) => (stderr += c));
    exited = new Promise((resolve) => server!.on('exit', (code) => resolve(code)));
    await waitReady(`${base}/readyz`);
  }, 240_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await exited;
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function waitReady(url: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    let dead = false;
    void exited.then(() => (dead = true));
    while (Date.now() < deadline) {
      if (dead) throw new Error(`server exited before it was ready: ${stderr}`);
      const status = await fetch(url).then((r) => r.status, () => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server not ready after 60 s: ${stderr}`);
  }

  it('GET /readyz is 200', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('GET /fn/hello (deployed from the image\'s --functions directory) is 200', async () => {
    const res = await fetch(`${base}/fn/hello`);
    expect(res.status).toBe(200);
  });

  it('the HEALTHCHECK command passes', async () => {
    const hc = instructions(final, 'HEALTHCHECK')[0]!;
    const [cmd, ...args] = JSON.parse(hc.slice(hc.indexOf('CMD') + 3).trim()) as string[];
    expect(cmd).toBe('node');
    const port = new URL(base).port;
    await expect(run(process.execPath, args, { env: { PATH, ATOLL_PORT: port } })).resolves.toBeDefined();
  });

  it('stops cleanly on SIGTERM (docker stop)', async () => {
    server!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

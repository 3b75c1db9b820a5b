import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderLogs } from '../../src/cli/commands/logs.ts';
import { main } from '../../src/cli/main.ts';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), errLines: err };
}

// A stand-in server answering with canned API responses, so dispatch and error
// reporting are tested without the real gateway.
let server: Server;
let url: string;
const requests: { method: string; url: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (req.url === '/api/functions/broken' && req.method === 'PUT') {
        send(400, {
          error: {
            code: 'COMPILE_ERROR', message: 'build failed', requestId: 'r1',
            details: { errors: [{ file: 'index.ts', line: 3, column: 7, message: 'Expected ";"' }] },
          },
        });
      } else if (req.url === '/api/functions/misconfigured') {
        send(400, {
          error: {
            code: 'INVALID_CONFIG', message: 'invalid deploy: limits.memoryMb: too big', requestId: 'r4',
            details: { issues: [{ path: 'limits.memoryMb', message: 'too big' }, { path: 'env.1X', message: 'bad name' }] },
          },
        });
      } else if (req.url?.startsWith('/api/functions/missing')) {
        send(404, { error: { code: 'FUNCTION_NOT_FOUND', message: 'no function named "missing"', requestId: 'r2' } });
      } else if (req.url === '/api/functions/echo/invoke?version=2') {
        send(200, { got: JSON.parse(body) });
      } else if (req.url === '/api/functions' && req.method === 'GET') {
        send(200, { functions: [{ name: 'hello', liveVersion: 3, runtime: 'js', style: 'workers', limits: { memoryMb: 128 }, createdAt: 0, updatedAt: '2025-01-02T03:04:05.000Z' }] });
      } else if (req.url?.startsWith('/proxy/')) {
        res.writeHead(502).end('<html>bad gateway</html>');
      } else {
        send(401, { error: { code: 'UNAUTHORIZED', message: 'missing token', requestId: 'r3' } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('cli dispatch', () => {
  it('no arguments prints usage on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: atoll');
  });

  it('--help lists every command, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['serve', 'deploy', 'invoke', 'ls', 'rm', 'versions', 'rollback', 'logs']) {
      expect(r.stdout).toContain(cmd);
    }
  });

  it('<cmd> --help prints that command\'s options', async () => {
    const r = await run(['deploy', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--memory');
  });

  it('an unknown command is a usage error', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: USAGE: /);
  });

  it('invoke: malformed --data is rejected before any request', async () => {
    const before = requests.length;
    const r = await run(['invoke', 'echo', '--data', '{nope', '--url', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: USAGE: /);
    expect(requests.length).toBe(before);
  });

  it('serve: a bad --fetch-allow entry is a usage error naming the flag, before anything starts', async () => {
    const r = await run(['serve', '--port', '0', '--fetch-allow', 'ok.test', '--fetch-allow', 'a.test,::1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: USAGE: --fetch-allow: /);
  });

  it('serve: a bad ATOLL_FETCH_ALLOW is one INVALID_CONFIG line, exit 1', async () => {
    vi.stubEnv('ATOLL_FETCH_ALLOW', 'host:99999');
    try {
      const r = await run(['serve', '--port', '0']);
      expect(r.code).toBe(1);
      expect(r.errLines).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: INVALID_CONFIG: ATOLL_FETCH_ALLOW: /);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('an unreachable server is one CONNECTION_FAILED line, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await run(['ls', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.errLines).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: CONNECTION_FAILED: /);
  });

  it('a server error prints its code and message on one line, exit 1', async () => {
    const r = await run(['invoke', 'missing'], { ATOLL_URL: url, ATOLL_TOKEN: 't' });
    expect(r.code).toBe(1);
    expect(r.errLines).toEqual(['error: FUNCTION_NOT_FOUND: no function named "missing"']);
  });

  it('UNAUTHORIZED without a token hints at --token', async () => {
    const r = await run(['rm', 'x'], { ATOLL_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: UNAUTHORIZED: .*--token/);
  });

  it('a non-Atoll error body is reported as HTTP_<status>', async () => {
    const r = await run(['ls', '--url', `${url}/proxy`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: HTTP_502: /);
  });

  it('sends the bearer token and the raw event, prints the result pretty', async () => {
    const r = await run(['invoke', 'echo', '--data', '{"a":[1,2]}', '--version', '2'], { ATOLL_URL: url, ATOLL_TOKEN: 'sekrit' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ got: { a: [1, 2] } });
    expect(r.stdout).toContain('\n'); // pretty-printed
    expect(requests.at(-1)?.auth).toBe('Bearer sekrit');
  });

  it('deploy: COMPILE_ERROR prints file:line:column: message per error', async () => {
    const r = await run(['deploy', import.meta.filename, '--name', 'broken', '--url', url]);
    expect(r.code).toBe(1);
    expect(r.errLines[0]).toMatch(/^error: COMPILE_ERROR: /);
    expect(r.errLines).toContain('index.ts:3:7: Expected ";"');
  });

  it('deploy: INVALID_CONFIG with several issues prints one line per issue', async () => {
    const r = await run(['deploy', import.meta.filename, '--name', 'misconfigured', '--url', url]);
    expect(r.code).toBe(1);
    expect(r.errLines[0]).toMatch(/^error: INVALID_CONFIG: /);
    expect(r.errLines.slice(1)).toEqual(['  limits.memoryMb: too big', '  env.1X: bad name']);
  });

  it('ls prints a table with the documented columns', async () => {
    const r = await run(['ls', '--url', url, '--token', 't']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'VERSION', 'RUNTIME', 'STYLE', 'MEMORY', 'UPDATED']);
    expect(row).toMatch(/^hello\s+3\s+js\s+workers\s+128 MB\s+2025-01-02 03:04:05$/);
  });
});

describe('cli logs rendering', () => {
  it('merges invocation rows and log lines by time, newest last', () => {
    const lines = renderLogs(
      [
        { requestId: 'b', version: 1, startTime: '2025-01-01T00:00:02.000Z', wallMs: 3, cpuMs: 1.25, billedMs: 3, memoryMb: 128, cold: false, outcome: 'ok' },
        { requestId: 'a', version: 1, startTime: '2025-01-01T00:00:01.000Z', wallMs: 9, cpuMs: 4, billedMs: 9, memoryMb: 128, cold: true, outcome: 'ok' },
      ],
      [
        { ts: '2025-01-01T00:00:02.500Z', requestId: 'b', level: 'log', message: 'second' },
        { ts: '2025-01-01T00:00:01.000Z', requestId: 'a', level: 'info', message: 'first' },
      ],
    );
    expect(lines[0]!.split(/\s{2,}/)).toEqual(
      ['REQUEST ID', 'VERSION', 'START', 'WALL ms', 'CPU ms', 'BILLED ms', 'MEM', 'COLD', 'OUTCOME']);
    // Table rows start with the request id; log lines with the time and end with the message.
    const order = lines.slice(1).map((l) => (/^\d{4}-/.test(l) ? l.split(' ').at(-1) : l.split(/\s+/)[0]));
    expect(order).toEqual(['a', 'first', 'b', 'second']);
    expect(lines).toContain('2025-01-01 00:00:01.000 a INFO first');
  });
});

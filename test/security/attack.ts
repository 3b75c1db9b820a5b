/**
 * Shared checks for the security suite: after every attack, the gateway must still be the
 * same process and must still serve an innocent function on the same server.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';

export const CANARY_SOURCE = 'export default { fetch: () => new Response("ok") }';

/** A real gateway process with the canary deployed, and its PID as it reported it at start. */
export async function startAttackServer(args: string[] = [], env: Record<string, string> = {}): Promise<{ server: ServerProcess; pid: number }> {
  const server = await startServerProcess(args, env);
  const deployed = await server.deploy('canary', CANARY_SOURCE);
  expect(deployed.status).toBe(201);
  const pid = await server.gatewayPid();
  expect(pid).toBe(server.child.pid);
  return { server, pid };
}

/** The platform's JSON error, asserted by code and status. */
export async function expectError(res: Response, status: number, code: string): Promise<any> {
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  expect({ status: res.status, code: body?.error?.code }, `body: ${text.slice(0, 300)}`).toEqual({ status, code });
  return body;
}

/** The canary answers 200 "ok" on the same server, and the gateway is the same process. */
export async function expectSurvives(server: ServerProcess, pid: number): Promise<void> {
  const res = await server.fn('canary');
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('ok');
  expect(server.child.exitCode).toBeNull();
  expect(server.child.signalCode).toBeNull();
  expect(server.child.pid).toBe(pid);
  expect(await server.gatewayPid()).toBe(pid);
}

/** Deploy `source` as `name` and fail loudly if the deploy is refused. */
export async function deployOk(server: ServerProcess, name: string, source: string | Record<string, string>, options?: Parameters<ServerProcess['deploy']>[2]): Promise<number> {
  const deployed = await server.deploy(name, source, options);
  expect(deployed.status, JSON.stringify(deployed.body)).toBeLessThan(300);
  return deployed.body.version as number;
}

/** A workers-style module whose fetch body is `body`. */
export function worker(body: string): string {
  return `export default { async fetch(request) { ${body} } }`;
}

/** Resident memory of a process, from /proc (Linux), in bytes. */
export function procMemory(pid: number): { rssBytes: number; hwmBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** A raw HTTP request, path sent byte for byte (fetch would resolve `%2e%2e` before sending). */
export function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let parsed: any = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

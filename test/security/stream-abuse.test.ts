/**
 * Attacks through streamed response bodies: a stream that never ends, a producer that
 * outruns a client that does not read, and a push-based producer that ignores
 * backpressure. Each must end by a limit, close the client's connection, and leave the
 * gateway serving.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectSurvives, procMemory, startAttackServer, worker } from './attack.ts';

/** Opens `/fn/{path}` and resolves with the response head; the body is left to the caller. */
function open(server: ServerProcess, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    httpRequest(`${server.url}/fn/${path}`, (res) => resolve(res)).on('error', reject).end();
  });
}

/** Reads the rest of `res`; resolves with the bytes read and whether the body ended cleanly. */
function drain(res: IncomingMessage): Promise<{ bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    res.on('data', (c: Buffer) => (bytes += c.length));
    res.on('end', () => resolve({ bytes, complete: res.complete }));
    res.on('error', () => resolve({ bytes, complete: false }));
    res.on('close', () => resolve({ bytes, complete: res.complete }));
    res.resume();
  });
}

/** Invocation records of `name`, polled until one matches `requestId`. */
async function recordOf(server: ServerProcess, name: string, requestId: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const { body } = await server.api('GET', `/functions/${name}/logs`);
    const record = body.invocations?.find((r: any) => r.requestId === requestId);
    if (record) return record;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no invocation record for ${requestId}`);
}

describe('stream abuse', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('a response stream that never ends is cut at the wall-clock limit: the connection closes and the record says FUNCTION_TIMEOUT', async () => {
    await deployOk(server, 'endless', worker(`
      const chunk = new TextEncoder().encode('tick\\n');
      return new Response(new ReadableStream({
        start(controller) { setInterval(() => controller.enqueue(chunk), 20); },
      }));`), { limits: { timeoutMs: 600, cpuMs: 200 } });
    const res = await open(server, 'endless');
    expect(res.statusCode).toBe(200);
    const { bytes, complete } = await drain(res);
    expect(bytes).toBeGreaterThan(0);
    expect(complete).toBe(false);
    const record = await recordOf(server, 'endless', String(res.headers['x-atoll-request-id']));
    expect(record.outcome).toBe('FUNCTION_TIMEOUT');
    await expectSurvives(server, pid);
  });

  it('a producer faster than a client that does not read: the gateway stops pulling, its memory stays bounded', async () => {
    // A pull-based 1 MiB-per-chunk source: unbounded if anything between it and the socket buffered.
    await deployOk(server, 'firehose', worker(`
      const chunk = new Uint8Array(1024 * 1024).fill(120);
      let produced = 0;
      globalThis.produced = () => produced;
      return new Response(new ReadableStream({
        pull(controller) { produced++; controller.enqueue(chunk.slice()); },
      }));`), { limits: { timeoutMs: 20_000, cpuMs: 10_000 } });
    const before = procMemory(server.child.pid!).rssBytes;
    const res = await open(server, 'firehose');
    expect(res.statusCode).toBe(200);
    res.pause();
    // While the client reads nothing, an unthrottled producer would push gigabytes through.
    await new Promise((r) => setTimeout(r, 1500));
    const during = procMemory(server.child.pid!).rssBytes;
    expect(during - before).toBeLessThan(64 * 1024 * 1024);
    // Reading resumes where it stopped: backpressure paused the stream, it did not break it.
    let read = 0;
    await new Promise<void>((resolve) => {
      res.on('data', (c: Buffer) => {
        read += c.length;
        if (read > 8 * 1024 * 1024) {
          res.destroy();
          resolve();
        }
      });
      res.resume();
    });
    expect(read).toBeGreaterThan(8 * 1024 * 1024);
    await expectSurvives(server, pid);
  });

  it('a push-based producer that ignores backpressure fills only its own isolate: 503 MEMORY_LIMIT_EXCEEDED in the record, connection closed', async () => {
    await deployOk(server, 'flood', worker(`
      const chunk = new Uint8Array(1024 * 1024);
      return new Response(new ReadableStream({
        start(controller) {
          const flood = () => { for (let i = 0; i < 8; i++) controller.enqueue(chunk.slice()); setTimeout(flood, 0); };
          flood();
        },
      }));`), { limits: { memoryMb: 32, timeoutMs: 20_000, cpuMs: 10_000 } });
    const res = await open(server, 'flood');
    expect(res.statusCode).toBe(200);
    res.pause();
    const record = await recordOf(server, 'flood', String(res.headers['x-atoll-request-id']));
    expect(record.outcome).toBe('MEMORY_LIMIT_EXCEEDED');
    const { complete } = await drain(res);
    expect(complete).toBe(false);
    await expectSurvives(server, pid);
  });

  it('a client that disconnects mid-stream cancels the stream: the instance is free for the next request', async () => {
    await deployOk(server, 'cancelled', `
      let cancelled = 0;
      export default {
        fetch(request) {
          if (new URL(request.url).pathname === '/count') return new Response(String(cancelled));
          return new Response(new ReadableStream({
            pull(controller) { controller.enqueue(new Uint8Array(64 * 1024)); },
            cancel() { cancelled++; },
          }));
        },
      };`, { concurrency: { max: 1 }, limits: { timeoutMs: 20_000, cpuMs: 10_000 } });
    const res = await open(server, 'cancelled');
    await new Promise<void>((resolve) => {
      res.once('data', () => {
        res.destroy();
        resolve();
      });
    });
    // One instance at most: /count is served by the same instance once the cancel freed it.
    const count = await server.fn('cancelled/count');
    expect(await count.text()).toBe('1');
    await expectSurvives(server, pid);
  });
});

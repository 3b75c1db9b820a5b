/**
 * Sandbox hosts compact the isolates of idle instances (HostInstance.compactIfIdle): the
 * garbage a warm instance keeps after its last invocation goes back to the system about a
 * second after it goes idle, as GET /api/server reports the hosts' guest heaps. A busy
 * instance (1,000 invocations since its last compaction) waits 30 s: a compacted isolate
 * runs its next few thousand invocations slower.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The first call keeps ~4 MB long enough to reach V8's old generation; the second drops it. */
const KEEP_THEN_DROP = `let kept = null;
export default { fetch(request) {
  if (new URL(request.url).pathname === '/keep') kept = Array.from({ length: 50000 }, (_, i) => ({ i, s: 'item ' + i }));
  else kept = null;
  return new Response(String(kept === null ? 0 : kept.length));
} }`;

async function guestHeapBytes(server: TestServer): Promise<number> {
  const res = await server.api('GET', '/server');
  expect(res.status).toBe(200);
  const hosts = res.body.sandboxHosts as { answered: boolean; heapBytes: number }[];
  expect(hosts.length).toBeGreaterThan(0);
  expect(hosts.every((h) => h.answered)).toBe(true);
  return hosts.reduce((sum, h) => sum + h.heapBytes, 0);
}

describe('idle compaction', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('an instance idle for a second gives back the 4 MB its last invocation dropped', async () => {
    expect((await server.deploy('keeper', KEEP_THEN_DROP)).status).toBe(201);
    expect(await (await server.fn('keeper/keep')).text()).toBe('50000');
    expect(await (await server.fn('keeper/drop')).text()).toBe('0');
    const idle = await guestHeapBytes(server);
    let compacted = idle;
    for (let waited = 0; waited < 5000 && idle - compacted < 3 * 1024 * 1024; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      compacted = await guestHeapBytes(server);
    }
    expect(idle - compacted).toBeGreaterThan(3 * 1024 * 1024);
    // The compacted instance still serves, warm.
    expect(await (await server.fn('keeper/drop')).text()).toBe('0');
  });

  it('a busy instance keeps its garbage through seconds of quiet: a burst every few seconds is not compacted each time', async () => {
    expect((await server.deploy('busy', KEEP_THEN_DROP)).status).toBe(201);
    for (let i = 0; i < 1000; i++) expect((await server.fn('busy/drop')).status).toBe(200);
    expect(await (await server.fn('busy/keep')).text()).toBe('50000');
    expect(await (await server.fn('busy/drop')).text()).toBe('0');
    const idle = await guestHeapBytes(server);
    // The quiet instance above gave its garbage back within about a second.
    await new Promise((r) => setTimeout(r, 3000));
    expect(idle - (await guestHeapBytes(server))).toBeLessThan(3 * 1024 * 1024);
    expect(await (await server.fn('busy/drop')).text()).toBe('0');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('gateway smoke', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('deploys a Workers-style TypeScript function and serves it over HTTP', async () => {
    const deployed = await server.deploy('hello', 'export default { fetch: () => new Response("hi") }');
    expect(deployed.status).toBe(201);
    const res = await server.fn('hello');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hi');
  });
});

/** The Hono application: health, metrics, the management API and function invocation. */
import { Hono } from 'hono';
import type { GatewayContext } from './context.ts';
import { errorResponse, responseForThrown } from './http-errors.ts';
import { newRequestId } from './request-id.ts';
import { apiRoutes } from './routes/api.ts';
import { invokeRoute } from './routes/invoke.ts';

export function createApp(gateway: GatewayContext): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    gateway.ready && gateway.hosts.hosts.some((h) => h.alive)
      ? c.json({ status: 'ready' })
      : errorResponse('NOT_READY', 'the server is starting or stopping', newRequestId()));
  app.get('/metrics', async (c) => {
    const text = await gateway.metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': gateway.metrics.registry.contentType });
  });
  app.route('/api', apiRoutes(gateway));
  const invoke = invokeRoute(gateway);
  app.all('/fn/*', invoke);
  app.notFound((c) => errorResponse('NOT_FOUND', `no route ${c.req.method} ${c.req.path}; functions live under /fn/{name}`, newRequestId()));
  app.onError((error) => responseForThrown(error, newRequestId()));
  return app;
}

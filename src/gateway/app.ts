/** The Hono application: health, metrics, the management API and function invocation. */
import { Hono } from 'hono';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import type { GatewayContext } from './context.ts';
import { errorResponse, responseForThrown } from './http-errors.ts';
import { newRequestId } from './request-id.ts';
import { apiRoutes } from './routes/api.ts';
import { invokeRoute } from './routes/invoke.ts';

/** A `.` or `..` path segment, literal or percent-encoded. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?=\/|$)/i;
/** The segment right after /fn/ or /api/functions/ is a function name. */
const NAME_DOT_SEGMENT = /^\/(?:fn|api\/functions)\/(?:\.|%2e){1,2}(?:[/@]|$)/i;

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

/**
 * The app as Node's HTTP server calls it. The Node adapter builds the Request URL with
 * `new URL()`, which resolves dot segments, encoded ones included: /fn/a/%2e%2e/b would
 * invoke b, /fn/%2e%2e/x would route to /x. They are refused on the raw path, so routing
 * always sees what the client sent. Here rather than as middleware on every route: one
 * middleware puts every invocation through Hono's compose, a few closures and an async
 * function more per request.
 */
export function nodeFetch(app: Hono): (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response> {
  return (request, env) => {
    const raw = env.incoming.url ?? '';
    const end = raw.search(/[?#]/);
    const path = end === -1 ? raw : raw.slice(0, end);
    if (DOT_SEGMENT.test(path)) {
      return NAME_DOT_SEGMENT.test(path)
        ? errorResponse('INVALID_FUNCTION_NAME', 'a function name cannot be a dot segment', newRequestId())
        : errorResponse('BAD_REQUEST', 'the path has a dot segment (. or ..)', newRequestId());
    }
    return app.fetch(request, env);
  };
}

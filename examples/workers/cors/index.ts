// CORS: answers preflight requests (OPTIONS with Access-Control-Request-Method) for the
// allowed origins, and adds Access-Control-Allow-Origin to the actual responses.
interface Env {
  ALLOWED_ORIGINS: string;
}

const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';

function allowedOrigin(request: Request, env: Env): string | null {
  const origin = request.headers.get('origin');
  if (!origin) return null;
  const allowed = env.ALLOWED_ORIGINS.split(',').map((o) => o.trim());
  return allowed.includes('*') || allowed.includes(origin) ? origin : null;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const origin = allowedOrigin(request, env);
    if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
      if (!origin) return new Response(null, { status: 403 });
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? '',
          'access-control-max-age': '86400',
          vary: 'Origin',
        },
      });
    }
    const response = Response.json({ message: 'hello, cross-origin world', method: request.method });
    if (origin) {
      response.headers.set('access-control-allow-origin', origin);
      response.headers.append('vary', 'Origin');
    }
    return response;
  },
};

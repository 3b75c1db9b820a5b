// Adds security headers to every response of an upstream site (env.UPSTREAM), and removes
// headers that give away the server software.
interface Env {
  UPSTREAM: string;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

const REMOVED = ['server', 'x-powered-by'];

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const upstream = await fetch(new URL(url.pathname + url.search, env.UPSTREAM));
    const response = new Response(upstream.body, upstream);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    for (const name of REMOVED) response.headers.delete(name);
    return response;
  },
};

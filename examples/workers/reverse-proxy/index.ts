// A reverse proxy: forwards the request to env.UPSTREAM (same path and query) and streams
// the upstream's answer back. The upstream must be reachable: private and loopback
// addresses need `atoll serve --fetch-allow`.
interface Env {
  UPSTREAM: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const incoming = new URL(request.url);
    const target = new URL(incoming.pathname + incoming.search, env.UPSTREAM);
    const headers = new Headers(request.headers);
    headers.set('x-forwarded-host', incoming.host);
    headers.delete('host');
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      redirect: 'manual',
    });
    const response = new Response(upstream.body, upstream);
    response.headers.set('x-proxied-by', 'atoll');
    return response;
  },
};

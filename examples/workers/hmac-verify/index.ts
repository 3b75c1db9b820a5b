// Verifies an HMAC-SHA256 signature of the request body (hex, in `x-signature`) with the
// shared secret env.SECRET, as webhook senders (GitHub, Stripe) sign their deliveries.
// The comparison is crypto.subtle.verify's, which runs in constant time.
interface Env {
  SECRET: string;
}

function hexToBytes(hex: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== 'POST') return new Response('POST a signed body\n', { status: 405 });
    const signature = hexToBytes(request.headers.get('x-signature')?.replace(/^sha256=/, '') ?? '');
    if (!signature) return new Response('missing or malformed x-signature\n', { status: 401 });
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(env.SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    const body = await request.arrayBuffer();
    const valid = await crypto.subtle.verify('HMAC', key, signature, body);
    if (!valid) return new Response('bad signature\n', { status: 401 });
    return Response.json({ verified: true, bytes: body.byteLength });
  },
};

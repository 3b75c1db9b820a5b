// Verifies a JWT from `Authorization: Bearer <token>`: HS256 with the shared secret
// env.JWT_SECRET, or ES256 with the public key env.JWT_PUBLIC_JWK (a JWK, as JSON).
// Checks the signature, then `exp` and `nbf`, and answers with the claims.
interface Env {
  JWT_SECRET?: string;
  JWT_PUBLIC_JWK?: string;
}

const encoder = new TextEncoder();

function base64UrlDecode(part: string): Uint8Array {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function decodeJson(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64UrlDecode(part)));
}

async function verifyingKey(alg: string, env: Env): Promise<{ key: CryptoKey; algorithm: AlgorithmIdentifier | EcdsaParams }> {
  if (alg === 'HS256' && env.JWT_SECRET) {
    const key = await crypto.subtle.importKey('raw', encoder.encode(env.JWT_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    return { key, algorithm: 'HMAC' };
  }
  if (alg === 'ES256' && env.JWT_PUBLIC_JWK) {
    const key = await crypto.subtle.importKey('jwk', JSON.parse(env.JWT_PUBLIC_JWK), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return { key, algorithm: { name: 'ECDSA', hash: 'SHA-256' } };
  }
  throw new Error(`unsupported alg ${alg}`);
}

function unauthorized(reason: string): Response {
  return Response.json({ error: reason }, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const token = request.headers.get('authorization')?.match(/^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/)?.[1];
    if (!token) return unauthorized('missing bearer token');
    const [headerPart, payloadPart, signaturePart] = token.split('.') as [string, string, string];
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = decodeJson(headerPart);
      claims = decodeJson(payloadPart);
    } catch {
      return unauthorized('malformed token');
    }
    let verifier;
    try {
      verifier = await verifyingKey(String(header.alg), env);
    } catch {
      return unauthorized(`unsupported alg ${String(header.alg)}`);
    }
    const signed = encoder.encode(`${headerPart}.${payloadPart}`);
    const valid = await crypto.subtle.verify(verifier.algorithm, verifier.key, base64UrlDecode(signaturePart), signed);
    if (!valid) return unauthorized('bad signature');
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp === 'number' && now >= claims.exp) return unauthorized('token expired');
    if (typeof claims.nbf === 'number' && now < claims.nbf) return unauthorized('token not yet valid');
    return Response.json({ alg: header.alg, claims });
  },
};

// Cookies: reads the Cookie header, counts visits in a `visits` cookie, and sets several
// cookies at once (each its own Set-Cookie header). GET /logout clears them.
function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name && !cookies.has(name)) cookies.set(name, decodeURIComponent(part.slice(at + 1).trim()));
  }
  return cookies;
}

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url);
    const cookies = parseCookies(request.headers.get('cookie'));
    const headers = new Headers({ 'content-type': 'application/json' });
    if (url.pathname === '/logout') {
      headers.append('set-cookie', 'visits=; Max-Age=0; Path=/');
      headers.append('set-cookie', 'session=; Max-Age=0; Path=/');
      return new Response(JSON.stringify({ loggedOut: true }), { headers });
    }
    const visits = Number(cookies.get('visits') ?? 0) + 1;
    headers.append('set-cookie', `visits=${visits}; Path=/; Max-Age=31536000; SameSite=Lax`);
    if (!cookies.has('session')) headers.append('set-cookie', `session=${crypto.randomUUID()}; Path=/; HttpOnly; Secure; SameSite=Strict`);
    return new Response(JSON.stringify({ visits, cookies: Object.fromEntries(cookies), setting: headers.getSetCookie().length }), { headers });
  },
};

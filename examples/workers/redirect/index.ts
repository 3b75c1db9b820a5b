// Redirects: short links to their targets (301), everything else to the home page (302).
const LINKS: Record<string, string> = {
  '/docs': 'https://developers.cloudflare.com/workers/',
  '/lambda': 'https://docs.aws.amazon.com/lambda/',
};

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url);
    const target = LINKS[url.pathname];
    if (target) return Response.redirect(target, 301);
    return Response.redirect(new URL(`/?from=${encodeURIComponent(url.pathname)}`, 'https://example.com').href, 302);
  },
};

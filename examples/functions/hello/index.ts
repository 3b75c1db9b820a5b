// Workers style: a Web-standard Request in, a Response out.
export default {
  async fetch(request: Request): Promise<Response> {
    return new Response('Hello from Atoll!\n', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};

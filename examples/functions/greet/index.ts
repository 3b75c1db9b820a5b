// Reads its configuration from env (set at deploy: --env GREETING=Hi, or atoll.json).
interface Env {
  GREETING?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    return Response.json({ message: `${env.GREETING ?? 'Hello'}, ${name}!` });
  },
};

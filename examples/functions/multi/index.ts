// Several files: the entry imports a helper; they are bundled together at deploy.
import { slugify } from './lib/slug.ts';

export default {
  async fetch(request: Request): Promise<Response> {
    const text = new URL(request.url).searchParams.get('text') ?? 'Hello World';
    return Response.json({ slug: slugify(text) });
  },
};

// A small JSON API with routing by URLPattern: list, create, read and delete notes.
// State lives in the instance (a global), as it would in a Workers isolate: fine for a
// demo, not storage.
interface Note {
  id: number;
  text: string;
}

const notes = new Map<number, Note>();
let nextId = 1;

const item = new URLPattern({ pathname: '/notes/:id(\\d+)' });
const collection = new URLPattern({ pathname: '/notes' });

function error(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (collection.test(request.url)) {
      if (request.method === 'GET') return Response.json([...notes.values()]);
      if (request.method === 'POST') {
        let body: unknown;
        try {
          body = await request.json();
        } catch {
          return error(400, 'the body must be JSON');
        }
        const text = (body as { text?: unknown })?.text;
        if (typeof text !== 'string' || text === '') return error(400, 'text must be a non-empty string');
        const note = { id: nextId++, text };
        notes.set(note.id, note);
        return Response.json(note, { status: 201, headers: { location: `/notes/${note.id}` } });
      }
      return error(405, 'method not allowed');
    }
    const match = item.exec(request.url);
    if (match) {
      const id = Number(match.pathname.groups.id);
      const note = notes.get(id);
      if (!note) return error(404, `no note ${id}`);
      if (request.method === 'GET') return Response.json(note);
      if (request.method === 'DELETE') {
        notes.delete(id);
        return new Response(null, { status: 204 });
      }
      return error(405, 'method not allowed');
    }
    return error(404, 'not found');
  },
};

// A form upload: parses multipart/form-data (or urlencoded) with request.formData() and
// describes what arrived: text fields as they are, files by name, type, size and SHA-256.
async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      return new Response('<form method="post" enctype="multipart/form-data"><input name="title"><input type="file" name="upload"><button>Send</button></form>', {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
    }
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return Response.json({ error: 'expected a multipart/form-data or urlencoded body' }, { status: 400 });
    }
    const fields: Record<string, unknown[]> = {};
    for (const [name, value] of form) {
      const entry = typeof value === 'string'
        ? value
        : { filename: value.name, type: value.type, size: value.size, sha256: await sha256Hex(await value.arrayBuffer()) };
      (fields[name] ??= []).push(entry);
    }
    return Response.json({ fields });
  },
};

// Streams the request body back upper-cased, chunk by chunk, through a TransformStream:
// the answer starts before the whole body has been transformed. GET streams a generated text.
function upperCase(): TransformStream<string, string> {
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk.toUpperCase());
    },
  });
}

function generated(lines: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i === lines) return controller.close();
      controller.enqueue(new TextEncoder().encode(`line ${++i} of ${lines}\n`));
    },
  });
}

export default {
  fetch(request: Request): Response {
    const lines = Number(new URL(request.url).searchParams.get('lines') ?? 10);
    const source = request.body ?? generated(Math.min(Math.max(lines, 0), 100_000));
    const body = source
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(upperCase())
      .pipeThrough(new TextEncoderStream());
    return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};

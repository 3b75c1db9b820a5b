// Compresses the response with CompressionStream when the client accepts gzip, streaming:
// the text is generated, compressed and sent chunk by chunk.
function text(repeat: number): ReadableStream<Uint8Array> {
  const line = new TextEncoder().encode('Atoll compresses this line with CompressionStream.\n');
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === repeat) return controller.close();
      controller.enqueue(line);
    },
  });
}

export default {
  fetch(request: Request): Response {
    const repeat = Math.min(Number(new URL(request.url).searchParams.get('lines') ?? 1000), 1_000_000);
    const accepts = /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
    const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8', vary: 'Accept-Encoding' });
    if (!accepts) return new Response(text(repeat), { headers });
    headers.set('content-encoding', 'gzip');
    return new Response(text(repeat).pipeThrough(new CompressionStream('gzip')), { headers });
  },
};

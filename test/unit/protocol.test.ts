/** The frame format between the gateway and its sandbox hosts (src/sandbox-host/protocol.ts). */
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameType, encodeFrame, type Frame } from '../../src/sandbox-host/protocol.ts';

function frames(): { type: FrameType; header: unknown; body?: Buffer }[] {
  return [
    { type: FrameType.Invoke, header: { id: 1, instanceId: 7, request: { method: 'GET', url: 'http://x/é' } } },
    { type: FrameType.Result, header: { id: 1, kind: 'response', status: 200 }, body: Buffer.from('hello') },
    { type: FrameType.Logs, header: { records: [] } },
    { type: FrameType.Result, header: { id: 2 }, body: Buffer.alloc(100_000, 7) },
  ];
}

function decodeAll(chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  const reader = new FrameReader((frame) => out.push(frame));
  for (const chunk of chunks) reader.push(chunk);
  return out;
}

describe('frame protocol', () => {
  it('decodes frames written back to back in one chunk', () => {
    const input = frames();
    const decoded = decodeAll([Buffer.concat(input.map((f) => encodeFrame(f.type, f.header, f.body)))]);
    expect(decoded.map((f) => f.type)).toEqual(input.map((f) => f.type));
    expect(decoded.map((f) => f.header)).toEqual(input.map((f) => f.header));
    expect(decoded.map((f) => f.body)).toEqual(input.map((f) => f.body));
  });

  it('decodes the same frames however the stream is split, down to single bytes', () => {
    const input = frames();
    const wire = Buffer.concat(input.map((f) => encodeFrame(f.type, f.header, f.body)));
    for (const size of [1, 3, 4, 5, 9, 17, 4096]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < wire.length; i += size) chunks.push(wire.subarray(i, i + size));
      const decoded = decodeAll(chunks);
      expect(decoded.map((f) => f.header), `chunks of ${size}`).toEqual(input.map((f) => f.header));
      expect(decoded.map((f) => f.body), `chunks of ${size}`).toEqual(input.map((f) => f.body));
    }
  });

  it('gives each body its own memory, not a view of the receive buffer', () => {
    const wire = encodeFrame(FrameType.Result, { id: 1 }, Buffer.from('abc'));
    const [frame] = decodeAll([wire]);
    wire.fill(0);
    expect(frame!.body!.toString()).toBe('abc');
  });
});

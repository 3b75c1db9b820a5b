/** The frame format between the gateway and its sandbox hosts (src/sandbox-host/protocol.ts). */
import { describe, expect, it } from 'vitest';
import { invokeHeaderCodec, resultHeaderCodec, type InvokeMessage, type ResultMessage } from '../../src/sandbox-host/messages.ts';
import { FrameReader, FrameType, encodeFrame, type Frame, type HeaderCodecs } from '../../src/sandbox-host/protocol.ts';

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

  describe('the text headers of the frames every invocation sends', () => {
    const codecs: HeaderCodecs = { [FrameType.Invoke]: invokeHeaderCodec, [FrameType.Result]: resultHeaderCodec };
    const http = (headers: [string, string][]): InvokeMessage => ({
      id: 41, instanceId: 3,
      request: {
        kind: 'http', requestId: '0123456789abcdef0123456789abcdef', method: 'PATCH', url: 'http://h:8787/a/%C3%A9?x=1&y', basePath: '/fn/f@2',
        headers, sourceIp: '::ffff:127.0.0.1', timeEpochMs: 1_765_000_000_123, deadlineMs: 1_765_000_030_123,
      },
    });
    const roundTrip = (type: FrameType, header: unknown, body?: Buffer) => {
      const chunks: Buffer[] = [];
      const wire = encodeFrame(type, header, body, codecs);
      for (let i = 0; i < wire.length; i += 5) chunks.push(wire.subarray(i, i + 5));
      const out: Frame[] = [];
      const reader = new FrameReader((frame) => out.push(frame), codecs);
      for (const chunk of chunks) reader.push(chunk);
      expect(out).toHaveLength(1);
      return { wire, frame: out[0]! };
    };

    it('an HTTP invocation goes as lines and comes back the same: empty values, repeats, no headers at all', () => {
      for (const headers of [[['host', 'h'], ['x-e', ''], ['x-r', 'a'], ['x-r', 'b'], ['x-u', 'é ü']], []] as [string, string][][]) {
        const { wire, frame } = roundTrip(FrameType.Invoke, http(headers), Buffer.from('body'));
        expect(wire.toString('latin1', 9, 11)).toBe('H\n');
        expect(frame.header).toEqual(http(headers));
        expect(frame.body!.toString()).toBe('body');
      }
    });

    it('an event invocation, or a field with a line feed, goes as JSON and comes back the same', () => {
      const event: InvokeMessage = { id: 1, instanceId: 2, request: { kind: 'event', requestId: 'r', payload: '{"a":"\\n"}', timeEpochMs: 1, deadlineMs: 2 } };
      const odd = http([['x-odd', 'a\nb']]);
      for (const message of [event, odd]) {
        const { wire, frame } = roundTrip(FrameType.Invoke, message);
        expect(wire.toString('latin1', 9, 10)).toBe('{');
        expect(frame.header).toEqual(message);
      }
    });

    it('a response result goes as lines, its flags and times exact; a failure as JSON', () => {
      const response: ResultMessage = {
        id: 9, kind: 'response', status: 418, headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-empty', '']],
        stream: true, open: true, cold: false, cpuMs: 0.1 + 0.2, wallMs: 1234.5678901,
      };
      const { wire, frame } = roundTrip(FrameType.Result, response, Buffer.from('teapot'));
      expect(wire.toString('latin1', 9, 11)).toBe('R\n');
      expect(frame.header).toEqual(response);
      const failure: ResultMessage = { id: 9, kind: 'failure', code: 'CPU_LIMIT_EXCEEDED', message: 'm', cpuMs: 51, wallMs: 52, disposed: true };
      expect(roundTrip(FrameType.Result, failure).frame.header).toEqual(failure);
    });
  });
});

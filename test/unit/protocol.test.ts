/** The frame format between the gateway and its sandbox hosts (src/sandbox-host/protocol.ts). */
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameType, encodeFrame, type Frame } from '../../src/sandbox-host/protocol.ts';
import { MalformedFrameError } from '../../src/sandbox-host/frame-heads.ts';

const HTTP_INVOKE = {
  // Ids only grow: past 2^32 on a host that has been busy for days.
  id: 2 ** 32 + 3,
  instanceId: 70_000,
  request: {
    kind: 'http',
    requestId: '0123456789abcdef0123456789abcdef',
    method: 'POST',
    url: 'http://fn.test/a/%C3%A9?q=1',
    basePath: '/fn/hello@2',
    // Node gives header values as latin1 strings; a URL or path may hold any UTF-16.
    headers: [['host', 'fn.test'], ['x-latin1', 'caf\u00e9'], ['x-empty', ''], ['x-astral', '\u{1F600} \u4e2d']],
    sourceIp: '::ffff:127.0.0.1',
    timeEpochMs: 1_765_150_000_123,
    deadlineMs: 1_765_150_030_123.5,
  },
};

function frames(): { type: FrameType; header: unknown; body?: Buffer }[] {
  return [
    { type: FrameType.Invoke, header: { id: 1, instanceId: 7, request: { method: 'GET', url: 'http://x/é' } } },
    { type: FrameType.Result, header: { id: 1, kind: 'response', status: 200 }, body: Buffer.from('hello') },
    { type: FrameType.InvokeHttp, header: HTTP_INVOKE, body: Buffer.from('{"a":1}') },
    { type: FrameType.InvokeHttp, header: { ...HTTP_INVOKE, request: { ...HTTP_INVOKE.request, headers: [] } } },
    { type: FrameType.Response, header: { id: 2 ** 32 + 3, kind: 'response', status: 201, headers: [['content-type', 'text/plain'], ['set-cookie', 'a=1'], ['set-cookie', 'b=é']], stream: false, open: false, cpuMs: 0.123456789, wallMs: 1.5, cold: true }, body: Buffer.from('created') },
    { type: FrameType.Response, header: { id: 4, kind: 'response', status: 200, headers: [], stream: true, open: true, cpuMs: 0, wallMs: 0.01, cold: false } },
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

  it('binary heads: a status is carried as it is, for the gateway to judge', () => {
    for (const status of [599, 200.5, Number.NaN, 70_000]) {
      const [frame] = decodeAll([encodeFrame(FrameType.Response, { id: 1, kind: 'response', status, headers: [], cpuMs: 1, wallMs: 1, cold: false })]);
      expect(frame!.header.status).toBe(status);
    }
  });

  it('malformed: a frame that does not decode throws MalformedFrameError, whatever is wrong with it', () => {
    const frame = (type: number, head: Buffer, frameLength = 5 + head.length): Buffer => {
      const prefix = Buffer.alloc(9);
      prefix.writeUInt32LE(frameLength, 0);
      prefix.writeUInt8(type, 4);
      prefix.writeUInt32LE(head.length, 5);
      return Buffer.concat([prefix, head]);
    };
    const good = encodeFrame(FrameType.InvokeHttp, HTTP_INVOKE).subarray(9);
    const cases: Buffer[] = [
      frame(FrameType.Result, Buffer.from('{"id":')),
      frame(FrameType.InvokeHttp, good.subarray(0, good.length - 1)),
      frame(FrameType.InvokeHttp, Buffer.concat([good, Buffer.from([0])])),
      frame(FrameType.InvokeHttp, good.subarray(0, 20)),
      frame(FrameType.Response, Buffer.alloc(32)),
      // A pair count no head could hold.
      frame(FrameType.Response, Buffer.concat([Buffer.alloc(33), Buffer.from([0xff, 0xff, 0xff, 0x7f])])),
      // A head longer than its frame, and a frame too short to have a head.
      frame(FrameType.Result, Buffer.from('{}'), 6),
      Buffer.from([3, 0, 0, 0, 6, 0, 0]),
    ];
    for (const [i, wire] of cases.entries()) expect(() => decodeAll([wire]), `case ${i}`).toThrow(MalformedFrameError);
  });

  it('gives each body its own memory, not a view of the receive buffer', () => {
    const wire = encodeFrame(FrameType.Result, { id: 1 }, Buffer.from('abc'));
    const [frame] = decodeAll([wire]);
    wire.fill(0);
    expect(frame!.body!.toString()).toBe('abc');
  });
});

import { deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../sandbox/src/streams/checksums.ts';
import {
  CompressionStream,
  DecompressionStream,
  ReadableStream,
  TextDecoderStream,
  TextEncoderStream,
} from '../../../sandbox/src/streams/index.ts';

type Format = 'gzip' | 'deflate' | 'deflate-raw';
const COMPRESS = { gzip: gzipSync, deflate: deflateSync, 'deflate-raw': deflateRawSync } as const;
const DECOMPRESS = { gzip: gunzipSync, deflate: inflateSync, 'deflate-raw': inflateRawSync } as const;
const FORMATS = Object.keys(COMPRESS) as Format[];

/** Pipes `chunks` through `transform` and collects what comes out. */
async function pipe<T>(transform: { readable: ReadableStream<T>; writable: unknown }, chunks: unknown[]): Promise<T[]> {
  const source = new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk);
      c.close();
    },
  });
  const out: T[] = [];
  for await (const v of source.pipeThrough(transform as never) as ReadableStream<T>) out.push(v);
  return out;
}

/** Decompresses `input` fed in chunks of `size` bytes. */
async function decompress(format: Format, input: Uint8Array, size = input.length || 1): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) chunks.push(input.slice(i, i + size));
  return Buffer.concat(await pipe<Uint8Array>(new DecompressionStream(format), chunks));
}

const text = Buffer.from('Decompress me, one byte at a time if need be. '.repeat(40));

describe('CompressionStream', () => {
  it('CompressionStream: each format decompresses with zlib to the input, across chunks of every kind of BufferSource', async () => {
    for (const format of FORMATS) {
      const parts = [text.subarray(0, 100), new DataView(text.buffer, text.byteOffset + 100, 50), text.subarray(150).buffer.slice(text.byteOffset + 150, text.byteOffset + text.length)];
      const out = Buffer.concat(await pipe<Uint8Array>(new CompressionStream(format), parts));
      expect(DECOMPRESS[format](out).equals(text)).toBe(true);
    }
  });
  it('CompressionStream: gzip output has no timestamp', async () => {
    const out = Buffer.concat(await pipe<Uint8Array>(new CompressionStream('gzip'), [new Uint8Array([1])]));
    expect([...out.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });
  it('CompressionStream: an empty input still makes a complete stream', async () => {
    for (const format of FORMATS) {
      const out = Buffer.concat(await pipe<Uint8Array>(new CompressionStream(format), []));
      expect(DECOMPRESS[format](out).length).toBe(0);
    }
  });
  it('CompressionStream: a chunk that is not a BufferSource errors the stream with a TypeError', async () => {
    for (const bad of ['text', 1, null, undefined, {}, [1]]) {
      await expect(pipe(new CompressionStream('gzip'), [bad])).rejects.toThrow(TypeError);
    }
  });
  it('CompressionStream: an unknown format is a TypeError', () => {
    for (const format of ['brotli', 'GZIP', '', undefined]) {
      expect(() => new CompressionStream(format)).toThrow(TypeError);
      expect(() => new DecompressionStream(format)).toThrow(TypeError);
    }
  });
});

describe('DecompressionStream', () => {
  it('DecompressionStream: zlib output of each format decodes, fed whole or one byte at a time', async () => {
    for (const format of FORMATS) {
      const compressed = COMPRESS[format](text);
      expect((await decompress(format, compressed)).equals(text)).toBe(true);
      expect((await decompress(format, compressed, 1)).equals(text)).toBe(true);
    }
  });
  it('DecompressionStream: every truncation of the input is a TypeError', async () => {
    for (const format of FORMATS) {
      const compressed = COMPRESS[format](Buffer.from('short'));
      for (let n = 0; n < compressed.length; n++) {
        await expect(decompress(format, compressed.subarray(0, n)), `${format} cut at ${n}`).rejects.toThrow(TypeError);
      }
    }
  });
  it('DecompressionStream: data after the end is a TypeError, whole or split', async () => {
    for (const format of FORMATS) {
      const input = Buffer.concat([COMPRESS[format](text), Buffer.from([0])]);
      await expect(decompress(format, input)).rejects.toThrow(TypeError);
      await expect(decompress(format, input, 3)).rejects.toThrow(TypeError);
    }
  });
  it('DecompressionStream: a wrong checksum or length is a TypeError', async () => {
    const gz = gzipSync(text);
    for (const at of [gz.length - 8, gz.length - 1]) {
      const bad = Buffer.from(gz);
      bad[at]! ^= 0x40;
      await expect(decompress('gzip', bad)).rejects.toThrow(TypeError);
    }
    const z = Buffer.from(deflateSync(text));
    z[z.length - 1]! ^= 1;
    await expect(decompress('deflate', z)).rejects.toThrow(TypeError);
  });
  it('DecompressionStream: corrupt headers and data are TypeErrors', async () => {
    const gz = Buffer.from(gzipSync(text));
    gz[2] = 7; // compression method
    await expect(decompress('gzip', gz)).rejects.toThrow(TypeError);
    const z = Buffer.from(deflateSync(text));
    z[1]! ^= 1; // header check
    await expect(decompress('deflate', z)).rejects.toThrow(TypeError);
    await expect(decompress('deflate-raw', Buffer.from([0xff, 0xff, 0xff, 0xff]))).rejects.toThrow(TypeError);
    // FDICT: a preset dictionary this API cannot supply
    await expect(decompress('deflate', Buffer.from([0x78, 0xbb, 0, 0, 0, 1]))).rejects.toThrow(TypeError);
  });
  it('DecompressionStream: an empty input is a TypeError', async () => {
    for (const format of FORMATS) await expect(decompress(format, new Uint8Array(0))).rejects.toThrow(TypeError);
  });
  it('DecompressionStream: gzip optional header fields (extra, name, comment, header CRC) are skipped and checked', async () => {
    const raw = deflateRawSync(text);
    const header = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 255]),
      Buffer.from([3, 0, 1, 2, 3]), // FEXTRA: length 3
      Buffer.from('name.txt\0'),
      Buffer.from('a comment\0'),
    ]);
    const hcrc = Buffer.alloc(2);
    hcrc.writeUInt16LE(crc32(0, header) & 0xffff);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(0, text), 0);
    trailer.writeUInt32LE(text.length, 4);
    const member = Buffer.concat([header, hcrc, raw, trailer]);
    expect(gunzipSync(member).equals(text)).toBe(true);
    expect((await decompress('gzip', member, 2)).equals(text)).toBe(true);
    const badHcrc = Buffer.from(member);
    badHcrc[header.length]! ^= 1;
    await expect(decompress('gzip', badHcrc)).rejects.toThrow(TypeError);
    const reserved = Buffer.from(member);
    reserved[3]! |= 0x20;
    await expect(decompress('gzip', reserved)).rejects.toThrow(TypeError);
  });
  it('checksums: CRC-32 of a known string', () => {
    expect(crc32(0, Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('TextEncoderStream and TextDecoderStream', () => {
  it('TextDecoderStream: a label and its options are the decoder\'s; a bad label is a RangeError', () => {
    const d = new TextDecoderStream('UTF-16LE', { fatal: true, ignoreBOM: true });
    expect([d.encoding, d.fatal, d.ignoreBOM]).toEqual(['utf-16le', true, true]);
    expect(() => new TextDecoderStream('nope')).toThrow(RangeError);
  });
  it('TextDecoderStream: a truncated sequence at the end is U+FFFD, or a TypeError when fatal', async () => {
    expect((await pipe<string>(new TextDecoderStream(), [new Uint8Array([0x61, 0xe2, 0x82])])).join('')).toBe('a\ufffd');
    await expect(pipe(new TextDecoderStream('utf-8', { fatal: true }), [new Uint8Array([0xe2, 0x82])])).rejects.toThrow(TypeError);
  });
  it('TextDecoderStream: a chunk that is not a BufferSource is a TypeError; empty output is not enqueued', async () => {
    await expect(pipe(new TextDecoderStream(), ['text'])).rejects.toThrow(TypeError);
    await expect(pipe(new TextDecoderStream(), [undefined])).rejects.toThrow(TypeError);
    expect(await pipe(new TextDecoderStream(), [new Uint8Array([0xef, 0xbb, 0xbf]), new Uint8Array(0), new Uint8Array([0x62])])).toEqual(['b']);
  });
  it('TextEncoderStream: chunks are stringified; empty output is not enqueued', async () => {
    const out = await pipe<Uint8Array>(new TextEncoderStream(), [1, '', { toString: () => 'x' }]);
    expect(out.map((b) => Buffer.from(b).toString())).toEqual(['1', 'x']);
    expect(new TextEncoderStream().encoding).toBe('utf-8');
  });
  it('TextEncoderStream: a lone lead surrogate before a non-trail is U+FFFD, and a symbol chunk a TypeError', async () => {
    const out = await pipe<Uint8Array>(new TextEncoderStream(), ['\ud83d', 'a']);
    expect(Buffer.concat(out).toString()).toBe('\ufffda');
    await expect(pipe(new TextEncoderStream(), [Symbol('s')])).rejects.toThrow(TypeError);
  });
  it('stream classes: readable and writable on another object are a TypeError', () => {
    const get = Object.getOwnPropertyDescriptor(TextEncoderStream.prototype, 'readable')!.get!;
    expect(() => get.call({})).toThrow(TypeError);
  });
});

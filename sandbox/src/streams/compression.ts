/** CompressionStream and DecompressionStream (WHATWG Compression): gzip, deflate (zlib) and deflate-raw, with fflate. */

import { Deflate, Gzip, Zlib } from 'fflate';
import { TransformStream, type TransformStreamDefaultController } from 'web-streams-polyfill';
import { bytesOfBufferSource } from '../web/buffer-source.ts';
import { Decompressor, type Format } from './inflate.ts';

/** WebIDL conversion to the CompressionFormat enum. */
function toFormat(v: unknown, what: string): Format {
  const f = `${v as string}`;
  if (f !== 'deflate' && f !== 'deflate-raw' && f !== 'gzip') {
    throw new TypeError(`Failed to construct '${what}': Unsupported compression format: '${f}'`);
  }
  return f;
}

export class CompressionStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor(format: unknown) {
    const f = toFormat(format, 'CompressionStream');
    let out!: TransformStreamDefaultController<Uint8Array>;
    const onData = (data: Uint8Array) => {
      if (data.length > 0) out.enqueue(data);
    };
    // mtime 0: no timestamp in the gzip header, as other runtimes write it.
    const deflate = f === 'gzip' ? new Gzip({ mtime: 0 }, onData) : f === 'deflate' ? new Zlib({}, onData) : new Deflate({}, onData);
    this.#transform = new TransformStream<unknown, Uint8Array>({
      transform(chunk, controller) {
        out = controller;
        // fflate copies what it keeps, so a view of the chunk is enough.
        deflate.push(bytesOfBufferSource(chunk, false), false);
      },
      flush(controller) {
        out = controller;
        deflate.push(new Uint8Array(0), true);
      },
    });
  }

  get readable() {
    return this.#transform.readable;
  }
  get writable() {
    return this.#transform.writable;
  }
}

export class DecompressionStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor(format: unknown) {
    const f = toFormat(format, 'DecompressionStream');
    let out!: TransformStreamDefaultController<Uint8Array>;
    const inflate = new Decompressor(f, (data) => out.enqueue(data));
    this.#transform = new TransformStream<unknown, Uint8Array>({
      transform(chunk, controller) {
        out = controller;
        inflate.push(bytesOfBufferSource(chunk, true));
      },
      flush(controller) {
        out = controller;
        inflate.finish();
      },
    });
  }

  get readable() {
    return this.#transform.readable;
  }
  get writable() {
    return this.#transform.writable;
  }
}

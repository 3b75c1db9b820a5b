/** TextEncoderStream and TextDecoderStream (WHATWG Encoding §7), on the runtime's TextEncoder and TextDecoder. */

import { TransformStream } from 'web-streams-polyfill';
import { TextDecoder, TextEncoder } from '../web/encoding.ts';

const encoder = new TextEncoder();

export class TextEncoderStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor() {
    // The spec's encoder keeps a lead surrogate that ends a chunk for the next one.
    let lead = '';
    this.#transform = new TransformStream<unknown, Uint8Array>({
      transform(chunk, controller) {
        let s = lead + `${chunk as string}`;
        lead = '';
        const last = s.charCodeAt(s.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          lead = s.slice(-1);
          s = s.slice(0, -1);
        }
        if (s.length > 0) controller.enqueue(encoder.encode(s));
      },
      flush(controller) {
        // A lone lead surrogate at the end is U+FFFD.
        if (lead !== '') controller.enqueue(new Uint8Array([0xef, 0xbf, 0xbd]));
      },
    });
  }

  get encoding(): string {
    return 'utf-8';
  }
  get readable() {
    return this.#transform.readable;
  }
  get writable() {
    return this.#transform.writable;
  }
}

export class TextDecoderStream {
  #decoder: TextDecoder;
  #transform: TransformStream<unknown, string>;

  constructor(label: unknown = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } | undefined = undefined) {
    const decoder = new TextDecoder(label, options);
    this.#decoder = decoder;
    this.#transform = new TransformStream<unknown, string>({
      transform(chunk, controller) {
        // decode() takes a missing input as empty; a chunk must be a BufferSource.
        if (chunk === undefined) throw new TypeError('TextDecoderStream: a chunk must be an ArrayBuffer or ArrayBufferView');
        const s = decoder.decode(chunk, { stream: true });
        if (s !== '') controller.enqueue(s);
      },
      flush(controller) {
        const s = decoder.decode();
        if (s !== '') controller.enqueue(s);
      },
    });
  }

  get encoding(): string {
    return this.#decoder.encoding;
  }
  get fatal(): boolean {
    return this.#decoder.fatal;
  }
  get ignoreBOM(): boolean {
    return this.#decoder.ignoreBOM;
  }
  get readable() {
    return this.#transform.readable;
  }
  get writable() {
    return this.#transform.writable;
  }
}

/**
 * The stream operations Fetch's bodies need (web/body.ts, in the boot script, calls them
 * through web/streams.ts). The methods are captured as this module loads: the classes are
 * new then, so no guest has patched their prototypes yet. Every query answers without
 * throwing, whatever a guest did to a stream's fields, so the runner can always ask.
 */

import { ReadableStream, ReadableStreamDefaultReader, TransformStream } from 'web-streams-polyfill';
import type { BodySource } from '../web/body.ts';

const apply = Reflect.apply;
const lockedGetter = Object.getOwnPropertyDescriptor(ReadableStream.prototype, 'locked')!.get!;
const { getReader, tee, pipeThrough } = ReadableStream.prototype;
const { read, cancel } = ReadableStreamDefaultReader.prototype;

/** A reader the runtime holds on a body's stream. */
export interface StreamReader {
  read(): Promise<{ done: boolean; value: unknown }>;
  cancel(reason: unknown): void;
}

/** The polyfill keeps the spec's [[disturbed]] slot as a plain field. */
function disturbed(s: ReadableStream): boolean {
  return (s as unknown as { _disturbed: unknown })._disturbed === true;
}

export const bodyStreams = {
  isReadableStream(v: unknown): v is ReadableStream {
    try {
      apply(lockedGetter, v, []);
      return true;
    } catch {
      return false;
    }
  },

  /** Fetch's "unusable" test for a stream: disturbed or locked. */
  isUnusable(s: ReadableStream): boolean {
    try {
      return disturbed(s) || apply(lockedGetter, s, []) === true;
    } catch {
      return true;
    }
  },

  isDisturbed(s: ReadableStream): boolean {
    try {
      return disturbed(s);
    } catch {
      return true;
    }
  },

  /** A byte stream of `bytes` (whose buffer it takes over), then closed. */
  fromBytes(bytes: Uint8Array | null): ReadableStream<Uint8Array> {
    return new ReadableStream({
      type: 'bytes',
      start(c) {
        if (bytes !== null && bytes.byteLength > 0) c.enqueue(bytes);
        c.close();
      },
    });
  },

  /** A byte stream that pulls a chunk from `source` only when it is read. */
  fromSource(source: BodySource): ReadableStream<Uint8Array> {
    return new ReadableStream({
      type: 'bytes',
      pull(c) {
        // A byte stream cannot enqueue an empty chunk, and a pull that enqueues nothing is not repeated.
        const next = (): Promise<void> =>
          source.pull().then((chunk) => {
            if (chunk === null) {
              c.close();
              c.byobRequest?.respond(0);
            } else if (chunk.byteLength === 0) {
              return next();
            } else {
              c.enqueue(chunk);
            }
            return undefined;
          });
        return next();
      },
      cancel(reason) {
        source.cancel(reason);
      },
    });
  },

  tee(s: ReadableStream): [ReadableStream, ReadableStream] {
    return apply(tee, s, []) as [ReadableStream, ReadableStream];
  },

  /** Fetch's "create a proxy": a stream of what `s` yields, leaving `s` locked and disturbed. */
  proxy(s: ReadableStream): ReadableStream {
    return apply(pipeThrough, s, [new TransformStream()]) as ReadableStream;
  },

  /** An empty stream that is already read: the body of a Request or Response consumed before `body` was asked for. */
  usedStream(): ReadableStream {
    const s = new ReadableStream({
      type: 'bytes',
      start(c) {
        c.close();
      },
    });
    apply(read, apply(getReader, s, []), []);
    return s;
  },

  /** Locks `s` to a new reader (throws a TypeError when it is locked already). */
  reader(s: ReadableStream): StreamReader {
    const r = apply(getReader, s, []) as ReadableStreamDefaultReader<unknown>;
    return {
      read: () => apply(read, r, []) as Promise<{ done: boolean; value: unknown }>,
      cancel(reason) {
        try {
          (apply(cancel, r, [reason]) as Promise<void>).then(undefined, () => {});
        } catch {
          // the stream is dropped either way
        }
      },
    };
  },
};

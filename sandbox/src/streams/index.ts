/**
 * The lazy module `streams` (see sandbox/build.ts): WHATWG Streams from web-streams-polyfill,
 * the stream classes of Encoding and Compression built on them, and the stream operations
 * the runtime's bodies use. Evaluated on first use (web/streams.ts); the classes become
 * globals then (globals.ts).
 */

export {
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  ReadableByteStreamController,
  ReadableStream,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableStreamDefaultController,
  ReadableStreamDefaultReader,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultController,
  WritableStreamDefaultWriter,
} from 'web-streams-polyfill';
export { CompressionStream, DecompressionStream } from './compression.ts';
export { TextDecoderStream, TextEncoderStream } from './text.ts';
export { bodyStreams } from './body-streams.ts';

/**
 * Fetch's body: extraction from BodyInit, the consume algorithms, and the ReadableStream a
 * body is read as. A body holds text, bytes, a host source or a stream. Text, bytes and a
 * source become a stream only when one is asked for (`body`, `clone`), so a function that
 * never touches streams never loads the streams module (see streams.ts).
 */

import {
  ArrayBufferIsView,
  JSONParse,
  PromisePrototypeThen,
  PromiseReject,
  PromiseResolve,
  Promise_,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  StringPrototypeToWellFormed,
  StringPrototypeIndexOf,
  String_,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  internalList,
  listAppend,
} from '../primordials.ts';
import { bytesOfBufferSource, concatBytes, isArrayBuffer, toArrayBuffer } from './buffer-source.ts';
import { blobBytes, createBlob, isBlob, isFormData, parseMultipart, parseUrlencodedForm, serialiseMultipart } from './form-api.ts';
import { type Headers, headersInternals } from './headers.ts';
import { asciiLowercase, trimHttpWhitespace } from './infra.ts';
import { type ReadableStream, type StreamReader, loadedStreams, streams } from './streams.ts';
import { isURLSearchParams, urlSearchParamsToString } from './url-classes.ts';
import { utf8ByteLength, utf8Decode, utf8Encode } from './utf8.ts';

/** Where a body from the host (a fetch response) gets its bytes: a chunk per pull, null at the end. */
export interface BodySource {
  pull(): Promise<Uint8Array | null>;
  cancel(reason: unknown): void;
}

/** Reads a stream-backed body chunk by chunk (the runtime streams such a response out). */
export interface BodyStreamReader {
  /** The next chunk, or null at the end. Rejects when the stream errors or yields a non-Uint8Array chunk. */
  next(): Promise<Uint8Array | null>;
  cancel(reason: unknown): void;
}

/**
 * A body. One made from a string keeps the string and encodes it only when its bytes are
 * asked for: a handler's response text leaves the isolate as a string, which the host
 * encodes natively (a 5 MiB body encoded here would cost tens of milliseconds of the
 * function's CPU time).
 */
export class Body {
  #bytes: Uint8Array | null;
  #text: string | null;
  #source: BodySource | null = null;
  #stream: ReadableStream | null = null;
  /** Disturbed, while the body has no stream (a stream keeps its own flag). */
  #used: boolean;

  constructor(bytes: Uint8Array | null, used = false, text: string | null = null) {
    this.#bytes = bytes;
    this.#text = bytes === null ? text : null;
    this.#used = used;
  }

  /** A body read from `stream`. */
  static ofStream(stream: ReadableStream): Body {
    const b = new Body(null);
    b.#stream = stream;
    return b;
  }

  /** A body read from the host through `source`. */
  static ofSource(source: BodySource): Body {
    const b = new Body(null);
    b.#source = source;
    return b;
  }

  /** Fetch's null body (what `body` returns null for). */
  get isNull(): boolean {
    return this.#bytes === null && this.#text === null && this.#source === null && this.#stream === null;
  }

  /** True when the body is a stream or a host source (not bytes or text): it leaves the isolate chunk by chunk. */
  get isStream(): boolean {
    return this.#stream !== null || this.#source !== null;
  }

  /** Fetch's "disturbed". */
  get used(): boolean {
    return this.#stream === null ? this.#used : streams().bodyStreams.isDisturbed(this.#stream);
  }

  /** Fetch's "unusable": disturbed or locked. */
  get unusable(): boolean {
    return this.#stream === null ? this.#used : streams().bodyStreams.isUnusable(this.#stream);
  }

  /** The bytes of a body that is not a stream, text encoded on first use; null for a null body or a stream. */
  get bytes(): Uint8Array | null {
    if (this.#bytes === null && this.#text !== null) {
      this.#bytes = utf8Encode(this.#text);
      this.#text = null;
    }
    return this.#bytes;
  }

  /** The source string, while the body has not been encoded; null otherwise. */
  get text(): string | null {
    return this.#text;
  }

  /** The length of a body that is not a stream, in bytes. */
  get byteLength(): number {
    if (this.#text !== null) return utf8ByteLength(this.#text);
    return this.#bytes === null ? 0 : TypedArrayPrototypeGetByteLength(this.#bytes);
  }

  /** The body's ReadableStream (not for a null body), made on the first call from what the body holds. */
  stream(): ReadableStream {
    if (this.#stream === null) {
      const s = streams().bodyStreams;
      // The bytes go to the stream, which takes over their buffer; clone() copies, so nothing else holds them.
      this.#stream = this.#used ? s.usedStream() : this.#source !== null ? s.fromSource(this.#source) : s.fromBytes(this.bytes);
      this.#bytes = this.#text = this.#source = null;
    }
    return this.#stream;
  }

  /** Marks a body that is not a stream used and returns its bytes (empty for a null body, which is never disturbed). */
  consume(): Uint8Array {
    if (this.isNull) return new Uint8Array_(0);
    this.#used = true;
    return this.bytes!;
  }

  /** Marks a text body used and returns its string; null (and nothing marked) for any other body. */
  consumeText(): string | null {
    if (this.#text !== null) this.#used = true;
    return this.#text;
  }

  /** Fetch's "clone a body" (the caller checks it is usable): a stream is teed, text and bytes are copied. */
  clone(): Body {
    if (this.isStream) {
      const branches = streams().bodyStreams.tee(this.stream());
      this.#stream = branches[0];
      return Body.ofStream(branches[1]);
    }
    return new Body(this.#bytes === null ? null : new Uint8Array_(this.#bytes), false, this.#text);
  }

  /**
   * Moves the body into a new one and leaves this one disturbed: a Request made from another
   * Request takes its body (a stream through Fetch's "create a proxy").
   */
  take(): Body {
    if (this.#stream !== null) return Body.ofStream(streams().bodyStreams.proxy(this.#stream));
    const b = new Body(this.#bytes, false, this.#text);
    b.#source = this.#source;
    this.#used = true;
    return b;
  }

  /** Locks the body's stream and reads it (a host source directly, without a stream). */
  reader(): BodyStreamReader {
    const source = this.#source;
    if (source !== null && !this.#used) {
      this.#used = true;
      return { next: () => source.pull(), cancel: (reason) => source.cancel(reason) };
    }
    return streamReader(this.stream());
  }
}

function streamReader(stream: ReadableStream): BodyStreamReader {
  let reader: StreamReader | null = null;
  let error: unknown;
  try {
    reader = streams().bodyStreams.reader(stream);
  } catch (e) {
    error = e;
  }
  return {
    next: () =>
      new Promise_<Uint8Array | null>((resolve, reject) => {
        if (reader === null) throw error;
        // The stream's promise and result come from library code a guest may have subverted: adopted, then checked.
        PromisePrototypeThen(
          PromiseResolve(reader.read()),
          (r: unknown) => {
            try {
              const result = r as { done: unknown; value: unknown };
              if (result.done) resolve(null);
              else if (TypedArrayPrototypeGetSymbolToStringTag(result.value) === 'Uint8Array') resolve(result.value as Uint8Array);
              else reject(new TypeError_('A body stream chunk must be a Uint8Array'));
            } catch (e) {
              reject(e);
            }
          },
          reject,
        );
      }),
    cancel: (reason) => reader?.cancel(reason),
  };
}

/** Streams's "read all bytes": calls `done` with the concatenated chunks, or `fail`. */
function readAll(reader: BodyStreamReader, done: (bytes: Uint8Array) => void, fail: (e: unknown) => void): void {
  const chunks: Uint8Array[] = internalList();
  const step = (chunk: Uint8Array | null): void => {
    if (chunk === null) return done(concatBytes(chunks));
    listAppend(chunks, chunk);
    PromisePrototypeThen(reader.next(), step, fail);
  };
  PromisePrototypeThen(reader.next(), step, fail);
}


function isReadableStream(v: unknown): v is ReadableStream {
  const m = loadedStreams();
  return m !== null && m.bodyStreams.isReadableStream(v);
}

/** Fetch's "extract a body" as a Body and the default Content-Type, or null for a null body. */
export function extractBody(init: unknown, keepalive = false): { body: Body; contentType: string | null } | null {
  if (init === null || init === undefined) return null;
  if (typeof init === 'string') return { body: new Body(null, false, init), contentType: 'text/plain;charset=UTF-8' };
  if (isArrayBuffer(init) || ArrayBufferIsView(init)) return { body: new Body(bytesOfBufferSource(init, true)), contentType: null };
  if (isURLSearchParams(init)) {
    return {
      body: new Body(null, false, urlSearchParamsToString(init)),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  if (isReadableStream(init)) {
    if (keepalive) throw new TypeError_('A keepalive request cannot have a ReadableStream body');
    if (streams().bodyStreams.isUnusable(init)) throw new TypeError_('The ReadableStream is locked or disturbed');
    return { body: Body.ofStream(init), contentType: null };
  }
  if (isBlob(init)) {
    const type = String_(init.type);
    return { body: new Body(blobBytes(init)), contentType: type === '' ? null : type };
  }
  if (isFormData(init)) {
    const { bytes, contentType } = serialiseMultipart(init);
    return { body: new Body(bytes), contentType };
  }
  // Any other object stringifies (WebIDL USVString).
  return { body: new Body(null, false, String_(init)), contentType: 'text/plain;charset=UTF-8' };
}

/** Fetch's "consume body": reads the whole body (a stream to its end) and converts it, or rejects with a TypeError when unusable. */
function consumeWith<T>(body: Body, convert: (bytes: Uint8Array) => T): Promise<T> {
  return new Promise_<T>((resolve, reject) => {
    if (body.unusable) throw new TypeError_('Body is unusable: it was read already or is locked');
    if (!body.isStream) return resolve(convert(body.consume()));
    readAll(
      body.reader(),
      (bytes) => {
        try {
          resolve(convert(bytes));
        } catch (e) {
          reject(e);
        }
      },
      reject,
    );
  });
}

const parseJson = (b: Uint8Array): unknown => JSONParse(decodeText(b));
const copyBuffer = (b: Uint8Array): ArrayBuffer => toArrayBuffer(b);
const copyBytes = (b: Uint8Array): Uint8Array => new Uint8Array_(toArrayBuffer(b));

/** What a body method called on an object that is not its Request or Response returns: a rejection, not a throw. */
export function illegal(): Promise<never> {
  return PromiseReject(new TypeError_('Illegal invocation')) as Promise<never>;
}

/** The consume-body algorithms shared by Request and Response. */
export const consume = {
  arrayBuffer: (body: Body) => consumeWith(body, copyBuffer),
  bytes: (body: Body) => consumeWith(body, copyBytes),
  json: (body: Body) => consumeWith(body, parseJson),
  /** `mimeType` is the body's Content-Type (see mimeTypeOf), '' for none. */
  blob: (body: Body, mimeType: string) => consumeWith(body, (b) => createBlob(copyBytes(b), mimeType)),
  formData: (body: Body, mimeType: string) => consumeWith(body, (b) => parseForm(b, mimeType)),
  text(body: Body): Promise<string> {
    const source = body.isStream || body.unusable ? null : body.consumeText();
    if (source === null) return consumeWith(body, decodeText);
    // What encoding and decoding would give: lone surrogates as U+FFFD, one leading BOM dropped.
    const s = StringPrototypeToWellFormed(source);
    return PromiseResolve(StringPrototypeCharCodeAt(s, 0) === 0xfeff ? StringPrototypeSlice(s, 1) : s) as Promise<string>;
  },
};

/** Fetch's formData(): multipart/form-data or application/x-www-form-urlencoded, a TypeError for anything else. */
function parseForm(bytes: Uint8Array, mimeType: string): unknown {
  const semicolon = StringPrototypeIndexOf(mimeType, ';');
  const essence = asciiLowercase(trimHttpWhitespace(semicolon < 0 ? mimeType : StringPrototypeSlice(mimeType, 0, semicolon)));
  if (essence === 'multipart/form-data') return parseMultipart(bytes, mimeType);
  if (essence === 'application/x-www-form-urlencoded') return parseUrlencodedForm(bytes);
  throw new TypeError_(`formData() needs a multipart/form-data or application/x-www-form-urlencoded body, not ${essence === '' ? 'none' : essence}`);
}

/** The Content-Type of a header list as Fetch's "extract a MIME type" takes it: the last value; '' for none. */
export function mimeTypeOf(headers: Headers): string {
  const list = headersInternals.list(headers);
  let out = '';
  for (let i = 0; i < list.length; i++) if (asciiLowercase(list[i]![0]) === 'content-type') out = list[i]![1];
  return out;
}

/** Encoding's "UTF-8 decode": lossy, with a leading BOM removed. */
export function decodeText(b: Uint8Array): string {
  const bom = TypedArrayPrototypeGetByteLength(b) >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  return utf8Decode(bom ? TypedArrayPrototypeSubarray(b, 3) : b);
}

/**
 * A reader over `body` when it is a stream (locks it and marks it used), or null when
 * the body is bytes or text (those leave the isolate whole).
 */
export function bodyStreamReader(body: Body): BodyStreamReader | null {
  return body.isStream ? body.reader() : null;
}

/** A body read from the host through `source`: a chunk per pull, pulled only as the body is read (a fetch response's body). */
export function bodyFromSource(source: BodySource): Body {
  return Body.ofSource(source);
}

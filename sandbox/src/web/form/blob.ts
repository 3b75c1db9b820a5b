/**
 * Blob and File (W3C File API §3-4). A Blob's bytes never change, so a slice, a Blob made
 * from one Blob, or a File made from a Blob share the same memory instead of copying it.
 */

import {
  ArrayBufferIsView,
  MathFloor,
  MathMax,
  MathMin,
  MathTrunc,
  NumberIsFinite,
  NumberIsNaN,
  PromiseReject,
  PromiseResolve,
  ReflectApply,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  SymbolIterator,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  asciiLowercase,
  blobStream,
  bytesOfBufferSource,
  clockNow,
  internalList,
  isArrayBuffer,
  listAppend,
  requireArgs,
  toArrayBuffer,
  toDOMString,
  toDictionary,
  toNumber,
  toUSVString,
  utf8Decode,
  utf8Encode,
  concatBytes,
} from '../kit.ts';

/** A converted BlobPart: bytes already copied (buffers), a Blob's shared bytes, or a string still to encode. */
type Part = Uint8Array | string;

/**
 * Set just before the runtime constructs a Blob (slice, File, createBlob) or a File
 * (makeFile): what the constructor takes instead of converting arguments.
 */
let made: { bytes: Uint8Array; type: string } | null = null;
let madeFile: { name: string; lastModified: number } | null = null;

/** Runtime-only access to Blob internals. */
export let blobInternals: {
  isBlob(v: unknown): v is Blob;
  bytes(b: Blob): Uint8Array;
  type(b: Blob): string;
};

export class Blob {
  #bytes: Uint8Array;
  #type: string;

  constructor(blobParts: unknown = undefined, options: unknown = undefined) {
    if (made !== null) {
      this.#bytes = made.bytes;
      this.#type = made.type;
      made = null;
      return;
    }
    const parts = blobParts === undefined ? internalList<Part>() : toBlobParts(blobParts, 'Blob');
    const o = toBlobPropertyBag(options, 'Blob');
    this.#bytes = processParts(parts, o.native);
    this.#type = o.type;
  }

  get size(): number {
    return TypedArrayPrototypeGetByteLength(this.#bytes);
  }

  get type(): string {
    return this.#type;
  }

  slice(start: unknown = undefined, end: unknown = undefined, contentType: unknown = undefined): Blob {
    const size = TypedArrayPrototypeGetByteLength(this.#bytes);
    const from = start === undefined ? 0 : relative(clampLongLong(start), size);
    const to = end === undefined ? size : relative(clampLongLong(end), size);
    const type = contentType === undefined ? '' : normaliseType(toDOMString(contentType));
    return makeBlob(TypedArrayPrototypeSubarray(this.#bytes, from, MathMax(from, to)), type);
  }

  stream(): unknown {
    return blobStream(this.#bytes);
  }

  text(): Promise<string> {
    try {
      return PromiseResolve(decodeWithoutBom(this.#bytes)) as Promise<string>;
    } catch (e) {
      return PromiseReject(e);
    }
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    try {
      return PromiseResolve(toArrayBuffer(this.#bytes)) as Promise<ArrayBuffer>;
    } catch (e) {
      return PromiseReject(e);
    }
  }

  bytes(): Promise<Uint8Array> {
    try {
      return PromiseResolve(new Uint8Array_(toArrayBuffer(this.#bytes))) as Promise<Uint8Array>;
    } catch (e) {
      return PromiseReject(e);
    }
  }

  static {
    blobInternals = {
      isBlob: (v): v is Blob => typeof v === 'object' && v !== null && #bytes in v,
      bytes: (b) => b.#bytes,
      type: (b) => b.#type,
    };
  }
}

/** Runtime-only access to File internals. */
export let fileInternals: { isFile(v: unknown): v is File; name(f: File): string; lastModified(f: File): number };

export class File extends Blob {
  #name: string;
  #lastModified: number;

  constructor(fileBits: unknown, fileName: unknown, options: unknown = undefined) {
    let file = madeFile;
    madeFile = null;
    if (file === null) {
      requireArgs(arguments.length, 2, 'File');
      const parts = toBlobParts(fileBits, 'File');
      const name = toUSVString(fileName);
      const o = toBlobPropertyBag(options, 'File');
      const lastModified = o.dict === null ? undefined : o.dict.lastModified;
      file = { name, lastModified: lastModified === undefined ? clockNow() : toLongLong(lastModified) };
      made = { bytes: processParts(parts, o.native), type: o.type };
    }
    super();
    this.#name = file.name;
    this.#lastModified = file.lastModified;
  }

  get name(): string {
    return this.#name;
  }

  get lastModified(): number {
    return this.#lastModified;
  }

  static {
    fileInternals = {
      isFile: (v): v is File => typeof v === 'object' && v !== null && #name in v,
      name: (f) => f.#name,
      lastModified: (f) => f.#lastModified,
    };
  }
}

/** A Blob holding `bytes` (not copied: the caller gives them up) with a type already normalised. */
export function makeBlob(bytes: Uint8Array, type: string): Blob {
  made = { bytes, type };
  return new Blob();
}

/** A File holding `bytes` (not copied) named `name`, with `type` normalised here. */
export function makeFile(bytes: Uint8Array, name: string, type: string, lastModified: number): File {
  made = { bytes, type: normaliseType(type) };
  madeFile = { name, lastModified };
  return new File(undefined, undefined);
}

/** The File API's type rule: printable ASCII lowercased, anything else the empty string. */
export function normaliseType(t: string): string {
  for (let i = 0; i < t.length; i++) {
    const c = StringPrototypeCharCodeAt(t, i);
    if (c < 0x20 || c > 0x7e) return '';
  }
  return asciiLowercase(t);
}

/** Encoding's "UTF-8 decode": lossy, a leading BOM removed. */
export function decodeWithoutBom(b: Uint8Array): string {
  const bom = TypedArrayPrototypeGetByteLength(b) >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  return utf8Decode(bom ? TypedArrayPrototypeSubarray(b, 3) : b);
}

/** `sequence<BlobPart>`: each element a Blob (its bytes), a BufferSource (copied now) or a USVString. */
function toBlobParts(v: unknown, what: string): Part[] {
  if ((typeof v !== 'object' || v === null) && typeof v !== 'function') throw new TypeError_(`${what}: the parts are not a sequence`);
  const method = (v as Record<PropertyKey, unknown>)[SymbolIterator];
  if (typeof method !== 'function') throw new TypeError_(`${what}: the parts are not iterable`);
  const parts: Part[] = internalList();
  for (const x of { [SymbolIterator]: () => ReflectApply(method, v, []) } as Iterable<unknown>) {
    if (blobInternals.isBlob(x)) listAppend(parts, blobInternals.bytes(x));
    else if (isArrayBuffer(x) || ArrayBufferIsView(x)) listAppend(parts, bytesOfBufferSource(x, true));
    else listAppend(parts, toUSVString(x));
  }
  return parts;
}

/** BlobPropertyBag (and FilePropertyBag's part of it), members read in WebIDL's order: endings, type. */
function toBlobPropertyBag(v: unknown, what: string): { native: boolean; type: string; dict: Record<string, unknown> | null } {
  const dict = toDictionary(v, what);
  if (dict === null) return { native: false, type: '', dict };
  const endings = dict.endings;
  let native = false;
  if (endings !== undefined) {
    const e = toDOMString(endings);
    if (e === 'native') native = true;
    else if (e !== 'transparent') throw new TypeError_(`${what}: '${e}' is not a valid value for endings`);
  }
  const type = dict.type;
  return { native, type: type === undefined ? '' : normaliseType(toDOMString(type)), dict };
}

/** "Process blob parts": strings encoded as UTF-8 (line endings made LF when `native`), all concatenated. */
function processParts(parts: Part[], native: boolean): Uint8Array {
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0]!;
  const chunks: Uint8Array[] = internalList();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    listAppend(chunks, typeof p === 'string' ? utf8Encode(native ? nativeLineEndings(p) : p) : p);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/** CR LF, lone CR and lone LF all become LF, the line ending of the platform the runtime reports (not Windows). */
function nativeLineEndings(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== 0x0d) continue;
    const crlf = i + 1 < s.length && StringPrototypeCharCodeAt(s, i + 1) === 0x0a;
    out += `${StringPrototypeSlice(s, last, i)}\n`;
    last = crlf ? i + 2 : i + 1;
    if (crlf) i++;
  }
  return last === 0 ? s : out + StringPrototypeSlice(s, last);
}

/** A slice bound relative to `size`: negative counts from the end; the result is within [0, size]. */
function relative(n: number, size: number): number {
  return n < 0 ? MathMax(size + n, 0) : MathMin(n, size);
}

/** WebIDL `[Clamp] long long`: NaN is 0, out-of-range values clamp, fractions round half to even. */
function clampLongLong(v: unknown): number {
  const x = toNumber(v);
  if (NumberIsNaN(x)) return 0;
  const limit = 9223372036854775807;
  const c = MathMin(MathMax(x, -limit - 1), limit);
  const f = MathFloor(c);
  const diff = c - f;
  const r = diff > 0.5 || (diff === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return r + 0;
}

/** WebIDL `long long` (no clamp): NaN and infinities are 0, fractions truncated, wrapped modulo 2^64. */
function toLongLong(v: unknown): number {
  const x = toNumber(v);
  if (NumberIsNaN(x) || !NumberIsFinite(x)) return 0;
  let n = MathTrunc(x);
  const two64 = 18446744073709551616;
  if (n >= 9223372036854775808 || n < -9223372036854775808) {
    n %= two64;
    if (n < 0) n += two64;
    if (n >= 9223372036854775808) n -= two64;
  }
  return n + 0;
}

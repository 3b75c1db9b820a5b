/**
 * multipart/form-data: the HTML encoding algorithm (RFC 7578 with HTML's escaping of names
 * and filenames) and a parser following the multipart/form-data parser draft
 * (andreubotella.github.io/multipart-form-data), as Fetch's `formData()` needs. Bodies come
 * from the network: the parser is linear in the input and rejects anything malformed
 * with a TypeError.
 */

import {
  NumberPrototypeToString,
  StringPrototypeCharCodeAt,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  TypeError_,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSubarray,
  Uint8Array_,
  asciiLowercase,
  clockNow,
  randomBytes,
  internalList,
  isToken,
  listAppend,
  trimHttpWhitespace,
  utf8Decode,
  utf8Encode,
  concatBytes,
} from '../kit.ts';
import { blobInternals, fileInternals, makeFile } from './blob.ts';
import { FormData, formDataInternals } from './form-data.ts';
import { parseMimeType } from './mime.ts';

const CR = 0x0d;
const LF = 0x0a;

/** `fd` as multipart/form-data with a random boundary (an upstream must not be able to guess it), and its Content-Type. */
export function serialiseMultipart(fd: FormData): { bytes: Uint8Array; contentType: string } {
  const boundary = randomBoundary();
  const entries = formDataInternals.entries(fd);
  const chunks: Uint8Array[] = internalList();
  let text = '';
  for (let i = 0; i < entries.length; i++) {
    const name = entries[i]![0];
    const value = entries[i]![1];
    text += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(normaliseNewlines(name))}"`;
    if (typeof value === 'string') {
      text += `\r\n\r\n${normaliseNewlines(value)}\r\n`;
      continue;
    }
    const type = blobInternals.type(value);
    text += `; filename="${escapeQuoted(fileInternals.name(value))}"\r\nContent-Type: ${type === '' ? 'application/octet-stream' : type}\r\n\r\n`;
    listAppend(chunks, utf8Encode(text));
    listAppend(chunks, blobInternals.bytes(value));
    text = '\r\n';
  }
  listAppend(chunks, utf8Encode(`${text}--${boundary}--\r\n`));
  return { bytes: concatBytes(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

function randomBoundary(): string {
  const random = randomBytes(12);
  let hex = '';
  for (let i = 0; i < 12; i++) hex += StringPrototypeSlice(NumberPrototypeToString(random[i]! + 0x100, 16), 1);
  return `----AtollFormBoundary${hex}`;
}

/** HTML: CR, LF and CR LF in names and string values all become CR LF. */
function normaliseNewlines(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    if (c !== CR && c !== LF) continue;
    out += `${StringPrototypeSlice(s, last, i)}\r\n`;
    if (c === CR && i + 1 < s.length && StringPrototypeCharCodeAt(s, i + 1) === LF) i++;
    last = i + 1;
  }
  return last === 0 ? s : out + StringPrototypeSlice(s, last);
}

/** HTML's escaping inside the quoted name and filename parameters: LF, CR and '"' percent-encoded. */
function escapeQuoted(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    const esc = c === LF ? '%0A' : c === CR ? '%0D' : c === 0x22 ? '%22' : null;
    if (esc === null) continue;
    out += StringPrototypeSlice(s, last, i) + esc;
    last = i + 1;
  }
  return last === 0 ? s : out + StringPrototypeSlice(s, last);
}

/** The reverse of escapeQuoted, applied to parsed parameters. */
function unescapeQuoted(s: string): string {
  if (StringPrototypeIndexOf(s, '%') < 0) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i + 2 < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) !== 0x25) continue;
    const code = StringPrototypeSlice(s, i + 1, i + 3);
    const ch = code === '0A' ? '\n' : code === '0D' ? '\r' : code === '22' ? '"' : null;
    if (ch === null) continue;
    out += StringPrototypeSlice(s, last, i) + ch;
    last = i + 3;
    i += 2;
  }
  return last === 0 ? s : out + StringPrototypeSlice(s, last);
}


function malformed(why: string): TypeError {
  return new TypeError_(`Could not parse the multipart/form-data body: ${why}`);
}

/** RFC 2046's boundary: 1 to 70 of its characters, not ending in a space. */
function isBoundary(b: string): boolean {
  if (b.length < 1 || b.length > 70 || StringPrototypeCharCodeAt(b, b.length - 1) === 0x20) return false;
  for (let i = 0; i < b.length; i++) {
    const c = StringPrototypeCharCodeAt(b, i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    // ' ( ) + , - . / : = ? _ and space
    if (!alnum && StringPrototypeIndexOf("'()+,-./:=?_ ", StringPrototypeSlice(b, i, i + 1)) < 0) return false;
  }
  return true;
}

/**
 * Where `needle` (which begins with CR and has no other CR) next occurs in `hay` from
 * `from`, or -1. Each comparison stops at the next CR of `hay`, so a search is linear
 * however the input is crafted.
 */
function indexOfDelimiter(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const n = TypedArrayPrototypeGetByteLength(hay);
  const m = TypedArrayPrototypeGetByteLength(needle);
  for (let at = TypedArrayPrototypeIndexOf(hay, CR, from); at >= 0 && at + m <= n; at = TypedArrayPrototypeIndexOf(hay, CR, at + 1)) {
    let j = 1;
    while (j < m && hay[at + j] === needle[j]) j++;
    if (j === m) return at;
  }
  return -1;
}

/** Parses a multipart/form-data `body` whose Content-Type is `contentType` into a FormData. */
export function parseMultipart(body: Uint8Array, contentType: string): FormData {
  const mime = parseMimeType(contentType);
  if (mime === null || mime.essence !== 'multipart/form-data') throw malformed('the Content-Type is not multipart/form-data');
  const boundary = mime.params.boundary;
  if (boundary === undefined || !isBoundary(boundary)) throw malformed('no valid boundary parameter');
  // The delimiter as it appears between parts: CR LF "--" boundary.
  const delimiter = utf8Encode(`\r\n--${boundary}`);
  const dlen = TypedArrayPrototypeGetByteLength(delimiter);
  const n = TypedArrayPrototypeGetByteLength(body);
  const fd = new FormData();
  // A preamble before the first delimiter is ignored (RFC 2046); the first may open the body.
  let pos: number;
  if (startsWith(body, delimiter, 2)) pos = dlen - 2;
  else {
    const first = indexOfDelimiter(body, delimiter, 0);
    if (first < 0) throw malformed('no boundary found');
    pos = first + dlen;
  }
  for (;;) {
    // After a delimiter: "--" closes the body (an epilogue is ignored), CR LF opens a part.
    if (pos + 1 < n && body[pos] === 0x2d && body[pos + 1] === 0x2d) return fd;
    if (!(pos + 1 < n && body[pos] === CR && body[pos + 1] === LF)) throw malformed('expected CR LF after a boundary');
    const part = parseHeaders(body, pos + 2);
    const end = indexOfDelimiter(body, delimiter, part.contentStart);
    if (end < 0) throw malformed('a part is not closed by a boundary');
    const content = TypedArrayPrototypeSubarray(body, part.contentStart, end);
    if (part.filename === null) {
      formDataInternals.append(fd, part.name, utf8Decode(content));
    } else {
      let type = part.contentType ?? 'text/plain';
      for (let i = 0; i < type.length; i++) if (StringPrototypeCharCodeAt(type, i) > 0x7f) type = '';
      // Copied: the File must not share memory with the body it came from.
      formDataInternals.append(fd, part.name, makeFile(new Uint8Array_(content), part.filename, type, clockNow()));
    }
    pos = end + dlen;
  }
}

/** Whether `hay` begins with `needle` less its first `skip` bytes. */
function startsWith(hay: Uint8Array, needle: Uint8Array, skip: number): boolean {
  const m = TypedArrayPrototypeGetByteLength(needle);
  if (m - skip > TypedArrayPrototypeGetByteLength(hay)) return false;
  for (let j = skip; j < m; j++) if (hay[j - skip] !== needle[j]) return false;
  return true;
}

interface PartHeaders {
  name: string;
  filename: string | null;
  contentType: string | null;
  /** Where the part's content starts (after the empty line). */
  contentStart: number;
}

/** The header lines of a part up to the empty line; Content-Disposition (form-data, with a name) is required. */
function parseHeaders(body: Uint8Array, from: number): PartHeaders {
  let name: string | null = null;
  let filename: string | null = null;
  let contentType: string | null = null;
  let pos = from;
  for (;;) {
    const eol = TypedArrayPrototypeIndexOf(body, CR, pos);
    if (eol < 0 || body[eol + 1] !== LF) throw malformed('a header line is not ended by CR LF');
    if (eol === pos) break;
    const line = utf8Decode(TypedArrayPrototypeSubarray(body, pos, eol));
    const colon = StringPrototypeIndexOf(line, ':');
    const header = colon < 0 ? '' : asciiLowercase(StringPrototypeSlice(line, 0, colon));
    if (!isToken(header)) throw malformed('a header line has no valid name');
    const value = trimHttpWhitespace(StringPrototypeSlice(line, colon + 1));
    if (header === 'content-disposition') {
      const d = parseDisposition(value);
      name = d.name;
      filename = d.filename;
    } else if (header === 'content-type') {
      contentType = value;
    }
    pos = eol + 2;
  }
  if (name === null) throw malformed('a part has no Content-Disposition with a name');
  return { name, filename, contentType, contentStart: pos + 2 };
}

/**
 * `form-data; name="..."[; filename="..."]`; quoted values as browsers write them (no
 * backslash escapes), parameters without a value ignored. Each character is looked at a
 * bounded number of times: a header of a million semicolons costs no more than its length.
 */
function parseDisposition(v: string): { name: string; filename: string | null } {
  const n = v.length;
  let pos = StringPrototypeIndexOf(v, ';');
  if (pos < 0) pos = n;
  if (asciiLowercase(trimHttpWhitespace(StringPrototypeSlice(v, 0, pos))) !== 'form-data') throw malformed('a part is not form-data');
  let name: string | null = null;
  let filename: string | null = null;
  while (pos < n) {
    const keyStart = ++pos; // past ';'
    while (pos < n && StringPrototypeCharCodeAt(v, pos) !== 0x3d && StringPrototypeCharCodeAt(v, pos) !== 0x3b) pos++;
    if (pos >= n || StringPrototypeCharCodeAt(v, pos) === 0x3b) continue;
    const key = asciiLowercase(trimHttpWhitespace(StringPrototypeSlice(v, keyStart, pos)));
    pos++; // past '='
    while (pos < n && (StringPrototypeCharCodeAt(v, pos) === 0x20 || StringPrototypeCharCodeAt(v, pos) === 0x09)) pos++;
    let value: string;
    if (pos < n && StringPrototypeCharCodeAt(v, pos) === 0x22) {
      const close = StringPrototypeIndexOf(v, '"', pos + 1);
      if (close < 0) throw malformed('an unterminated quoted parameter');
      value = unescapeQuoted(StringPrototypeSlice(v, pos + 1, close));
      pos = StringPrototypeIndexOf(v, ';', close);
    } else {
      const valueStart = pos;
      pos = StringPrototypeIndexOf(v, ';', pos);
      value = trimHttpWhitespace(StringPrototypeSlice(v, valueStart, pos < 0 ? n : pos));
    }
    if (key === 'name' && name === null) name = value;
    else if (key === 'filename' && filename === null) filename = value;
    if (pos < 0) break;
  }
  if (name === null) throw malformed('a part has no name');
  return { name, filename };
}

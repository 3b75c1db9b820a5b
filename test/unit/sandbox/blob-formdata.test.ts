import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostBridge } from '../../../sandbox/src/bridge.ts';
import { attachHost } from '../../../sandbox/src/host.ts';
import {
  blobBytes,
  createBlob,
  isBlob,
  isFormData,
  parseMultipart,
  parseUrlencodedForm,
  serialiseMultipart,
} from '../../../sandbox/src/web/form-api.ts';
// Evaluating the module registers it with form-api.ts, as the lazy module does in an isolate.
import '../../../sandbox/src/web/form/index.ts';
import { Blob, File } from '../../../sandbox/src/web/form/blob.ts';
import { FormData } from '../../../sandbox/src/web/form/form-data.ts';
import { parseMimeType } from '../../../sandbox/src/web/form/mime.ts';
import * as kitModule from '../../../sandbox/src/web/kit.ts';

beforeAll(() => {
  const unused = () => {
    throw new Error('not used by these tests');
  };
  attachHost({
    log: unused,
    setTimer: unused,
    clearTimer: unused,
    randomBytes: (n) => randomBytes(n).buffer as ArrayBuffer,
    done: unused,
    lazySource: unused,
    call: unused,
    chunk: unused,
    end: unused,
    finished: unused,
  } satisfies HostBridge);
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('Blob', () => {
  it('Blob: concatenates strings (UTF-8), buffers, views and Blobs in order', async () => {
    const buf = new Uint8Array([1, 2, 3, 4]);
    const b = new Blob(['é', buf.buffer, new DataView(buf.buffer, 1, 2), new Blob(['!'])]);
    expect(b.size).toBe(9);
    expect([...(await b.bytes())]).toEqual([0xc3, 0xa9, 1, 2, 3, 4, 2, 3, 0x21]);
  });
  it('Blob: buffer parts are copied when the Blob is made', async () => {
    const u = new Uint8Array([1, 2]);
    const b = new Blob([u]);
    u[0] = 9;
    expect([...new Uint8Array(await b.arrayBuffer())]).toEqual([1, 2]);
  });
  it('Blob: lone surrogates in string parts become U+FFFD', async () => {
    expect(await new Blob(['a\ud800b']).text()).toBe('a\ufffdb');
  });
  it('Blob: type is lowercased, and empty when not printable ASCII', () => {
    expect(new Blob([], { type: 'Text/HTML;Charset=UTF-8' }).type).toBe('text/html;charset=utf-8');
    expect(new Blob([], { type: 'text/plain\n' }).type).toBe('');
    expect(new Blob([], { type: 'tëxt/plain' }).type).toBe('');
  });
  it('Blob: endings "native" turns CR LF, CR and LF into LF; "transparent" leaves them; anything else is a TypeError', async () => {
    expect(await new Blob(['a\r\nb\rc\nd'], { endings: 'native' }).text()).toBe('a\nb\nc\nd');
    expect(await new Blob(['a\r\nb'], { endings: 'transparent' }).text()).toBe('a\r\nb');
    expect(() => new Blob([], { endings: 'unix' as never })).toThrow(TypeError);
  });
  it('Blob: the parts must be a sequence; a string or a non-object options bag is a TypeError', () => {
    expect(() => new Blob('abc' as never)).toThrow(TypeError);
    expect(() => new Blob([], 5 as never)).toThrow(TypeError);
    expect(() => new Blob([Symbol('x')] as never)).toThrow(TypeError);
    expect(new Blob(new Set(['a', 'b'])).size).toBe(2);
  });
  it('Blob: slice with negative start counts from the end', async () => {
    const b = new Blob(['hello world']);
    expect(await b.slice(-5).text()).toBe('world');
    expect(await b.slice(0, -6).text()).toBe('hello');
    expect(await b.slice(-100, 2).text()).toBe('he');
  });
  it('Blob: slice clamps out-of-range bounds and gives an empty Blob when end is before start', async () => {
    const b = new Blob(['hello']);
    expect(await b.slice(2, 100).text()).toBe('llo');
    expect(b.slice(4, 1).size).toBe(0);
    expect(b.slice(NaN, Infinity).size).toBe(5);
    expect(b.slice(1.5, 3.5).size).toBe(2);
  });
  it('Blob: slice takes a content type and otherwise has none; the result is a Blob, not a File', () => {
    const f = new File(['abc'], 'a.txt', { type: 'text/plain' });
    expect(f.slice(0, 1).type).toBe('');
    expect(f.slice(0, 1, 'Image/PNG').type).toBe('image/png');
    expect(f.slice()).not.toBeInstanceOf(File);
  });
  it('Blob: text() strips a UTF-8 BOM and decodes lossily', async () => {
    expect(await new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff])]).text()).toBe('a\ufffd');
  });
  it('Blob: read methods on a non-Blob reject rather than throw', async () => {
    const text = Blob.prototype.text;
    await expect(text.call({})).rejects.toThrow(TypeError);
    await expect(Blob.prototype.arrayBuffer.call({})).rejects.toThrow(TypeError);
  });
});

describe('File', () => {
  it('File: name, type and lastModified from the options', () => {
    const f = new File(['x'], 'a/b.txt', { type: 'Text/Plain', lastModified: 42 });
    expect([f.name, f.type, f.lastModified, f.size]).toEqual(['a/b.txt', 'text/plain', 42, 1]);
    expect(f).toBeInstanceOf(Blob);
  });
  it('File: lastModified defaults to the runtime clock and is a WebIDL long long', () => {
    expect(typeof new File([], 'x').lastModified).toBe('number');
    expect(new File([], 'x', { lastModified: 1.9 }).lastModified).toBe(1);
    expect(new File([], 'x', { lastModified: -1.9 }).lastModified).toBe(-1);
    expect(new File([], 'x', { lastModified: NaN }).lastModified).toBe(0);
  });
  it('File: both the bits and the name are required', () => {
    expect(() => new (File as unknown as new (a: unknown) => File)([])).toThrow(TypeError);
  });
});

describe('FormData', () => {
  it('FormData: append, get, getAll, has and delete by name, in order', () => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    fd.append('a', '3');
    expect([fd.get('a'), fd.getAll('a'), fd.has('b'), fd.get('zz')]).toEqual(['1', ['1', '3'], true, null]);
    fd.delete('a');
    expect([...fd]).toEqual([['b', '2']]);
  });
  it('FormData: set replaces the first entry of a name and removes the others, or appends', () => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    fd.append('a', '3');
    fd.set('a', 'x');
    fd.set('c', 'y');
    expect([...fd.entries()]).toEqual([['a', 'x'], ['b', '2'], ['c', 'y']]);
  });
  it('FormData: a Blob value becomes a File named "blob"; a filename renames a File', async () => {
    const fd = new FormData();
    fd.append('b', new Blob(['z'], { type: 'text/x' }));
    const original = new File(['q'], 'orig.txt', { lastModified: 5 });
    fd.append('f', original, 'renamed.txt');
    fd.append('same', original);
    const b = fd.get('b') as File;
    const f = fd.get('f') as File;
    expect(b).toBeInstanceOf(File);
    expect([b.name, b.type, await b.text()]).toEqual(['blob', 'text/x', 'z']);
    expect([f.name, f.lastModified, await f.text()]).toEqual(['renamed.txt', 5, 'q']);
    expect(fd.get('same')).toBe(original);
  });
  it('FormData: three arguments need a Blob; values and names become scalar value strings', () => {
    const fd = new FormData();
    expect(() => fd.append('a', 'text', 'name.txt')).toThrow(TypeError);
    fd.append('n\ud800', 5 as never);
    expect([...fd]).toEqual([['n\ufffd', '5']]);
    expect(() => (fd.append as (n: string) => void)('only')).toThrow(TypeError);
  });
  it('FormData: keys, values, forEach and the iterator prototype', () => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    expect([...fd.keys()]).toEqual(['a', 'b']);
    expect([...fd.values()]).toEqual(['1', '2']);
    const seen: unknown[] = [];
    fd.forEach(function (this: unknown, v, k, self) {
      seen.push([k, v, self === fd, this]);
    }, 'ctx');
    expect(seen).toEqual([['a', '1', true, 'ctx'], ['b', '2', true, 'ctx']]);
    const it = fd.entries();
    expect(Object.prototype.toString.call(it)).toBe('[object FormData Iterator]');
    expect(fd[Symbol.iterator]).toBe(fd.entries);
  });
  it('FormData: a form element argument is a TypeError (there are none here)', () => {
    expect(() => new FormData({} as never)).toThrow(TypeError);
    expect(() => new FormData(undefined)).not.toThrow();
  });
});

describe('multipart/form-data', () => {
  it('multipart: serialise then parse gives the same entries, files with their name, type and bytes', async () => {
    const fd = new FormData();
    fd.append('text', 'héllo wörld');
    fd.append('file', new File([new Uint8Array([0, 1, 2, 255])], 'résumé 📄.bin', { type: 'application/x-thing' }));
    fd.append('empty', new File([], 'e.txt'));
    fd.append('text', 'second');
    const { bytes, contentType } = serialiseMultipart(fd);
    const back = parseMultipart(bytes, contentType);
    expect([...back.keys()]).toEqual(['text', 'file', 'empty', 'text']);
    expect(back.getAll('text')).toEqual(['héllo wörld', 'second']);
    const file = back.get('file') as File;
    expect([file.name, file.type, [...(await file.bytes())]]).toEqual(['résumé 📄.bin', 'application/x-thing', [0, 1, 2, 255]]);
    const empty = back.get('empty') as File;
    // An empty type goes out as application/octet-stream and comes back as such.
    expect([empty.name, empty.size, empty.type]).toEqual(['e.txt', 0, 'application/octet-stream']);
  });
  it('multipart: the boundary is random and named in the Content-Type', () => {
    const fd = new FormData();
    fd.append('a', '1');
    const one = serialiseMultipart(fd);
    const two = serialiseMultipart(fd);
    expect(one.contentType).toMatch(/^multipart\/form-data; boundary=[-A-Za-z0-9]{27,70}$/);
    expect(one.contentType).not.toBe(two.contentType);
    const boundary = one.contentType.split('boundary=')[1];
    expect(dec(one.bytes)).toBe(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`);
  });
  it('multipart: names and filenames escape LF, CR and quotes; string values get CR LF line breaks', async () => {
    const fd = new FormData();
    fd.append('a"b\nc', 'x\ny\rz\r\nw');
    fd.append('f', new File(['1'], 'q"\r\n.txt'));
    const { bytes, contentType } = serialiseMultipart(fd);
    const text = dec(bytes);
    expect(text).toContain('name="a%22b%0D%0Ac"\r\n\r\nx\r\ny\r\nz\r\nw\r\n');
    expect(text).toContain('name="f"; filename="q%22%0D%0A.txt"\r\nContent-Type: application/octet-stream\r\n');
    const back = parseMultipart(bytes, contentType);
    expect([...back.keys()]).toEqual(['a"b\r\nc', 'f']);
    expect((back.get('f') as File).name).toBe('q"\r\n.txt');
  });
  it('multipart: parses a quoted boundary, a preamble and an epilogue; a file without Content-Type is text/plain', async () => {
    const body = enc(
      'preamble\r\n--AaB03x\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n' +
      '--AaB03x\r\ncontent-disposition: form-data; name="up"; filename="a.txt"\r\n\r\nfile body\r\n--AaB03x--\r\nepilogue',
    );
    const fd = parseMultipart(body, 'multipart/form-data; boundary="AaB03x"');
    expect(fd.get('field')).toBe('value');
    const up = fd.get('up') as File;
    expect([up.name, up.type, await up.text()]).toEqual(['a.txt', 'text/plain', 'file body']);
  });
  it('multipart: a string value is decoded without stripping a BOM; an unquoted name is accepted', () => {
    const body = enc('--b\r\nContent-Disposition: form-data; name=plain\r\n\r\n\ufeffv\r\n--b--\r\n');
    expect(parseMultipart(body, 'multipart/form-data;boundary=b').get('plain')).toBe('\ufeffv');
  });
  it('multipart: a body containing the boundary text without a preceding CR LF keeps it as content', () => {
    const body = enc('--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nA--bB\r\n--b--');
    expect(parseMultipart(body, 'multipart/form-data; boundary=b').get('x')).toBe('A--bB');
  });
  it('multipart: malformed bodies are TypeErrors', () => {
    const ct = 'multipart/form-data; boundary=b';
    const bad = [
      '', // no boundary at all
      '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nno closing delimiter',
      '--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--', // no Content-Disposition
      '--b\r\nContent-Disposition: attachment; name="x"\r\n\r\nv\r\n--b--',
      '--b\r\nContent-Disposition: form-data; filename="f"\r\n\r\nv\r\n--b--', // no name
      '--b\r\nContent-Disposition: form-data; name="x\r\n\r\nv\r\n--b--', // unterminated quote
      '--bxyz\r\n', // junk after the delimiter
      '--b\r\nno colon here\r\n\r\nv\r\n--b--',
    ];
    for (const b of bad) expect(() => parseMultipart(enc(b), ct), JSON.stringify(b)).toThrow(TypeError);
  });
  it('multipart: the Content-Type must be multipart/form-data with a valid boundary', () => {
    const body = enc('--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--b--');
    for (const ct of ['multipart/form-data', 'text/plain; boundary=b', 'multipart/form-data; boundary=', `multipart/form-data; boundary=${'a'.repeat(71)}`, 'nonsense']) {
      expect(() => parseMultipart(body, ct), ct).toThrow(TypeError);
    }
  });
  it('multipart: parameters without a value are ignored, however many', () => {
    const body = enc(`--b\r\nContent-Disposition: form-data;${';x'.repeat(200000)}; name="n"\r\n\r\nv\r\n--b--`);
    expect(parseMultipart(body, 'multipart/form-data; boundary=b').get('n')).toBe('v');
  });
  it('multipart: near-delimiters (CR LF "--" and the boundary less its last character) stay content', () => {
    const boundary = 'x'.repeat(70);
    const near = `\r\n--${'x'.repeat(69)}`;
    const body = enc(`--${boundary}\r\nContent-Disposition: form-data; name="n"\r\n\r\n${near.repeat(1000)}\r\n--${boundary}--`);
    expect(parseMultipart(body, `multipart/form-data; boundary=${boundary}`).get('n')).toBe(near.repeat(1000));
  });
});

describe('urlencoded forms and MIME types', () => {
  it('parseUrlencodedForm: pairs, plus signs and percent escapes, UTF-8', () => {
    const fd = parseUrlencodedForm(enc('a=1&b=x+y&c=%C3%A9&a=2&&d'));
    expect([...fd]).toEqual([['a', '1'], ['b', 'x y'], ['c', 'é'], ['a', '2'], ['d', '']]);
  });
  it('parseMimeType: essence lowercased, parameters by lowercased name, quoted values unescaped, first wins', () => {
    const m = parseMimeType(' Multipart/Form-Data ; Boundary="a\\"b" ; boundary=second; charset=UTF-8 ')!;
    expect(m.essence).toBe('multipart/form-data');
    expect({ ...m.params }).toEqual({ boundary: 'a"b', charset: 'UTF-8' });
    expect(parseMimeType('text')).toBe(null);
    expect(parseMimeType('text/ plain')).toBe(null);
    expect(parseMimeType('/plain')).toBe(null);
  });
});

describe('the internal API for bodies', () => {
  it('kit: the object lazy modules get has exactly the named exports their files import, frozen, without a prototype', () => {
    const kit = kitModule.kit();
    const named = Object.keys(kitModule).filter((k) => k !== 'kit');
    expect(Object.keys(kit).sort()).toEqual(named.sort());
    for (const k of named) expect(kit[k], k).toBe((kitModule as Record<string, unknown>)[k]);
    expect(Object.getPrototypeOf(kit)).toBe(null);
    expect(Object.isFrozen(kit)).toBe(true);
  });
  it('form-api: isBlob, blobBytes, createBlob and isFormData recognise only this runtime\'s objects', async () => {
    const b = createBlob(new Uint8Array([7, 8]), 'Application/JSON');
    expect(isBlob(b)).toBe(true);
    expect(b.type).toBe('application/json');
    expect([...blobBytes(b)]).toEqual([7, 8]);
    expect(isBlob({ size: 1, type: '' })).toBe(false);
    expect(() => blobBytes({})).toThrow(TypeError);
    expect(isFormData(new FormData())).toBe(true);
    expect(isFormData(new Map())).toBe(false);
    expect(() => serialiseMultipart({} as FormData)).toThrow(TypeError);
  });
});

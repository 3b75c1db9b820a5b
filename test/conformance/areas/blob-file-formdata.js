/**
 * File API (Blob, File) and XHR's FormData, with the Fetch body pieces that use them:
 * blob parts and type normalisation, slice, the read methods, File's name and
 * lastModified, FormData's list operations and Blob-to-File conversion, multipart and
 * urlencoded formData() parsing, blob() bodies.
 */
import { area } from '../harness.js';

const bytes = async (blob) => new Uint8Array(await blob.arrayBuffer());
const MULTIPART = '--B\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n';

export default area('blob-file-formdata', (test) => {
  test('Blob: defaults', async (t) => {
    const b = new Blob();
    t.equal(b.size, 0, 'size');
    t.equal(b.type, '', 'type');
    t.equal(await b.text(), '', 'text');
  });

  test('Blob: parts of every kind are concatenated', async (t) => {
    const buffer = new Uint8Array([0x30, 0x31, 0x32, 0x33]).buffer;
    const b = new Blob(['a\u00e9', buffer, new Uint8Array(buffer, 1, 2), new DataView(buffer, 3, 1), new Blob(['z']), 7]);
    t.equal(b.size, 3 + 4 + 2 + 1 + 1 + 1, 'size');
    t.equal(await b.text(), 'a\u00e90123123z7', 'content');
  });

  test('Blob: string parts are UTF-8 encoded with lone surrogates replaced', async (t) => {
    t.deepEqual(await bytes(new Blob(['\ud800'])), new Uint8Array([0xef, 0xbf, 0xbd]));
  });

  test('Blob: parts are copied at construction', async (t) => {
    const u8 = new Uint8Array([1, 2]);
    const b = new Blob([u8]);
    u8[0] = 9;
    t.deepEqual(await bytes(b), new Uint8Array([1, 2]));
  });

  test('Blob: the parts argument must be a sequence', (t) => {
    t.throws(() => new Blob('abc'), 'TypeError', 'a string');
    t.throws(() => new Blob({}), 'TypeError', 'a plain object');
    t.throws(() => new Blob(null), 'TypeError', 'null');
    t.equal(new Blob(undefined).size, 0, 'undefined');
    t.throws(() => new Blob([], { endings: 'other' }), 'TypeError', 'invalid endings');
  });

  for (const [type, expected] of [['text/plain', 'text/plain'], ['TEXT/Plain;Charset=UTF-8', 'text/plain;charset=utf-8'], ['anything', 'anything'], ['caf\u00e9', ''], ['a\u0019b', ''], ['a\u007fb', ''], ['', '']]) {
    test(`Blob: type ${JSON.stringify(type)} becomes ${JSON.stringify(expected)}`, (t) => t.equal(new Blob([], { type }).type, expected));
  }

  for (const [start, end, expected] of [[undefined, undefined, 'abcdef'], [1, undefined, 'bcdef'], [1, 3, 'bc'], [-2, undefined, 'ef'], [-4, -1, 'cde'], [4, 2, ''], [0, 100, 'abcdef'], [100, 200, ''], [-100, 2, 'ab']]) {
    test(`Blob: slice(${start}, ${end})`, async (t) => {
      const s = new Blob(['abc', 'def']).slice(start, end);
      t.equal(await s.text(), expected, 'content');
      t.equal(s.size, expected.length, 'size');
    });
  }

  test('Blob: slice with a content type, which is not lowercased', (t) => {
    const b = new Blob(['x'], { type: 'text/plain' });
    t.equal(b.slice().type, '', 'no type argument gives no type');
    t.equal(b.slice(0, 1, 'TEXT/HTML').type, 'text/html', 'lowercased');
    t.equal(b.slice(0, 1, '\u00e9').type, '', 'non-ASCII dropped');
  });

  test('Blob: arrayBuffer, bytes, text and stream', async (t) => {
    const b = new Blob([new Uint8Array([0xe2, 0x82, 0xac, 0xff])]);
    t.equal((await b.arrayBuffer()).byteLength, 4, 'arrayBuffer');
    t.deepEqual(await b.bytes(), new Uint8Array([0xe2, 0x82, 0xac, 0xff]), 'bytes');
    t.equal(await b.text(), '\u20ac\ufffd', 'text decodes lossily');
    const reader = b.stream().getReader();
    const chunks = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(...value);
    }
    t.deepEqual(chunks, [0xe2, 0x82, 0xac, 0xff], 'stream');
  });

  test('Blob: structuredClone keeps content and type', async (t) => {
    const c = structuredClone(new Blob(['data'], { type: 'text/x' }));
    t.ok(c instanceof Blob, 'a Blob');
    t.equal(c.type, 'text/x', 'type');
    t.equal(await c.text(), 'data', 'content');
  });

  test('File: name, type, size, lastModified', async (t) => {
    const f = new File(['abc'], 'name.txt', { type: 'Text/Plain', lastModified: 42 });
    t.ok(f instanceof Blob, 'a Blob');
    t.equal(f.name, 'name.txt', 'name');
    t.equal(f.type, 'text/plain', 'type');
    t.equal(f.size, 3, 'size');
    t.equal(f.lastModified, 42, 'lastModified');
    t.equal(await f.text(), 'abc', 'content');
    t.equal(new File([], 'a/b:c').name, 'a/b:c', 'the name is kept as given');
  });

  test('File: lastModified defaults to now; two arguments are required', (t) => {
    const before = Date.now();
    const f = new File([], 'x');
    t.ok(typeof f.lastModified === 'number' && f.lastModified >= before - 1000 && f.lastModified <= Date.now() + 1000, 'about now');
    t.throws(() => new File(['x']), 'TypeError', 'no name');
    t.equal(Object.prototype.toString.call(f), '[object File]', 'toStringTag');
  });

  test('FormData: append, get, getAll, has, delete', (t) => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    fd.append('a', '3');
    t.equal(fd.get('a'), '1', 'get gives the first');
    t.deepEqual(fd.getAll('a'), ['1', '3'], 'getAll');
    t.equal(fd.get('missing'), null, 'missing');
    t.equal(fd.has('b'), true, 'has');
    fd.delete('a');
    t.deepEqual([...fd], [['b', '2']], 'delete removes all');
  });

  test('FormData: set replaces the first in place and removes the rest', (t) => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    fd.append('a', '3');
    fd.set('a', 'x');
    t.deepEqual([...fd], [['a', 'x'], ['b', '2']], 'replaced');
    fd.set('c', 'y');
    t.deepEqual([...fd.keys()], ['a', 'b', 'c'], 'appended when absent');
  });

  test('FormData: values are USVStrings', (t) => {
    const fd = new FormData();
    fd.append('n', 1);
    fd.append('\ud800', '\udc00');
    t.equal(fd.get('n'), '1', 'number');
    t.deepEqual([...fd][1], ['\ufffd', '\ufffd'], 'lone surrogates replaced');
  });

  test('FormData: a Blob value becomes a File', async (t) => {
    const fd = new FormData();
    fd.append('blob', new Blob(['x'], { type: 'text/plain' }));
    fd.append('named', new Blob(['y']), 'y.bin');
    fd.append('file', new File(['z'], 'orig.txt'), 'renamed.txt');
    fd.append('keep', new File(['w'], 'kept.txt', { lastModified: 7 }));
    const blob = fd.get('blob');
    t.ok(blob instanceof File, 'a File');
    t.equal(blob.name, 'blob', 'default name');
    t.equal(blob.type, 'text/plain', 'type kept');
    t.equal(fd.get('named').name, 'y.bin', 'given filename');
    t.equal(fd.get('file').name, 'renamed.txt', 'filename overrides a File name');
    t.equal(await fd.get('file').text(), 'z', 'content');
    t.equal(fd.get('keep').name, 'kept.txt', 'a File keeps its name');
    t.equal(fd.get('keep').lastModified, 7, 'and lastModified');
  });

  test('FormData: a filename with a string value is a TypeError', (t) => {
    t.throws(() => new FormData().append('a', 'x', 'name.txt'), 'TypeError', 'append');
    t.throws(() => new FormData().set('a', 'x', 'name.txt'), 'TypeError', 'set');
  });

  test('FormData: iteration and forEach', (t) => {
    const fd = new FormData();
    fd.append('a', '1');
    fd.append('b', '2');
    t.deepEqual([...fd.entries()], [['a', '1'], ['b', '2']], 'entries in insertion order');
    t.deepEqual([...fd.values()], ['1', '2'], 'values');
    const seen = [];
    fd.forEach((v, k, obj) => seen.push([k, v, obj === fd]));
    t.deepEqual(seen, [['a', '1', true], ['b', '2', true]], 'forEach');
    t.equal(Object.prototype.toString.call(fd), '[object FormData]', 'toStringTag');
  });

  test('Fetch bodies: FormData serialises as multipart/form-data and parses back', async (t) => {
    const fd = new FormData();
    fd.append('text', 'h\u00e9llo\r\nworld');
    fd.append('file', new File(['file body'], 'f.txt', { type: 'text/plain' }));
    const r = new Response(fd);
    const type = r.headers.get('content-type');
    t.ok(/^multipart\/form-data; boundary=.+/.test(type), 'content type with a boundary');
    const back = await r.formData();
    t.equal(back.get('text'), 'h\u00e9llo\r\nworld', 'text field');
    const file = back.get('file');
    t.ok(file instanceof File, 'a File');
    t.equal(file.name, 'f.txt', 'file name');
    t.equal(file.type, 'text/plain', 'file type');
    t.equal(await file.text(), 'file body', 'file content');
  });

  test('Fetch bodies: formData() parses a hand-written multipart body', async (t) => {
    const r = new Response(MULTIPART, { headers: { 'content-type': 'multipart/form-data; boundary=B' } });
    const fd = await r.formData();
    t.equal(fd.get('field'), 'value', 'field');
    const file = fd.get('file');
    t.equal(file.name, 'a.txt', 'filename');
    t.equal(file.type, 'text/plain', 'type');
    t.equal(await file.text(), 'hello', 'content');
  });

  test('Fetch bodies: formData() of a Request', async (t) => {
    const r = new Request('http://example.com/', { method: 'POST', body: MULTIPART, headers: { 'content-type': 'multipart/form-data; boundary="B"' } });
    t.equal((await r.formData()).get('field'), 'value');
  });

  test('Fetch bodies: formData() parses application/x-www-form-urlencoded', async (t) => {
    const fd = await new Response('a=1&b=x+y&a=%E2%82%AC', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();
    t.deepEqual([...fd], [['a', '1'], ['b', 'x y'], ['a', '\u20ac']]);
  });

  test('Fetch bodies: formData() rejects other content types and malformed multipart', async (t) => {
    await t.rejects(() => new Response('a=1').formData(), 'TypeError', 'text/plain');
    await t.rejects(() => new Response('a=1', { headers: { 'content-type': 'application/json' } }).formData(), 'TypeError', 'application/json');
    await t.rejects(() => new Response('garbage', { headers: { 'content-type': 'multipart/form-data; boundary=B' } }).formData(), 'TypeError', 'no parts');
  });

  test('Fetch bodies: a Blob body and blob()', async (t) => {
    const r = new Response(new Blob(['<p>'], { type: 'text/html' }));
    t.equal(r.headers.get('content-type'), 'text/html', 'content type from the Blob');
    const b = await r.blob();
    t.ok(b instanceof Blob, 'a Blob');
    t.equal(b.type, 'text/html', 'type from the header');
    t.equal(await b.text(), '<p>', 'content');
    t.equal(new Response(new Blob(['x'])).headers.get('content-type'), null, 'an untyped Blob sets none');
    t.equal((await new Response('x', { headers: { 'content-type': 'Text/Plain' } }).blob()).type, 'text/plain', 'blob type is lowercased');
  });
});

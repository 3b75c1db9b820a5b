/**
 * WHATWG URLPattern: construction from a string, a base URL or a dictionary; named
 * groups, custom regular expressions, modifiers (?, +, *), wildcards; test() and exec()
 * on strings and dictionaries; component getters; ignoreCase; invalid patterns.
 */
import { area } from '../harness.js';

/** [pattern, input, expected pathname groups, or null for no match]. */
const PATHS = [
  ['/books/:id', '/books/123', { id: '123' }],
  ['/books/:id', '/books/', null],
  ['/books/:id', '/books/1/2', null],
  ['/books/:id(\\d+)', '/books/42', { id: '42' }],
  ['/books/:id(\\d+)', '/books/abc', null],
  ['/books/:id?', '/books', { id: undefined }],
  ['/books/:id?', '/books/7', { id: '7' }],
  ['/files/:path+', '/files/a/b/c', { path: 'a/b/c' }],
  ['/files/:path+', '/files', null],
  ['/files/:path*', '/files', { path: undefined }],
  ['/files/*', '/files/x/y', { 0: 'x/y' }],
  ['/:a-:b', '/x-y', { a: 'x', b: 'y' }],
  ['/:a.:b', '/file.txt', { a: 'file', b: 'txt' }],
  ['/(foo|bar)', '/bar', { 0: 'bar' }],
  ['/(foo|bar)', '/baz', null],
  ['/api{/v:version}?/items', '/api/items', { version: undefined }],
  ['/api{/v:version}?/items', '/api/v2/items', { version: '2' }],
  ['/caf\u00e9', '/caf%C3%A9', {}],
  ['/a\\:b', '/a:b', {}],
  ['/*.png', '/img/x.png', { 0: 'img/x' }],
];

export default area('urlpattern', (test) => {
  for (const [pathname, input, groups] of PATHS) {
    test(`URLPattern: pathname ${JSON.stringify(pathname)} against ${JSON.stringify(input)}`, (t) => {
      const p = new URLPattern({ pathname });
      const url = `https://example.com${input}`;
      t.equal(p.test(url), groups !== null, 'test');
      const result = p.exec(url);
      if (groups === null) t.equal(result, null, 'exec');
      else t.deepEqual({ ...result.pathname.groups }, groups, 'groups');
    });
  }

  test('URLPattern: a string pattern with host and path', (t) => {
    const p = new URLPattern('https://:sub.example.com/books/:id');
    t.equal(p.test('https://www.example.com/books/1'), true, 'match');
    t.equal(p.test('http://www.example.com/books/1'), false, 'other protocol');
    t.equal(p.test('https://example.com/books/1'), false, 'no subdomain');
    const r = p.exec('https://shop.example.com/books/9?x=1#top');
    t.equal(r.hostname.groups.sub, 'shop', 'hostname group');
    t.equal(r.pathname.groups.id, '9', 'pathname group');
    t.equal(r.search.input, 'x=1', 'search input');
    t.equal(r.hash.input, 'top', 'hash input');
  });

  test('URLPattern: component getters of a string pattern', (t) => {
    const p = new URLPattern('https://example.com/books/:id');
    t.equal(p.protocol, 'https', 'protocol');
    t.equal(p.username, '*', 'username');
    t.equal(p.password, '*', 'password');
    t.equal(p.hostname, 'example.com', 'hostname');
    t.equal(p.port, '', 'port');
    t.equal(p.pathname, '/books/:id', 'pathname');
    t.equal(p.search, '*', 'search');
    t.equal(p.hash, '*', 'hash');
  });

  test('URLPattern: a dictionary leaves other components as wildcards', (t) => {
    const p = new URLPattern({ pathname: '/x' });
    t.equal(p.protocol, '*', 'protocol');
    t.equal(p.hostname, '*', 'hostname');
    t.equal(p.test('ftp://any.host:99/x?q#h'), true, 'anything else matches');
  });

  test('URLPattern: a relative pattern with a base URL', (t) => {
    const p = new URLPattern('/books/:id', 'https://example.com');
    t.equal(p.hostname, 'example.com', 'hostname from the base');
    t.equal(p.test('https://example.com/books/5'), true, 'match');
    t.equal(p.test('https://other.com/books/5'), false, 'other host');
    t.throws(() => new URLPattern('/books/:id'), 'TypeError', 'a relative string without a base');
  });

  test('URLPattern: test and exec with a dictionary or a base URL', (t) => {
    const p = new URLPattern({ pathname: '/users/:name' });
    t.equal(p.test({ pathname: '/users/ann' }), true, 'dictionary input');
    t.equal(p.exec({ pathname: '/users/bob' }).pathname.groups.name, 'bob', 'exec with a dictionary');
    t.equal(p.test('/users/cy', 'https://example.com'), true, 'relative input with a base');
    const { inputs } = p.exec({ pathname: '/users/dee' });
    t.deepEqual([inputs.length, inputs[0].pathname], [1, '/users/dee'], 'inputs');
  });

  test('URLPattern: default ports are normalised away', (t) => {
    const p = new URLPattern({ protocol: 'https', port: '443' });
    t.equal(p.port, '', 'port');
    t.equal(p.test('https://example.com/'), true, 'matches the default port');
    t.equal(new URLPattern({ port: '8080' }).test('http://x:8080/'), true, 'explicit port');
  });

  test('URLPattern: search and hash patterns', (t) => {
    const p = new URLPattern({ search: 'q=:term', hash: 'sec-*' });
    const r = p.exec('https://x/?q=cats#sec-2');
    t.equal(r.search.groups.term, 'cats', 'search group');
    t.equal(r.hash.groups['0'], '2', 'hash wildcard');
    t.equal(p.test('https://x/?q=cats#other'), false, 'hash mismatch');
  });

  test('URLPattern: ignoreCase', (t) => {
    t.equal(new URLPattern({ pathname: '/About' }).test('https://x/about'), false, 'case-sensitive by default');
    t.equal(new URLPattern({ pathname: '/About' }, { ignoreCase: true }).test('https://x/about'), true, 'ignoreCase');
    t.equal(new URLPattern('https://x/About', { ignoreCase: true }).test('https://x/ABOUT'), true, 'string with options');
  });

  test('URLPattern: the hostname is matched in its canonical form', (t) => {
    t.equal(new URLPattern({ hostname: 'EXAMPLE.com' }).hostname, 'example.com', 'lowercased');
    t.equal(new URLPattern({ hostname: 'example.com' }).test('https://EXAMPLE.COM/'), true, 'input canonicalised');
  });

  test('URLPattern: invalid patterns are TypeErrors', (t) => {
    t.throws(() => new URLPattern({ pathname: '/(' }), 'TypeError', 'unbalanced group');
    t.throws(() => new URLPattern({ pathname: '/:id(' }), 'TypeError', 'unterminated regexp');
    t.throws(() => new URLPattern({ pathname: '/(a(b))' }), 'TypeError', 'a capturing group inside a regexp group');
    t.throws(() => new URLPattern({ pathname: '/(?:a)' }), 'TypeError', 'a regexp group starting with "?"');
    t.equal(new URLPattern({ pathname: '/(a(?:b))' }).test('https://x/ab'), true, 'a non-capturing group inside is fine');
    t.throws(() => new URLPattern({ pathname: '/:a/:a' }), 'TypeError', 'duplicate group name');
    t.throws(() => new URLPattern({ pathname: '/(.*)', unknown: 'x', protocol: 'ht tp' }), 'TypeError', 'an invalid protocol');
  });

  test('URLPattern: an invalid input URL does not match', (t) => {
    t.equal(new URLPattern({ pathname: '/*' }).exec('https://[::1'), null);
  });

  test('URLPattern: WebIDL shape', (t) => {
    t.throws(() => URLPattern({}), 'TypeError', 'call without new');
    t.equal(typeof Object.getOwnPropertyDescriptor(URLPattern.prototype, 'pathname').get, 'function', 'pathname is an accessor');
  });
});

/**
 * The URL interface beyond parsing: the setters (the URL Standard's state overrides, rows
 * in the setters-tests style [href, new value, expected components]), URL.parse/canParse,
 * the searchParams link, stringification and the WebIDL shape.
 */
import { area } from '../harness.js';

const ALL_ASCII = '\u0000\u0001\t\n\r\u001f !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~\u007f\u0080\u0081\u00c9\u00e9';

const SETTERS = {
  protocol: [
    ['a://example.net', '', { href: 'a://example.net' }],
    ['a://example.net', 'b', { href: 'b://example.net', protocol: 'b:' }],
    ['javascript:alert(1)', 'defuse', { href: 'defuse:alert(1)' }],
    ['a://example.net', 'B', { href: 'b://example.net' }],
    ['a://example.net', '\u00e9', { href: 'a://example.net' }],
    ['a://example.net', '0b', { href: 'a://example.net' }],
    ['a://example.net', '+b', { href: 'a://example.net' }],
    ['a://example.net', 'bC0+-.', { href: 'bc0+-.://example.net' }],
    ['a://example.net', 'b,c', { href: 'a://example.net' }],
    ['http://test@example.net', 'file', { href: 'http://test@example.net/' }],
    ['https://example.net:1234', 'file', { href: 'https://example.net:1234/' }],
    ['file://localhost/', 'http', { href: 'file:///' }],
    ['file:///test', 'https', { href: 'file:///test' }],
    ['http://example.net', 'b', { href: 'http://example.net/' }],
    ['mailto:me@example.net', 'http', { href: 'mailto:me@example.net' }],
    ['ssh://me@example.net', 'http', { href: 'ssh://me@example.net' }],
    ['ssh://me@example.net', 'file', { href: 'ssh://me@example.net' }],
    ['nonsense:///test', 'https', { href: 'nonsense:///test' }],
    ['http://example.net', 'https:foo : bar', { href: 'https://example.net/' }],
    ['data:text/html,<p>Test', 'view-source+data:foo : bar', { href: 'view-source+data:text/html,<p>Test' }],
    ['http://foo.com:443/', 'https', { href: 'https://foo.com/', port: '' }],
    ['http://example.net/', 'ws', { href: 'ws://example.net/' }],
  ],
  username: [
    ['file:///home/you/index.html', 'me', { href: 'file:///home/you/index.html', username: '' }],
    ['unix:/run/foo.socket', 'me', { href: 'unix:/run/foo.socket' }],
    ['mailto:you@example.net', 'me', { href: 'mailto:you@example.net' }],
    ['javascript:alert(1)', 'wario', { href: 'javascript:alert(1)' }],
    ['http://example.net', 'me', { href: 'http://me@example.net/', username: 'me' }],
    ['http://:secret@example.net', 'me', { href: 'http://me:secret@example.net/' }],
    ['http://me@example.net', '', { href: 'http://example.net/', username: '' }],
    ['http://me:secret@example.net', '', { href: 'http://:secret@example.net/' }],
    ['http://example.net', ALL_ASCII, { username: "%00%01%09%0A%0D%1F%20!%22%23$%&'()*+,-.%2F09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%7F%C2%80%C2%81%C3%89%C3%A9" }],
    ['http://example.net', '%c3%89t\u00e9', { username: '%c3%89t%C3%A9' }],
    ['sc:///', 'x', { href: 'sc:///' }],
    ['javascript://x/', 'wario', { href: 'javascript://wario@x/' }],
    ['file://test/', 'test', { href: 'file://test/' }],
  ],
  password: [
    ['http://example.net', 'secret', { href: 'http://:secret@example.net/', password: 'secret' }],
    ['http://me@example.net', 'secret', { href: 'http://me:secret@example.net/' }],
    ['http://:secret@example.net', '', { href: 'http://example.net/' }],
    ['http://me:secret@example.net', '', { href: 'http://me@example.net/' }],
    ['http://example.net', ALL_ASCII, { password: "%00%01%09%0A%0D%1F%20!%22%23$%&'()*+,-.%2F09%3A%3B%3C%3D%3E%3F%40AZ%5B%5C%5D%5E_%60az%7B%7C%7D~%7F%C2%80%C2%81%C3%89%C3%A9" }],
    ['http://example.net', '%c3%89t\u00e9', { password: '%c3%89t%C3%A9' }],
    ['file://test/', 'test', { href: 'file://test/' }],
    ['sc:///', 'x', { href: 'sc:///' }],
  ],
  host: [
    ['sc://x/', '\u0000', { href: 'sc://x/' }],
    ['sc://x/', ' ', { href: 'sc://x/' }],
    ['sc://x/', '#', { href: 'sc:///', host: '' }],
    ['sc://x/', '/', { href: 'sc:///' }],
    ['sc://x/', '?', { href: 'sc:///' }],
    ['sc://x/', '@', { href: 'sc://x/' }],
    ['sc://x/', '\u00df', { href: 'sc://%C3%9F/' }],
    ['https://x/', '\u00df', { href: 'https://xn--zca/' }],
    ['mailto:me@example.net', 'example.com', { href: 'mailto:me@example.net' }],
    ['data:text/plain,Stuff', 'example.net', { href: 'data:text/plain,Stuff' }],
    ['http://example.net', 'example.com:8080', { href: 'http://example.com:8080/', host: 'example.com:8080', port: '8080' }],
    ['http://example.net:8080', 'example.com', { href: 'http://example.com:8080/' }],
    ['http://example.net:8080', 'example.com:', { href: 'http://example.com:8080/' }],
    ['http://example.net', '', { href: 'http://example.net/' }],
    ['view-source+http://example.net/foo', '', { href: 'view-source+http:///foo' }],
    ['a:/foo', 'example.net', { href: 'a://example.net/foo' }],
    ['http://example.net', '0x7F000001:8080', { href: 'http://127.0.0.1:8080/', hostname: '127.0.0.1' }],
    ['http://example.net', '[::0:01]:2', { href: 'http://[::1]:2/', hostname: '[::1]' }],
    ['http://example.net', 'example.com:80', { href: 'http://example.com/', port: '' }],
    ['https://example.net', 'example.com:443', { href: 'https://example.com/' }],
    ['https://example.net', 'example.com:80', { href: 'https://example.com:80/' }],
    ['http://example.net:8080', 'example.com:80', { href: 'http://example.com/' }],
    ['http://example.net/path', 'example.com/stuff', { href: 'http://example.com/path' }],
    ['http://example.net/path', 'example.com:8080/stuff', { href: 'http://example.com:8080/path' }],
    ['http://example.net/path', 'example.com?stuff', { href: 'http://example.com/path' }],
    ['http://example.net/path', 'example.com#stuff', { href: 'http://example.com/path' }],
    ['http://example.net/path', 'example.com\\stuff', { href: 'http://example.com/path' }],
    ['view-source+http://example.net/path', 'example.com\\stuff', { href: 'view-source+http://example.net/path' }],
    ['http://example.net/path', 'example.com:8080stuff2', { href: 'http://example.com:8080/path' }],
    ['http://example.net/path', 'example.com:8080+2', { href: 'http://example.com:8080/path' }],
    ['http://example.net/path', 'example.com:65535', { href: 'http://example.com:65535/path' }],
    ['http://example.net/path', 'example.com:65536', { href: 'http://example.com/path', port: '' }],
    ['http://example.net/', '[::1.2.3.]', { href: 'http://example.net/' }],
    ['file://y/', 'x:123', { href: 'file://y/' }],
    ['file://y/', 'loc%41lhost', { href: 'file:///', host: '' }],
    ['file://hi/x', '', { href: 'file:///x' }],
    ['sc://test@test/', '', { href: 'sc://test@test/' }],
    ['sc://test:12/', '', { href: 'sc://test:12/' }],
    ['http://example.com/', '///bad.com', { href: 'http://example.com/' }],
    ['sc://example.com/', '///bad.com', { href: 'sc:///' }],
  ],
  hostname: [
    ['http://example.net:8080', 'example.com', { href: 'http://example.com:8080/', hostname: 'example.com' }],
    ['http://example.net/path', 'example.com/stuff', { href: 'http://example.com/path' }],
    ['http://example.net/path', 'example.com?stuff', { href: 'http://example.com/path' }],
    ['http://example.net', '', { href: 'http://example.net/' }],
    ['mailto:me@example.net', 'example.com', { href: 'mailto:me@example.net' }],
    ['http://example.net/', '0x7F000001', { href: 'http://127.0.0.1/' }],
    ['http://example.net/', '[::0:01]', { href: 'http://[::1]/' }],
    ['http://example.net/', '[::1.2.3.]', { href: 'http://example.net/' }],
    ['file://y/', 'loc%41lhost', { href: 'file:///' }],
    ['sc://x/', '\u00df', { href: 'sc://%C3%9F/' }],
    ['non-spec:/.//p', 'h', { href: 'non-spec://h//p' }],
    ['non-spec:/.//p', '', { href: 'non-spec:////p' }],
  ],
  port: [
    ['http://example.net', '8080', { href: 'http://example.net:8080/', port: '8080' }],
    ['http://example.net:8080', '', { href: 'http://example.net/', port: '' }],
    ['http://example.net:8080', '80', { href: 'http://example.net/', port: '' }],
    ['https://example.net:4433', '443', { href: 'https://example.net/' }],
    ['https://example.net', '80', { href: 'https://example.net:80/' }],
    ['http://example.net/path', '8080/stuff', { href: 'http://example.net:8080/path' }],
    ['http://example.net/path', '8080?stuff', { href: 'http://example.net:8080/path' }],
    ['http://example.net/path', '8080stuff2', { href: 'http://example.net:8080/path' }],
    ['http://example.net/path', '8080+2', { href: 'http://example.net:8080/path' }],
    ['http://example.net/path', '65535', { href: 'http://example.net:65535/path' }],
    ['http://example.net:8080/path', '65536', { href: 'http://example.net:8080/path' }],
    ['http://example.net:8080/path', 'randomstring', { href: 'http://example.net:8080/path' }],
    ['non-special://example.net:8080/path', '65536', { href: 'non-special://example.net:8080/path' }],
    ['file://test/', '12', { href: 'file://test/' }],
    ['file://localhost/', '12', { href: 'file:///' }],
    ['non-base:value', '12', { href: 'non-base:value' }],
    ['sc:///', '12', { href: 'sc:///' }],
    ['sc://x/', '12', { href: 'sc://x:12/' }],
    ['javascript://x/', '12', { href: 'javascript://x:12/' }],
    ['https://www.google.com:4343', '4wpt', { href: 'https://www.google.com:4/' }],
  ],
  pathname: [
    ['mailto:me@example.net', '/foo', { href: 'mailto:me@example.net' }],
    ['data:original', 'new value', { href: 'data:original' }],
    ['sc:original', 'new value', { href: 'sc:original' }],
    ['file:///some/path', '', { href: 'file:///', pathname: '/' }],
    ['unix:/run/foo.socket?timeout=10', '/var/log/../run/bar.socket', { href: 'unix:/var/run/bar.socket?timeout=10' }],
    ['https://example.net#nav', 'home', { href: 'https://example.net/home#nav' }],
    ['https://example.net#nav', '../home', { href: 'https://example.net/home#nav' }],
    ['http://example.net/home?lang=fr#nav', '\\a\\%2E\\b\\%2e.\\c', { href: 'http://example.net/a/c?lang=fr#nav', pathname: '/a/c' }],
    ['view-source+http://example.net/home?lang=fr#nav', '\\a\\%2E\\b\\%2e.\\c', { href: 'view-source+http://example.net/\\a\\%2E\\b\\%2e.\\c?lang=fr#nav' }],
    ['http://example.net', '?', { href: 'http://example.net/%3F', pathname: '/%3F' }],
    ['http://example.net', '#', { href: 'http://example.net/%23', pathname: '/%23' }],
    ['sc://example.net', '?', { href: 'sc://example.net/%3F' }],
    ['http://example.net', 'a b', { pathname: '/a%20b' }],
    ['file://monkey/', '\\\\', { href: 'file://monkey//' }],
    ['file:///unicorn', '//\\/', { href: 'file://////' }],
    ['file:///unicorn', '//monkey/..//', { href: 'file://///' }],
    ['non-spec:/', '/.//p', { href: 'non-spec:/.//p', pathname: '//p' }],
    ['non-spec:/', '/..//p', { href: 'non-spec:/.//p' }],
    ['non-spec:/', '//p', { href: 'non-spec:/.//p' }],
    ['non-spec:/.//', 'p', { href: 'non-spec:/p' }],
    ['http://example.net', '%2e%2E%c3%89t\u00e9', { href: 'http://example.net/%2e%2E%c3%89t%C3%A9' }],
  ],
  search: [
    ['https://example.net#nav', 'lang=fr', { href: 'https://example.net/?lang=fr#nav', search: '?lang=fr' }],
    ['https://example.net?lang=en-US#nav', 'lang=fr', { href: 'https://example.net/?lang=fr#nav' }],
    ['https://example.net?lang=en-US#nav', '?lang=fr', { href: 'https://example.net/?lang=fr#nav' }],
    ['https://example.net?lang=en-US#nav', '??lang=fr', { href: 'https://example.net/??lang=fr#nav', search: '??lang=fr' }],
    ['https://example.net?lang=en-US#nav', '?', { href: 'https://example.net/?#nav', search: '' }],
    ['https://example.net?lang=en-US#nav', '', { href: 'https://example.net/#nav', search: '' }],
    ['https://example.net?lang=en-US', '', { href: 'https://example.net/' }],
    ['https://example.net', '', { href: 'https://example.net/' }],
    ['a:/', ALL_ASCII, { href: "a:/?%00%01%1F%20!%22%23$%&'()*+,-./09:;%3C=%3E?@AZ[\\]^_`az{|}~%7F%C2%80%C2%81%C3%89%C3%A9" }],
    ['http://example.net/', ALL_ASCII, { search: "?%00%01%1F%20!%22%23$%&%27()*+,-./09:;%3C=%3E?@AZ[\\]^_`az{|}~%7F%C2%80%C2%81%C3%89%C3%A9" }],
    ['http://example.net', '%c3%89t\u00e9', { search: '?%c3%89t%C3%A9' }],
  ],
  hash: [
    ['https://example.net', 'main', { href: 'https://example.net/#main', hash: '#main' }],
    ['https://example.net#nav', 'main', { href: 'https://example.net/#main' }],
    ['https://example.net?lang=en-US', '##nav', { href: 'https://example.net/?lang=en-US##nav', hash: '##nav' }],
    ['https://example.net?lang=en-US#nav', '#main', { href: 'https://example.net/?lang=en-US#main' }],
    ['https://example.net?lang=en-US#nav', '#', { href: 'https://example.net/?lang=en-US#', hash: '' }],
    ['https://example.net?lang=en-US#nav', '', { href: 'https://example.net/?lang=en-US', hash: '' }],
    ['http://example.net', '#foo bar', { hash: '#foo%20bar' }],
    ['http://example.net', '#foo"bar', { hash: '#foo%22bar' }],
    ['http://example.net', '#foo<bar', { hash: '#foo%3Cbar' }],
    ['http://example.net', '#foo>bar', { hash: '#foo%3Ebar' }],
    ['http://example.net', '#foo`bar', { hash: '#foo%60bar' }],
    ['javascript:alert(1)', 'castle', { href: 'javascript:alert(1)#castle' }],
    ['http://example.net', '%c3%89t\u00e9', { hash: '#%c3%89t%C3%A9' }],
  ],
};

export default area('url-api', (test) => {
  for (const [setter, rows] of Object.entries(SETTERS)) {
    for (const [href, value, expected] of rows) {
      test(`URL setter: ${setter} = ${JSON.stringify(value)} on ${JSON.stringify(href)}`, (t) => {
        const url = new URL(href);
        url[setter] = value;
        for (const [key, want] of Object.entries(expected)) t.equal(url[key], want, key);
      });
    }
  }

  test('URL: the href setter reparses, and throws TypeError on failure leaving the URL unchanged', (t) => {
    const url = new URL('http://example.com/a?b#c');
    url.href = 'https://user@other.test:8443/x/y?z#w';
    t.equal(url.host, 'other.test:8443', 'host');
    t.equal(url.username, 'user', 'username');
    t.equal(url.search, '?z', 'search');
    t.throws(() => {
      url.href = 'not a url';
    }, 'TypeError', 'invalid href');
    t.equal(url.href, 'https://user@other.test:8443/x/y?z#w', 'unchanged after failure');
  });

  test('URL: toString, toJSON and String() give href', (t) => {
    const url = new URL('HTTP://Example.COM:80/%7Efoo?x#y');
    t.equal(url.href, 'http://example.com/%7Efoo?x#y', 'href');
    t.equal(url.toString(), url.href, 'toString');
    t.equal(url.toJSON(), url.href, 'toJSON');
    t.equal(String(url), url.href, 'String()');
    t.equal(JSON.stringify({ u: url }), '{"u":"http://example.com/%7Efoo?x#y"}', 'JSON.stringify');
  });

  test('URL: constructor arguments', (t) => {
    t.throws(() => new URL(), 'TypeError', 'no argument');
    t.equal(new URL('http://x/a', undefined).href, 'http://x/a', 'undefined base is no base');
    t.throws(() => new URL('/a', 'not a base'), 'TypeError', 'invalid base');
    t.throws(() => new URL('/a'), 'TypeError', 'relative without base');
    t.equal(new URL('b', new URL('http://x/a/c')).href, 'http://x/a/b', 'URL object as base');
    t.equal(new URL(new URL('http://x/y')).href, 'http://x/y', 'URL object as input');
    t.equal(new URL({ toString: () => 'http://z/' }).href, 'http://z/', 'input is stringified');
    t.equal(URL.length, 1, 'URL.length');
  });

  test('URL.parse: a URL on success, null on failure', (t) => {
    t.equal(URL.parse('x', 'http://a/b/').href, 'http://a/b/x', 'relative');
    t.equal(URL.parse('http://[::1'), null, 'failure');
    t.equal(URL.parse('/x'), null, 'no base');
    t.ok(URL.parse('http://a/') instanceof URL, 'instance of URL');
    t.ok(URL.parse('http://a/') !== URL.parse('http://a/'), 'a new object each call');
  });

  test('URL.canParse: requires an argument, accepts a base', (t) => {
    t.throws(() => URL.canParse(), 'TypeError', 'no argument');
    t.equal(URL.canParse('x', 'http://a/'), true, 'relative with base');
    t.equal(URL.canParse('x'), false, 'relative without base');
    t.equal(URL.canParse('http://a/', 'invalid'), false, 'an invalid base fails even for an absolute input');
  });

  test('URL: searchParams is one live object tied to the query', (t) => {
    const url = new URL('http://example.com/?a=1&b=2');
    const params = url.searchParams;
    t.ok(url.searchParams === params, 'same object');
    params.append('c', 'x y');
    t.equal(url.search, '?a=1&b=2&c=x+y', 'append updates search');
    url.search = '?z=9';
    t.equal(params.get('z'), '9', 'search setter updates params');
    t.equal(params.has('a'), false, 'old entries gone');
    url.href = 'http://example.com/?q=%20';
    t.equal(params.get('q'), ' ', 'href setter updates params');
    params.delete('q');
    t.equal(url.href, 'http://example.com/', 'emptying the params drops the "?"');
    url.search = '';
    t.equal([...params].length, 0, 'empty search empties params');
  });

  test('URL: searchParams serialise with application/x-www-form-urlencoded', (t) => {
    const url = new URL('http://example.com/');
    url.searchParams.set('q', "a b+c&d=é~*'");
    t.equal(url.search, '?q=a+b%2Bc%26d%3D%C3%A9%7E*%27', 'search');
    url.search = '?q=a+b';
    t.equal(url.search, '?q=a+b', 'the search setter does not touch "+"');
    t.equal(url.searchParams.get('q'), 'a b', 'but params read "+" as space');
  });

  test('URL: origin and searchParams are read-only', (t) => {
    const url = new URL('http://example.com/');
    t.equal(Reflect.set(url, 'origin', 'http://other/'), false, 'origin');
    t.equal(Reflect.set(url, 'searchParams', new URLSearchParams('a=1')), false, 'searchParams');
    t.equal(url.href, 'http://example.com/', 'unchanged');
  });

  test('URL: WebIDL shape (accessors on the prototype, enumerable, toStringTag)', (t) => {
    const d = Object.getOwnPropertyDescriptor(URL.prototype, 'href');
    t.equal(typeof d.get, 'function', 'href getter');
    t.equal(typeof d.set, 'function', 'href setter');
    t.equal(d.enumerable, true, 'href enumerable');
    t.equal(d.configurable, true, 'href configurable');
    t.equal(Object.getOwnPropertyDescriptor(URL.prototype, 'origin').set, undefined, 'origin has no setter');
    t.equal(Object.getOwnPropertyDescriptor(URL.prototype, 'toJSON').enumerable, true, 'toJSON enumerable');
    t.equal(Object.prototype.toString.call(new URL('http://a/')), '[object URL]', 'toStringTag');
    t.equal(Object.keys(new URL('http://a/')).length, 0, 'no own enumerable properties');
    t.throws(() => URL(), 'TypeError', 'URL() without new');
    t.throws(() => Object.getOwnPropertyDescriptor(URL.prototype, 'href').get.call({}), 'TypeError', 'getter on a non-URL');
  });
});

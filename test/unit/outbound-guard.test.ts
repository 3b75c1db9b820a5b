import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/index.ts';
import { AtollError } from '../../src/errors/index.ts';
import { AllowList, barredReason, formatAllowEntry, parseAllowEntry, parseAllowList } from '../../src/sandbox-host/outbound/index.ts';

describe('outbound guard: address classification', () => {
  it.each([
    ['0.0.0.0', 'unspecified address'],
    ['0.255.1.2', 'unspecified address'],
    ['127.0.0.1', 'loopback address'],
    ['127.255.255.254', 'loopback address'],
    ['10.0.0.1', 'private address'],
    ['172.16.0.1', 'private address'],
    ['172.31.255.255', 'private address'],
    ['192.168.1.1', 'private address'],
    ['169.254.169.254', 'link-local address'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['100.127.255.255', 'shared address space (CGNAT)'],
    ['224.0.0.1', 'multicast address'],
    ['239.255.255.250', 'multicast address'],
    ['255.255.255.255', 'reserved address'],
    ['240.0.0.1', 'reserved address'],
    ['192.0.0.170', 'reserved address'],
    ['192.0.2.1', 'documentation address'],
    ['198.51.100.7', 'documentation address'],
    ['203.0.113.9', 'documentation address'],
    ['198.18.0.1', 'benchmarking address'],
    ['198.19.255.255', 'benchmarking address'],
  ])('IPv4: %s is barred as %s', (address, reason) => {
    expect(barredReason(address)).toBe(reason);
  });

  it.each([
    ['::', 'unspecified address'],
    ['::1', 'loopback address'],
    ['0:0:0:0:0:0:0:1', 'loopback address'],
    ['fe80::1', 'link-local address'],
    ['fe80::1%eth0', 'link-local address'],
    ['febf:ffff::1', 'link-local address'],
    ['fc00::1', 'unique-local address'],
    ['fd12:3456:789a::1', 'unique-local address'],
    ['ff02::1', 'multicast address'],
    ['2001:db8::1', 'documentation address'],
    ['3fff::1', 'documentation address'],
    ['2001:2::1', 'benchmarking address'],
    ['fec0::1', 'reserved address'],
    ['100::1', 'reserved address'],
    ['2001::1', 'reserved address'],
    ['2002:7f00:1::1', 'reserved address'],
    ['::7f00:1', 'reserved address'],
    ['::8.8.8.8', 'reserved address'],
  ])('IPv6: %s is barred as %s', (address, reason) => {
    expect(barredReason(address)).toBe(reason);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback address'],
    ['::ffff:7f00:1', 'loopback address'],
    ['::FFFF:127.0.0.1', 'loopback address'],
    ['::ffff:169.254.169.254', 'link-local address'],
    ['::ffff:10.1.2.3', 'private address'],
    ['::ffff:0.0.0.0', 'unspecified address'],
    ['::ffff:100.64.0.1', 'shared address space (CGNAT)'],
    ['64:ff9b::127.0.0.1', 'loopback address (NAT64)'],
    ['64:ff9b::a9fe:a9fe', 'link-local address (NAT64)'],
    ['64:ff9b:0:0:0:0:a00::', 'private address (NAT64)'],
    ['64:ff9b:1::1', 'reserved address'],
  ])('IPv4 inside IPv6: %s is barred as %s', (address, reason) => {
    expect(barredReason(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '93.184.215.14', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0',
    '169.253.255.255', '223.255.255.255', '11.0.0.0', '192.167.255.255', '198.17.255.255', '198.20.0.0',
    '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '64:ff9b:0:0:0:0:808::',
  ])('public: %s is allowed', (address) => {
    expect(barredReason(address)).toBeNull();
  });

  it.each(['localhost', '', '127.1', '1.2.3', '::ffff:1.2.3.256', 'example.com'])('not an IP address: %j is barred', (value) => {
    expect(barredReason(value)).toBe('not an IP address');
  });
});

describe('outbound guard: allow-list entries', () => {
  it.each([
    ['localhost', 'localhost', undefined],
    ['LocalHost:8080', 'localhost', 8080],
    ['127.0.0.1:80', '127.0.0.1', 80],
    ['127.1', '127.0.0.1', undefined],
    ['api.internal', 'api.internal', undefined],
    ['[::1]', '::1', undefined],
    ['[::1]:3000', '::1', 3000],
    ['[0:0:0:0:0:0:0:1]:65535', '::1', 65535],
    ['[::FFFF:127.0.0.1]', '::ffff:7f00:1', undefined],
    ['bücher.example', 'xn--bcher-kva.example', undefined],
  ])('%s parses to host %s, port %s', (text, host, port) => {
    expect(parseAllowEntry(text)).toEqual({ host, port });
  });

  it.each([
    ['', 'empty'],
    [':8080', 'no host'],
    ['host:', 'empty port'],
    ['host:0', 'port 0'],
    ['host:65536', 'port over 65535'],
    ['host:8x', 'port not a number'],
    ['host:-1', 'negative port'],
    ['::1', 'IPv6 without brackets'],
    ['[::1', 'unclosed bracket'],
    ['[example.com]', 'a name in brackets'],
    ['[::1]:', 'empty port after brackets'],
    ['http://example.com', 'a URL'],
    ['example.com/path', 'a path'],
    ['user@example.com', 'credentials'],
    ['example.com?x', 'a query'],
    ['*.example.com', 'a wildcard'],
    ['exa mple.com', 'a space'],
    ['a:1:2', 'two ports'],
  ])('%j is rejected (%s)', (text) => {
    expect(() => parseAllowEntry(text)).toThrow(/bad fetch allow-list entry/);
  });

  it('lists: comma lists and repeated items are merged; blanks are ignored', () => {
    expect(parseAllowList(['a.test, b.test:81', '', '[::1]:9,']).map(formatAllowEntry)).toEqual(['a.test', 'b.test:81', '[::1]:9']);
  });

  it('lists: one bad entry rejects the whole list', () => {
    expect(() => parseAllowList(['a.test,b.test:99999'])).toThrow(/b\.test:99999/);
  });

  it('matching: a host without a port allows every port; with a port, only that one', () => {
    const allow = new AllowList(parseAllowList(['open.test', 'one.test:8080', '[::1]:9000', '127.0.0.1:80']));
    expect(allow.allows('open.test', 1)).toBe(true);
    expect(allow.allows('open.test', 65535)).toBe(true);
    expect(allow.allows('one.test', 8080)).toBe(true);
    expect(allow.allows('one.test', 8081)).toBe(false);
    expect(allow.allows('::1', 9000)).toBe(true);
    expect(allow.allows('::1', 9001)).toBe(false);
    expect(allow.allows('127.0.0.1', 80)).toBe(true);
    expect(allow.allows('127.0.0.1', 443)).toBe(false);
    expect(allow.allows('other.test', 8080)).toBe(false);
    expect(allow.allows('sub.open.test', 80)).toBe(false);
  });

  it('matching: a host allowed on all ports stays so when also listed with a port', () => {
    const allow = new AllowList(parseAllowList(['a.test:81', 'a.test', 'a.test:82']));
    expect(allow.allows('a.test', 80)).toBe(true);
  });

  it('matching: the empty list allows nothing', () => {
    expect(new AllowList([]).allows('localhost', 80)).toBe(false);
  });
});

describe('server config: fetchAllow', () => {
  const base = { dataDir: '/tmp/atoll-config-test' };

  it('defaults to an empty list', () => {
    expect(resolveServerConfig(base, {}).fetchAllow).toEqual([]);
  });

  it('reads ATOLL_FETCH_ALLOW as a comma list, in canonical form', () => {
    expect(resolveServerConfig(base, { ATOLL_FETCH_ALLOW: 'LOCALHOST:8080, [0::1]' }).fetchAllow).toEqual(['localhost:8080', '[::1]']);
  });

  it('the option takes precedence over the environment', () => {
    const config = resolveServerConfig({ ...base, fetchAllow: ['a.test', 'b.test:1,c.test'] }, { ATOLL_FETCH_ALLOW: 'ignored.test' });
    expect(config.fetchAllow).toEqual(['a.test', 'b.test:1', 'c.test']);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(resolveServerConfig(base, { ATOLL_FETCH_ALLOW: 'a.test' }).fetchAllow)).toBe(true);
  });

  it('a bad ATOLL_FETCH_ALLOW entry is INVALID_CONFIG at start-up', () => {
    let error: unknown;
    try {
      resolveServerConfig(base, { ATOLL_FETCH_ALLOW: 'ok.test,::1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AtollError);
    expect((error as AtollError).code).toBe('INVALID_CONFIG');
  });
});

/**
 * Which IP addresses outbound fetch may not reach by default: everything that is not a
 * public unicast address (IANA's IPv4 and IPv6 special-purpose address registries).
 * A guest must not reach the machine it runs on, its network, or the cloud metadata
 * service, however it spells the address or names the host.
 *
 * Barred (first match gives the reason):
 *   unspecified        0.0.0.0/8 ("this network"), ::/128
 *   loopback           127.0.0.0/8, ::1/128
 *   private            10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918)
 *   link-local         169.254.0.0/16 (cloud metadata: 169.254.169.254), fe80::/10
 *   shared (CGNAT)     100.64.0.0/10 (RFC 6598: a provider's internal network)
 *   unique-local       fc00::/7
 *   multicast          224.0.0.0/4, ff00::/8
 *   documentation      192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20
 *   benchmarking       198.18.0.0/15, 2001:2::/48
 *   reserved           240.0.0.0/4 (with 255.255.255.255), 192.0.0.0/24, 192.88.99.0/24,
 *                      ::/96 (IPv4-compatible), 100::/64 (discard), 2001::/32 (Teredo),
 *                      2002::/16 (6to4), 64:ff9b:1::/48 (local NAT64), fec0::/10 (site-local)
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) and well-known NAT64 (64:ff9b::a.b.c.d) addresses are
 * judged by the IPv4 address they carry: ::ffff:127.0.0.1 is loopback.
 */
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';

type Subnet = readonly [address: string, prefix: number];

const BARRED: readonly (readonly [reason: string, subnets: readonly Subnet[]])[] = [
  ['unspecified address', [['0.0.0.0', 8], ['::', 128]]],
  ['loopback address', [['127.0.0.0', 8], ['::1', 128]]],
  ['private address', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]]],
  ['link-local address', [['169.254.0.0', 16], ['fe80::', 10]]],
  ['shared address space (CGNAT)', [['100.64.0.0', 10]]],
  ['unique-local address', [['fc00::', 7]]],
  ['multicast address', [['224.0.0.0', 4], ['ff00::', 8]]],
  ['documentation address', [
    ['192.0.2.0', 24], ['198.51.100.0', 24], ['203.0.113.0', 24], ['2001:db8::', 32], ['3fff::', 20],
  ]],
  ['benchmarking address', [['198.18.0.0', 15], ['2001:2::', 48]]],
  ['reserved address', [
    ['240.0.0.0', 4], ['192.0.0.0', 24], ['192.88.99.0', 24], ['::', 96], ['100::', 64],
    ['2001::', 32], ['2002::', 16], ['64:ff9b:1::', 48], ['fec0::', 10],
  ]],
];

// BlockList matches an IPv4 rule against the IPv4-mapped IPv6 form too, so the IPv4 rules
// above already cover ::ffff:a.b.c.d.
const LISTS = BARRED.map(([reason, subnets]) => {
  const list = new BlockList();
  for (const [address, prefix] of subnets) list.addSubnet(address, prefix, isIPv4(address) ? 'ipv4' : 'ipv6');
  return [reason, list] as const;
});

/** A destination the guard refused; its message is meant for the guest. */
export class BarredDestinationError extends Error {
  constructor(hostname: string, reason: string, address?: string) {
    const host = isIPv6(hostname) ? `[${hostname}]` : hostname;
    super(address === undefined || address === hostname
      ? `fetch to ${host} is not allowed: ${reason}`
      : `fetch to ${host} is not allowed: it resolves to ${address} (${reason})`);
    this.name = 'BarredDestinationError';
  }
}

const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

/**
 * Why `address` (an IP address, as a resolver or a socket reports it) may not be reached,
 * or null when it is a public address. Anything that is not an IP address is barred.
 */
export function barredReason(address: string): string | null {
  // A zone index (fe80::1%eth0) names an interface, not a different address.
  const ip = address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (type === 'ipv6' && NAT64.check(ip, 'ipv6')) {
    const reason = barredReason(embeddedIPv4(ip));
    return reason === null ? null : `${reason} (NAT64)`;
  }
  for (const [reason, list] of LISTS) {
    if (list.check(ip, type)) return reason;
  }
  return null;
}

/** The IPv4 address in the low 32 bits of an IPv6 address. */
function embeddedIPv4(ipv6: string): string {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(ipv6);
  if (dotted) return dotted[1]!;
  const [head = '', tail] = ipv6.split('::');
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const groups = tail === undefined
    ? groupsOf(head)
    : [...groupsOf(head), ...new Array<string>(8 - groupsOf(head).length - groupsOf(tail).length).fill('0'), ...groupsOf(tail)];
  const high = parseInt(groups[6]!, 16);
  const low = parseInt(groups[7]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The outbound allow-list: `HOST[:PORT]` entries (`api.internal`, `10.0.0.5:8080`,
 * `[::1]:3000`) that open a named host, on one port or every port, although it resolves
 * to a barred address. An entry is matched against the host and port of the URL being
 * fetched (each redirect hop included), never against what the name resolves to.
 */
import { isIPv6 } from 'node:net';

export interface AllowEntry {
  /** Hostname as a URL serialises it: lower case, punycode, canonical IP; IPv6 without brackets. */
  readonly host: string;
  /** Undefined: every port. */
  readonly port: number | undefined;
}

const ENTRY = /^(?:\[(?<v6>[^\]]*)\]|(?<name>[^:[\]]*))(?::(?<port>[^:]*))?$/;

/** Parses one `HOST[:PORT]` entry; throws an Error saying what is wrong with it. */
export function parseAllowEntry(text: string): AllowEntry {
  const bad = (why: string): Error => new Error(`bad fetch allow-list entry "${text}": ${why}`);
  const match = ENTRY.exec(text);
  if (!match?.groups) {
    throw bad(text.split(':').length > 2 ? 'put an IPv6 address in brackets, e.g. [::1]:8080' : 'expected HOST or HOST:PORT');
  }
  const { v6, name, port } = match.groups;
  let portNumber: number | undefined;
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw bad('the port must be a number from 1 to 65535');
    portNumber = Number(port);
  }
  if (v6 !== undefined) {
    if (!isIPv6(v6)) throw bad('not an IPv6 address between the brackets');
    return { host: new URL(`http://[${v6}]/`).hostname.slice(1, -1), port: portNumber };
  }
  if (!name) throw bad('the host is missing');
  let url: URL;
  try {
    url = new URL(`http://${name}/`);
  } catch {
    throw bad('not a valid host name');
  }
  // The URL parser takes more than a host (`a/b`, `user@a`, `a?b`) and lets `*` through.
  const onlyHost = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if (!onlyHost || !/^[a-z0-9_.-]+$/.test(url.hostname)) throw bad('not a valid host name');
  return { host: url.hostname, port: portNumber };
}

/** Entry text as `atoll serve` prints and the sandbox hosts receive it. */
export function formatAllowEntry(entry: AllowEntry): string {
  const host = isIPv6(entry.host) ? `[${entry.host}]` : entry.host;
  return entry.port === undefined ? host : `${host}:${entry.port}`;
}

/**
 * Parses the allow-list as given on the command line or in ATOLL_FETCH_ALLOW: each item
 * may hold several comma-separated entries; blanks are ignored. Throws on a bad entry.
 */
export function parseAllowList(items: readonly string[]): AllowEntry[] {
  return items.flatMap((item) => item.split(',')).map((text) => text.trim()).filter((text) => text !== '').map(parseAllowEntry);
}

/** Whether the allow-list opens `hostname` (as undici connects to it: IPv6 without brackets) on `port`. */
export class AllowList {
  readonly #ports = new Map<string, Set<number> | 'any'>();

  constructor(entries: readonly AllowEntry[]) {
    for (const { host, port } of entries) {
      const ports = this.#ports.get(host);
      if (port === undefined || ports === 'any') this.#ports.set(host, 'any');
      else if (ports) ports.add(port);
      else this.#ports.set(host, new Set([port]));
    }
  }

  allows(hostname: string, port: number): boolean {
    const ports = this.#ports.get(hostname.toLowerCase());
    return ports === 'any' || (ports !== undefined && ports.has(port));
  }
}

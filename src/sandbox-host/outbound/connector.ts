/**
 * The connector of outbound fetch's undici Agent: it refuses barred destinations at
 * connect time, on the address actually connected to, so a DNS name that resolves to
 * 127.0.0.1 (or re-resolves to it later) is refused like the literal address, and so is
 * every redirect hop, since each new origin is a new connection.
 */
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { BarredDestinationError, barredReason } from './addresses.ts';
import type { AllowList } from './allow-list.ts';

/**
 * Resolves like dns.lookup, keeping only the addresses the guard permits; fails with a
 * BarredDestinationError when none is left. The socket connects to what this returns,
 * so there is no second resolution an attacker's DNS could answer differently.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const permitted = addresses.filter((a) => barredReason(a.address) === null);
    if (permitted.length === 0) {
      const first = addresses[0];
      const error = first === undefined
        ? new BarredDestinationError(hostname, 'it resolves to no address')
        : new BarredDestinationError(hostname, barredReason(first.address)!, first.address);
      return callback(error as NodeJS.ErrnoException, '', 0);
    }
    // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
    if ((options as LookupOptions).all) (callback as (e: null, a: LookupAddress[]) => void)(null, permitted);
    else callback(null, permitted[0]!.address, permitted[0]!.family);
  });
};

/** An undici connector that only reaches public addresses, or hosts the allow-list opens. */
export function guardedConnector(allow: AllowList, timeoutMs = 10_000): buildConnector.connector {
  const open = buildConnector({ timeout: timeoutMs });
  const guarded = buildConnector({ timeout: timeoutMs, lookup: guardedLookup });
  // Each returns the connecting socket, through which undici cancels an attempt.
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    if (allow.allows(options.hostname, port)) return open(options, callback);
    // An IP literal is never looked up, so it is judged here, before any packet leaves.
    const literalReason = isIP(options.hostname) === 0 ? null : barredReason(options.hostname);
    if (literalReason !== null) {
      queueMicrotask(() => callback(new BarredDestinationError(options.hostname, literalReason), null));
      return;
    }
    return guarded(options, (err, socket) => {
      if (err) return callback(err, null);
      // Belt and braces: whatever path led here, the peer actually connected to is what counts.
      const peer = socket.remoteAddress ?? '';
      const reason = barredReason(peer);
      if (reason === null) return callback(null, socket);
      socket.destroy();
      callback(new BarredDestinationError(options.hostname, reason, peer), null);
    });
  };
}

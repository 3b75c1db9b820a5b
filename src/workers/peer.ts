/**
 * Who is on the other end of a loopback TCP connection. The kernel records the uid that
 * created each socket in /proc/net/tcp; a worker cannot forge it, so when every worker
 * has a uid of its own, the uid of the client socket says which worker is calling.
 */
import { readFileSync } from 'node:fs';

/** The uid owning the client socket 127.0.0.1:clientPort → 127.0.0.1:serverPort, or -1 if none is found. */
export function socketUid(clientPort: number, serverPort: number): number {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'latin1');
  } catch {
    return -1;
  }
  const local = `0100007F:${hex4(clientPort)}`;
  const remote = `0100007F:${hex4(serverPort)}`;
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[2] === remote) return Number(fields[7]);
  }
  return -1;
}

function hex4(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

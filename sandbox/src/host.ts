/** The captured HostBridge, shared by the modules that call the host. Never exported to globals. */

import type { HostBridge } from './bridge.ts';

const unset = (): never => {
  throw new Error('Atoll runtime: host bridge not attached');
};

/** The host bridge; its methods are replaced once `attachHost` runs at boot. */
export const host: HostBridge = {
  log: unset,
  setTimer: unset,
  clearTimer: unset,
  randomBytes: unset,
  done: unset,
  respond: unset,
  lazySource: unset,
  lazyLoaded: unset,
  call: unset,
  chunk: unset,
  end: unset,
  finished: unset,
};

/** Copies the bridge's functions into `host` (then freezes it) so later global changes can't swap them. */
export function attachHost(b: HostBridge): void {
  host.log = b.log;
  host.setTimer = b.setTimer;
  host.clearTimer = b.clearTimer;
  host.randomBytes = b.randomBytes;
  host.done = b.done;
  host.respond = b.respond;
  host.lazySource = b.lazySource;
  host.lazyLoaded = b.lazyLoaded;
  host.call = b.call;
  host.chunk = b.chunk;
  host.end = b.end;
  host.finished = b.finished;
  Object.freeze(host);
}

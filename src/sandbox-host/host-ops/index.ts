/** The table of host operations a guest's runtime may call (see types.ts). */
import { fetchOps } from './fetch.ts';
import { subtleOp } from './crypto.ts';
import type { HostOpHandler } from './types.ts';

export { OpError, opErrorValue, type HostOpHandler, type HostOpSettings, type OpContext } from './types.ts';

/** Op name → handler. Names are namespaced by area: `crypto.*`, `fetch.*`. */
export const hostOps: ReadonlyMap<string, HostOpHandler> = new Map<string, HostOpHandler>([
  ...fetchOps,
  ['crypto.subtle', subtleOp],
]);

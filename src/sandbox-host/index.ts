/**
 * The gateway's view of the sandbox hosts. Deliberately does not export isolate.ts:
 * importing this module must never load isolated-vm into the gateway.
 */
export { HostPool, SandboxHost, type HostPoolOptions, type HostStats, type InvokeResult } from './host-pool.ts';
export { buildHostProgram } from './host-program.ts';
export { AHEAD_WAIT_MS, type CreateMessage, type InitMessage, type LogRecord, type ResultMessage } from './messages.ts';
export type { GuestRequest } from '../../sandbox/src/bridge.ts';

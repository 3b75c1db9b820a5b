/** The gateway: the Hono app and the server that runs it. */
export { startAtoll, type StartedAtoll } from './server.ts';
export { createApp } from './app.ts';
export type { GatewayContext } from './context.ts';

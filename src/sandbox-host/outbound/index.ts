/** Outbound network access of guests: the address guard, the allow-list and the fetch built on them. */
export { barredReason, BarredDestinationError } from './addresses.ts';
export { AllowList, formatAllowEntry, parseAllowEntry, parseAllowList, type AllowEntry } from './allow-list.ts';
export { guardedConnector } from './connector.ts';
export { outboundFetch } from './agent.ts';

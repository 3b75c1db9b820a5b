/**
 * The lazy module `streams` (sandbox/src/streams), evaluated on first use: in an isolate it
 * comes from the host (see sandbox/build.ts). Everything in the runtime reaches it through
 * here, so `loadedStreams` knows whether any ReadableStream can exist yet.
 */

import type * as StreamsModule from '../streams/index.ts';

export type { StreamReader } from '../streams/body-streams.ts';

declare const require: (id: string) => unknown;

export type Streams = typeof StreamsModule;
export type ReadableStream = InstanceType<Streams['ReadableStream']>;

let loaded: Streams | null = null;

/** The module, evaluating it on the first call. */
export function streams(): Streams {
  return (loaded ??= require('../streams/index.ts') as Streams);
}

/** The module once evaluated; null before (no ReadableStream exists then). */
export function loadedStreams(): Streams | null {
  return loaded;
}

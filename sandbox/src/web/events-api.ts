/**
 * The boot script's side of the lazy module `events` (Event, CustomEvent, EventTarget,
 * AbortController, AbortSignal; in events/): what the rest of the runtime uses of them,
 * fetch and Request above all. The module is evaluated the first time a guest touches one
 * of these globals or the runtime needs a signal; until then none can exist, so the checks
 * answer without loading it. (Kept out of the boot script: its classes cost every isolate
 * about 50 KB of heap, used or not.)
 */

import type { AbortController, AbortSignal, abortInternals } from './events/abort.ts';
import type { CustomEvent, Event, EventTarget } from './events/events.ts';
import { lazyModule } from '../lazy.ts';

/** What the lazy module hands over when it is evaluated (see events/index.ts). */
export interface EventsModule {
  Event: typeof Event;
  CustomEvent: typeof CustomEvent;
  EventTarget: typeof EventTarget;
  AbortController: typeof AbortController;
  AbortSignal: typeof AbortSignal;
  abort: typeof abortInternals;
  isEvent(v: unknown): boolean;
  isEventTarget(v: unknown): boolean;
  isAbortController(v: unknown): boolean;
}

let events: EventsModule | null = null;

/** Called by the lazy module as it is evaluated (or by a test that imports it directly); only the first call counts. */
export function registerEventsModule(m: EventsModule): void {
  events ??= m;
}

function load(): EventsModule {
  if (events === null) lazyModule('events');
  return events!;
}

/** The interfaces to install as globals (loads the module). */
export function eventsInterfaces(): Record<string, Function> {
  const m = load();
  return { Event: m.Event, CustomEvent: m.CustomEvent, EventTarget: m.EventTarget, AbortController: m.AbortController, AbortSignal: m.AbortSignal };
}

/** True for an AbortSignal of this runtime. */
export function isAbortSignal(v: unknown): v is AbortSignal {
  return events !== null && events.abort.isAbortSignal(v);
}

/**
 * The runtime's access to abort signals (loads the module): create one, abort it, follow
 * others (a Request's signal), add and remove abort algorithms (a fetch in flight).
 */
export function abortSignals(): typeof abortInternals {
  return load().abort;
}

/** True for an Event, EventTarget (AbortSignal included) or AbortController: platform objects structuredClone refuses. */
export function isEventsPlatformObject(v: unknown): boolean {
  return events !== null && (events.isEvent(v) || events.isEventTarget(v) || events.isAbortController(v));
}

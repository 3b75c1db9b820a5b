/**
 * The lazy module `events` (see sandbox/build.ts): Event, CustomEvent, EventTarget,
 * AbortController and AbortSignal. Evaluating it registers it with the boot script's
 * events-api.ts, through which the rest of the runtime reaches it.
 */

import { registerEventsModule } from '../kit.ts';
import { AbortController, AbortSignal, abortInternals, isAbortController } from './abort.ts';
import { CustomEvent, Event, EventTarget, eventInternals, isEventTarget } from './events.ts';

registerEventsModule({
  Event,
  CustomEvent,
  EventTarget,
  AbortController,
  AbortSignal,
  abort: abortInternals,
  isEvent: eventInternals.isEvent,
  isEventTarget,
  isAbortController,
});

/**
 * Performance (HR-Time §4) with `now()`, `timeOrigin` and `toJSON()`, as Cloudflare Workers
 * exposes it: no user timing entries, and (like Workers) not an EventTarget, so the events
 * module need not load for it. Both read the frozen clock of clock.ts.
 */

import { TypeError_ } from '../primordials.ts';
import { performanceNow, timeOrigin } from './clock.ts';

const INTERNAL = {};

export class Performance {
  #brand = true;

  constructor(token: unknown = undefined) {
    if (token !== INTERNAL) throw new TypeError_('Illegal constructor');
  }

  now(): number {
    void this.#brand;
    return performanceNow();
  }

  get timeOrigin(): number {
    void this.#brand;
    return timeOrigin;
  }

  toJSON(): { timeOrigin: number } {
    void this.#brand;
    return { timeOrigin };
  }
}

/** The global `performance` object. */
export function createPerformance(): Performance {
  return new Performance(INTERNAL);
}

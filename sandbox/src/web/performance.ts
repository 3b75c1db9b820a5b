/**
 * Performance (HR-Time §4) with `now()`, `timeOrigin` and `toJSON()`, as Cloudflare Workers
 * exposes it (no user timing entries). Both read the frozen clock of clock.ts.
 */

import { TypeError_ } from '../primordials.ts';
import { performanceNow, timeOrigin } from './clock.ts';
import { EventTarget } from './events.ts';

const INTERNAL = {};

export class Performance extends EventTarget {
  #brand = true;

  constructor(token: unknown = undefined) {
    if (token !== INTERNAL) throw new TypeError_('Illegal constructor');
    super();
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

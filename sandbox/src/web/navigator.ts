/** Navigator (HTML §8.9.1), reduced to what Cloudflare Workers exposes: userAgent and hardwareConcurrency. */

import { TypeError_ } from '../primordials.ts';

const INTERNAL = {};

export class Navigator {
  #brand = true;

  constructor(token: unknown = undefined) {
    if (token !== INTERNAL) throw new TypeError_('Illegal constructor');
  }

  get userAgent(): string {
    void this.#brand;
    return 'Atoll';
  }

  /** One: an invocation has one thread, whatever the machine has. */
  get hardwareConcurrency(): number {
    void this.#brand;
    return 1;
  }
}

/** The global `navigator` object. */
export function createNavigator(): Navigator {
  return new Navigator(INTERNAL);
}

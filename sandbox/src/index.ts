/**
 * The runtime bundle's entry (see bridge.ts for the boot sequence). `./boot.ts` must stay
 * the first import: it removes the host bridge from the global object.
 */
import './boot.ts';
import { installGlobals } from './globals.ts';
import { entry } from './invoke/runner.ts';

installGlobals(globalThis);

export default entry;

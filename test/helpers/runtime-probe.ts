/**
 * A runtime entry for tests (sandbox/build.ts `buildRuntime(entry)`): the real runtime,
 * src/index.ts imported first as it must be, plus a global `__probe` holding internals no
 * guest can otherwise reach, so a test can drive them inside a real isolate. Never part of
 * a runtime that serves functions.
 */
import entry from '../../sandbox/src/index.ts';
import { parseMultipart, parseUrlencodedForm, serialiseMultipart } from '../../sandbox/src/web/form-api.ts';

Object.defineProperty(globalThis, '__probe', { value: { serialiseMultipart, parseMultipart, parseUrlencodedForm }, configurable: true });

export default entry;

/**
 * A streamed body crosses the gateway as Buffers read from a sandbox host's socket, which
 * are garbage once written to the client. V8 frees a Buffer's memory only when its small
 * wrapper object is collected, and with little other allocation going on it waits until
 * such external memory has grown by 64 MB: one 100 MB stream would grow the gateway by
 * that much. A young-generation collection (about a millisecond) every few megabytes of
 * streamed bytes frees them as they go.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/** V8's collector, asked for young-generation collections; undefined where V8 refuses. */
const collectYoung = ((): (() => void) | undefined => {
  try {
    // Exposes `gc` to contexts created from now on; the one created here is the only one.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void;
    return () => gc({ type: 'minor' });
  } catch {
    return undefined;
  }
})();

let sinceLast = 0;

/** Count `bytes` of streamed body that went through; collect when enough has. */
export function streamedThrough(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < COLLECT_EVERY_BYTES || collectYoung === undefined) return;
  sinceLast = 0;
  collectYoung();
}

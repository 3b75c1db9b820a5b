/**
 * The runtime's side of the fast HTTP calls (bridge.ts): a request's header lines into the
 * pairs a Request is built from, and a response result into `bridge.respond`'s arguments.
 * Guest code may have patched any prototype by now: primordials only, and lists built with
 * listAppend.
 */

import { HEADER_LINE_SEPARATOR, RESPONSE_FINISH_LATER, RESPONSE_STREAM, type GuestResult } from '../bridge.ts';
import { host } from '../host.ts';
import { internalList, listAppend, StringPrototypeIndexOf, StringPrototypeSlice, TypeError_ } from '../primordials.ts';

/** `name\nvalue\n...` into [name, value] pairs; an odd number of lines is the host's bug, refused. */
export function headerPairs(lines: string): [string, string][] {
  const pairs: [string, string][] = internalList();
  if (lines.length === 0) return pairs;
  let start = 0;
  for (;;) {
    const nameEnd = StringPrototypeIndexOf(lines, HEADER_LINE_SEPARATOR, start);
    if (nameEnd === -1) throw new TypeError_('malformed header lines from the host');
    let valueEnd = StringPrototypeIndexOf(lines, HEADER_LINE_SEPARATOR, nameEnd + 1);
    if (valueEnd === -1) valueEnd = lines.length;
    listAppend(pairs, [StringPrototypeSlice(lines, start, nameEnd), StringPrototypeSlice(lines, nameEnd + 1, valueEnd)]);
    if (valueEnd === lines.length) return pairs;
    start = valueEnd + 1;
  }
}

/** [name, value] pairs (valid header names and values: no LF) into header lines. */
function headerLines(pairs: readonly (readonly [string, string])[]): string {
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    out = i === 0 ? `${pair[0]}${HEADER_LINE_SEPARATOR}${pair[1]}` : `${out}${HEADER_LINE_SEPARATOR}${pair[0]}${HEADER_LINE_SEPARATOR}${pair[1]}`;
  }
  return out;
}

/** Hand invocation `id`'s outcome to the host: an HTTP response field by field, anything else as it is. */
export function deliver(id: number, r: GuestResult): void {
  if (r.kind !== 'response') {
    host.done(id, r);
    return;
  }
  const flags = (r.stream === true ? RESPONSE_STREAM : 0) | (r.finishLater === true ? RESPONSE_FINISH_LATER : 0);
  host.respond(id, r.status, r.statusText, headerLines(r.headers), r.body, flags);
}

/**
 * Parsing `/fn/{name}[@{version}]/{path...}` from the raw request URL. The name segment is
 * percent-decoded once and then must match the function-name pattern exactly, so
 * `..%2F..%2Fetc`, `a%00b` or an over-long name can never reach the registry.
 */
import { AtollError } from '../errors/index.ts';
import { FUNCTION_NAME_PATTERN } from '../registry/index.ts';

export interface InvokeTarget {
  name: string;
  /** Undefined: the live version. */
  version: number | undefined;
  /** `/fn/{segment}` as it appeared in the URL. */
  basePath: string;
  /** The rest of the path (at least "/") plus the query string, still percent-encoded. */
  pathAndQuery: string;
}

const VERSION_PATTERN = /^[1-9][0-9]{0,8}$/;

/** Split a raw URL (absolute) whose path starts with `/fn/`. */
export function parseInvokeTarget(url: string): InvokeTarget {
  const pathStart = url.indexOf('/', url.indexOf('://') + 3);
  const segmentStart = pathStart + 4; // after "/fn/"
  let segmentEnd = segmentStart;
  while (segmentEnd < url.length) {
    const ch = url.charCodeAt(segmentEnd);
    if (ch === 47 /* / */ || ch === 63 /* ? */ || ch === 35 /* # */) break;
    segmentEnd++;
  }
  const rawSegment = url.slice(segmentStart, segmentEnd);
  let segment: string;
  try {
    segment = rawSegment.includes('%') ? decodeURIComponent(rawSegment) : rawSegment;
  } catch {
    throw invalidName(rawSegment);
  }
  const at = segment.lastIndexOf('@');
  const name = at === -1 ? segment : segment.slice(0, at);
  if (!FUNCTION_NAME_PATTERN.test(name)) throw invalidName(name);
  let version: number | undefined;
  if (at !== -1) {
    const versionText = segment.slice(at + 1);
    if (!VERSION_PATTERN.test(versionText)) {
      throw new AtollError('FUNCTION_NOT_FOUND', `"${versionText}" is not a version of function "${name}"`);
    }
    version = Number(versionText);
  }
  let rest = url.slice(segmentEnd);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const pathAndQuery = rest.length === 0 || rest.charCodeAt(0) === 63 ? `/${rest}` : rest;
  return { name, version, basePath: `/fn/${rawSegment}`, pathAndQuery };
}

function invalidName(name: string): AtollError {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return new AtollError('INVALID_FUNCTION_NAME', `invalid function name ${JSON.stringify(shown)}: expected ${FUNCTION_NAME_PATTERN.source}`);
}

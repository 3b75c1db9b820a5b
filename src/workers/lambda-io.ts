/**
 * What crosses the Runtime API for an invocation: the event a worker gets (an HTTP request
 * becomes API Gateway's payload 2.0 event, built by the same code as for isolates; a direct
 * invoke's event goes as it came) and what its response becomes (mapped back as API Gateway
 * does for HTTP, passed through for a direct invoke).
 */
import type { GuestRequest } from '../../sandbox/src/bridge.ts';
import { buildLambdaEvent } from '../../sandbox/src/invoke/lambda-event.ts';
import { mapLambdaResult } from '../../sandbox/src/invoke/lambda-result.ts';

export type MappedResponse =
  | { kind: 'response'; status: number; headers: [string, string][]; body: Buffer | undefined }
  | { kind: 'result'; payload: string }
  | { kind: 'invalid'; message: string };

/** The event body handed to the runtime from /next. */
export function eventPayload(request: GuestRequest, body: Uint8Array | undefined): Buffer {
  return request.kind === 'http' ? Buffer.from(JSON.stringify(buildLambdaEvent(request, body))) : Buffer.from(request.payload);
}

/** A runtime's response body, for an HTTP request (`http`) or a direct invoke. */
export function mapResponse(body: Buffer, http: boolean): MappedResponse {
  if (!http) return { kind: 'result', payload: body.byteLength === 0 ? 'null' : body.toString('utf8') };
  const text = body.toString('utf8');
  let result: unknown;
  try {
    result = text === '' ? null : JSON.parse(text);
  } catch {
    // A custom runtime may post plain text: it is the result as a string.
    result = text;
  }
  let mapped: ReturnType<typeof mapLambdaResult>;
  try {
    mapped = mapLambdaResult(result);
  } catch (error) {
    return { kind: 'invalid', message: String(error) };
  }
  if (mapped.kind === 'invalid') return mapped;
  const out = mapped.body === null ? undefined : Buffer.from(typeof mapped.body === 'string' ? mapped.body : new Uint8Array(mapped.body));
  return { kind: 'response', status: mapped.status, headers: plainPairs(mapped.headers), body: out };
}

/** The mapper's header list is a prototype-less array (it is built for the isolate): copy it into a plain one. */
function plainPairs(list: [string, string][]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < list.length; i++) out.push([list[i]![0], list[i]![1]]);
  return out;
}

/** An X-Ray style trace header derived from the request id. */
export function traceId(requestId: string): string {
  const hex = requestId.replace(/[^0-9a-f]/gi, '').toLowerCase().padEnd(24, '0').slice(0, 24);
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex};Parent=${hex.slice(0, 16)};Sampled=0`;
}

/** Headers of the frames exchanged between the gateway and a sandbox host. */
import type { ErrorCode } from '../errors/index.ts';
import type { FunctionLimits } from '../limits/index.ts';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';
import type { HostOpSettings } from './host-ops/types.ts';

export interface InitMessage {
  defaultMemoryMb: number;
  spareIsolates: number;
  maxIsolates: number;
  startupCpuMs: number;
  startupTimeoutMs: number;
  maxResponseBytes: number;
  /** Settings of the host operations (outbound fetch, crypto). */
  hostOps: HostOpSettings;
}

/** Body: the bundle's code bytes followed by its source map bytes. */
export interface DefineMessage {
  fnKey: string;
  filename: string;
  codeBytes: number;
  mapBytes: number;
}

export interface CreateMessage {
  instanceId: number;
  fnKey: string;
  name: string;
  version: number;
  limits: FunctionLimits;
  env: Record<string, string>;
}

/**
 * A host holds Invoke frames for a busy instance and starts each when the one before it
 * has settled, after writing out every result so far: so whatever the gateway has no
 * result for, beyond an instance's oldest invocation, has not started (SandboxHost).
 * It hands the held ones back unstarted (`notStarted`) once the running one has taken
 * this long, or when the instance dies.
 */
export const AHEAD_WAIT_MS = 10;

/** Body: the request body, if any. */
export interface InvokeMessage {
  id: number;
  instanceId: number;
  request: GuestRequest;
}

/**
 * What an invocation came to. Body: the response body, for `kind: 'response'`.
 * `open`: the invocation goes on after this result (a streamed body, whose chunks follow
 * as Chunk frames and an End frame, or `ctx.waitUntil` work); a Finished frame ends it.
 */
export type ResultMessage =
  | { id: number; kind: 'response'; status: number; headers: [string, string][]; stream?: boolean; open?: boolean; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'result'; payload: string; open?: boolean; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'failure'; code: ErrorCode; message: string; cpuMs: number; wallMs: number; cold?: boolean; disposed: boolean; notStarted?: boolean };

/** The end of a streamed body. `error` (an error code or the stream's error) when it did not complete. */
export interface EndMessage {
  id: number;
  error: string | null;
}

/** An open invocation is over: its whole cost, and how it ended (`OK` or the error code that ended it). */
export interface FinishedMessage {
  id: number;
  code: ErrorCode | 'OK';
  cpuMs: number;
  wallMs: number;
  disposed: boolean;
}

export interface LogRecord {
  ts: number;
  requestId: string;
  fnKey: string;
  level: string;
  message: string;
}


/*
 * Compact text forms of the two headers every HTTP invocation sends (an Invoke of an HTTP
 * request, a Result with a response), fields one per line: JSON.stringify and JSON.parse of
 * them were ~3.5 µs per invocation across the gateway and its host. A line feed can be in
 * none of the fields (Node's parser refuses it in a request line or header; a response's
 * headers come split on it from the guest, isolate.ts); should one be there all the same,
 * the header goes as JSON, which a decoder tells by its first character.
 */
const LF = '\n';
const HTTP_INVOKE = 'H';
const RESPONSE_RESULT = 'R';
const RESULT_STREAM = 1;
const RESULT_OPEN = 2;
const RESULT_COLD = 4;

function lineSafe(...texts: string[]): boolean {
  for (const text of texts) if (typeof text !== 'string' || text.includes(LF)) return false;
  return true;
}

function headerText(headers: [string, string][]): string | undefined {
  let out = '';
  for (const [name, value] of headers) {
    if (!lineSafe(name, value)) return undefined;
    out += `${LF}${name}${LF}${value}`;
  }
  return out;
}

function headerPairs(lines: string[], from: number): [string, string][] {
  if ((lines.length - from) % 2 !== 0) throw new Error('malformed header lines in a frame');
  const pairs: [string, string][] = [];
  for (let i = from; i < lines.length; i += 2) pairs.push([lines[i]!, lines[i + 1]!]);
  return pairs;
}

/** The Invoke frame's header: text for an HTTP request, JSON otherwise. */
export const invokeHeaderCodec = {
  encode(message: InvokeMessage): string {
    const { id, instanceId, request } = message;
    if (request.kind === 'http') {
      const { requestId, method, url, basePath, sourceIp, timeEpochMs, deadlineMs } = request;
      const headers = lineSafe(requestId, method, url, basePath, sourceIp) ? headerText(request.headers) : undefined;
      if (headers !== undefined) {
        return `${HTTP_INVOKE}${LF}${id}${LF}${instanceId}${LF}${requestId}${LF}${method}${LF}${url}${LF}${basePath}${LF}${sourceIp}${LF}${timeEpochMs}${LF}${deadlineMs}${headers}`;
      }
    }
    return JSON.stringify(message);
  },
  decode(text: string): InvokeMessage {
    if (text[0] !== HTTP_INVOKE) return JSON.parse(text) as InvokeMessage;
    const f = text.split(LF);
    if (f.length < 10) throw new Error('malformed Invoke header');
    return {
      id: Number(f[1]),
      instanceId: Number(f[2]),
      request: {
        kind: 'http', requestId: f[3]!, method: f[4]!, url: f[5]!, basePath: f[6]!, sourceIp: f[7]!,
        timeEpochMs: Number(f[8]), deadlineMs: Number(f[9]), headers: headerPairs(f, 10),
      },
    };
  },
};

/** The Result frame's header: text for a response, JSON otherwise. */
export const resultHeaderCodec = {
  encode(message: ResultMessage): string {
    if (message.kind === 'response') {
      const headers = headerText(message.headers);
      if (headers !== undefined) {
        const flags = (message.stream ? RESULT_STREAM : 0) | (message.open ? RESULT_OPEN : 0) | (message.cold ? RESULT_COLD : 0);
        return `${RESPONSE_RESULT}${LF}${message.id}${LF}${message.status}${LF}${flags}${LF}${message.cpuMs}${LF}${message.wallMs}${headers}`;
      }
    }
    return JSON.stringify(message);
  },
  decode(text: string): ResultMessage {
    if (text[0] !== RESPONSE_RESULT) return JSON.parse(text) as ResultMessage;
    const f = text.split(LF);
    if (f.length < 6) throw new Error('malformed Result header');
    const flags = Number(f[3]);
    return {
      id: Number(f[1]), kind: 'response', status: Number(f[2]), headers: headerPairs(f, 6),
      stream: (flags & RESULT_STREAM) !== 0, open: (flags & RESULT_OPEN) !== 0, cold: (flags & RESULT_COLD) !== 0,
      cpuMs: Number(f[4]), wallMs: Number(f[5]),
    };
  },
};

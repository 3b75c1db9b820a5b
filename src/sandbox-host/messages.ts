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

/** Body: the request body, if any. An HTTP request goes as an InvokeHttp frame, its head binary (frame-heads.ts). */
export interface InvokeMessage {
  id: number;
  instanceId: number;
  request: GuestRequest;
}

/**
 * What an invocation came to. Body: the response body, for `kind: 'response'`, which goes
 * as a Response frame, its head binary (frame-heads.ts); the other kinds as Result frames.
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


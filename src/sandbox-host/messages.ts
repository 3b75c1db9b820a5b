/** Headers of the frames exchanged between the gateway and a sandbox host. */
import type { ErrorCode } from '../errors/index.ts';
import type { FunctionLimits } from '../limits/index.ts';
import type { GuestRequest } from '../../sandbox/src/bridge.ts';

export interface InitMessage {
  defaultMemoryMb: number;
  spareIsolates: number;
  maxIsolates: number;
  startupCpuMs: number;
  startupTimeoutMs: number;
  maxResponseBytes: number;
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

/** Body: the request body, if any. */
export interface InvokeMessage {
  id: number;
  instanceId: number;
  request: GuestRequest;
}

/** What an invocation came to. Body: the response body, for `kind: 'response'`. */
export type ResultMessage =
  | { id: number; kind: 'response'; status: number; headers: [string, string][]; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'result'; payload: string; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'failure'; code: ErrorCode; message: string; cpuMs: number; wallMs: number; cold?: boolean; disposed: boolean };

export interface LogRecord {
  ts: number;
  requestId: string;
  fnKey: string;
  level: string;
  message: string;
}


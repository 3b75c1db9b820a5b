/** What the worker pool hands back to the scheduler: the same shapes as a sandbox host's. */
import type { ErrorCode } from '../errors/index.ts';

/** An invocation's result. A worker's results are never `open`: its response is whole when it arrives. */
export type WorkerResult =
  | { id: number; kind: 'response'; status: number; headers: [string, string][]; body?: Buffer; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'result'; payload: string; cpuMs: number; wallMs: number; cold: boolean; disposed?: false }
  | { id: number; kind: 'failure'; code: ErrorCode; message: string; cpuMs: number; wallMs: number; cold?: boolean; disposed: boolean };

/** One captured output line; `fnKey` is `name@version`. */
export interface WorkerLogRecord {
  ts: number;
  requestId: string;
  fnKey: string;
  level: string;
  message: string;
}

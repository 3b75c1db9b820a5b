/**
 * Host operations: the asynchronous work the runtime inside an isolate asks the sandbox
 * host to do (`bridge.call(op, args)`): outbound fetch, crypto.subtle. Each op gets the
 * guest's arguments (copied, untrusted: validate every one) and a context scoped to the
 * invocation that started it. Its result is copied into the isolate, so it must be
 * structured-cloneable: primitives, plain objects and arrays, ArrayBuffer, typed arrays.
 */

/** Server-wide settings of the host operations (part of the sandbox host's InitMessage). */
export interface HostOpSettings {
  /** `HOST[:PORT]` entries that outbound fetch may reach although they resolve to a barred address. */
  readonly fetchAllow: readonly string[];
  /** Outbound fetches one invocation may start. */
  maxSubrequests: number;
}

export interface OpContext {
  /** Aborted when the invocation that started the op is over, or its instance is destroyed. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  /** `name@version` of the function. */
  readonly fnKey: string;
  /** Epoch ms at which the invocation's wall-clock limit ends. */
  readonly deadlineMs: number;
  readonly memoryMb: number;
  /** Scratch space of the ops for this invocation (e.g. open response bodies), dropped with it. */
  readonly state: Map<string, unknown>;
  readonly settings: HostOpSettings;
  /** A line in the function's logs, under the invocation's request id. */
  log(level: 'info' | 'warn' | 'error', text: string): void;
}

/** One operation. A throw or rejection reaches the guest as described at OpError. */
export type HostOpHandler = (ctx: OpContext, args: unknown[]) => unknown;

/**
 * An error the guest should see: its promise rejects with a TypeError or RangeError for
 * those names, otherwise with a DOMException of that name (e.g. `OperationError`).
 * Any other error thrown by an op is reported with its name only when it is a
 * DOMException; its message never carries host details the guest should not see.
 */
export class OpError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** What the guest learns of a failed operation: only errors meant for it keep their message. */
export function opErrorValue(error: unknown, op: string, log: (text: string) => void): { name: string; message: string } {
  if (error instanceof OpError) return { name: error.name, message: error.message };
  // Node's webcrypto reports the spec's errors as DOMExceptions: their names and messages are the spec's.
  if (error instanceof DOMException) return { name: error.name, message: error.message };
  log(`host operation ${op} failed: ${error instanceof Error ? error.name : 'unknown error'}`);
  return { name: 'OperationError', message: `${op} failed` };
}

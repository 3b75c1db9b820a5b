import type { ConcurrencyLimits, FunctionLimits } from '../limits/index.ts';
import type { Runtime } from '../registry/index.ts';

/** What the scheduler needs to know about a deployed function version. */
export interface FunctionVersion {
  /** `name@version`: identifies the code on the hosts and the pool. */
  readonly fnKey: string;
  readonly name: string;
  readonly version: number;
  readonly runtime: Runtime;
  /** Lambda's `file.function` for python3 and provided; null for js. */
  readonly handler: string | null;
  readonly style: 'workers' | 'lambda';
  readonly limits: FunctionLimits;
  readonly env: Readonly<Record<string, string>>;
  readonly concurrency: ConcurrencyLimits;
  /** Language workers: may reach the network beyond the Runtime API. */
  readonly outboundNetwork: boolean;
  /** The bundled code and its source map (js); empty for other runtimes. */
  readonly code: string;
  readonly sourceMap: string | undefined;
  /** The deploy's files as they came, for runtimes that run them as they are; empty for js. */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

/**
 * What an invocation came to, as the gateway sees it. `finished` is set when the
 * invocation goes on after its response (a streamed body in `bodyStream`, or
 * `ctx.waitUntil` work): it settles with the invocation's whole cost when it is over.
 */
export type InvocationOutcome =
  | {
      kind: 'response';
      status: number;
      headers: [string, string][];
      body: Buffer | undefined;
      bodyStream: ReadableStream<Uint8Array> | undefined;
      metrics: InvocationMetrics;
      finished: Promise<InvocationEnd> | undefined;
    }
  | { kind: 'result'; payload: string; metrics: InvocationMetrics; finished: Promise<InvocationEnd> | undefined }
  | { kind: 'failure'; code: import('../errors/index.ts').ErrorCode; message: string; metrics: InvocationMetrics };

/** How an open invocation ended: `OK`, or the error code that cut it short (e.g. FUNCTION_TIMEOUT mid-stream). */
export interface InvocationEnd {
  code: string;
  metrics: InvocationMetrics;
}

export interface InvocationMetrics {
  cpuMs: number;
  wallMs: number;
  cold: boolean;
}

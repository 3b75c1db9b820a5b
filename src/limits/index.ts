/** Named limits with their units in the name (design.md §5). */

export interface FunctionLimits {
  readonly memoryMb: number;
  readonly cpuMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_FUNCTION_LIMITS: FunctionLimits = Object.freeze({
  memoryMb: 128,
  cpuMs: 50,
  timeoutMs: 30_000,
});

/** Server-wide maxima: a deploy may ask for less, never more. */
export const DEFAULT_MAX_FUNCTION_LIMITS: FunctionLimits = Object.freeze({
  memoryMb: 1024,
  cpuMs: 30_000,
  timeoutMs: 900_000,
});

export const MIN_FUNCTION_LIMITS: FunctionLimits = Object.freeze({
  memoryMb: 8,
  cpuMs: 1,
  timeoutMs: 10,
});

export const STARTUP_CPU_MS = 1000;
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
export const MAX_DEPLOY_BYTES = 50 * 1024 * 1024;
export const MAX_SUBREQUESTS = 50;
export const MAX_LOG_LINE_BYTES = 8 * 1024;

export interface ConcurrencyLimits {
  readonly max: number;
  readonly minWarm: number;
}

export const DEFAULT_CONCURRENCY: ConcurrencyLimits = Object.freeze({ max: 100, minWarm: 0 });
export const MAX_CONCURRENCY = 1000;
/** Requests that may wait per function once every instance is busy; past that, 429. */
export const DEFAULT_QUEUE_DEPTH = 100;
/** How long a queued request may wait for an instance before 429. */
export const DEFAULT_QUEUE_WAIT_MS = 10_000;
export const DEFAULT_IDLE_MS = 5 * 60_000;

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

/**
 * crypto.subtle runs in the sandbox host, outside the guest's CPU and memory limits, so
 * what one call may ask of it is capped (src/sandbox-host/host-ops/crypto.ts). Past a cap
 * the call rejects with NotSupportedError (parameters) or QuotaExceededError (bytes).
 */
export const MAX_RSA_GENERATE_MODULUS_BITS = 4096;
/** Largest RSA key an imported key may have (signing with one costs the cube of its size). */
export const MAX_RSA_MODULUS_BITS = 8192;
export const MAX_PBKDF2_ITERATIONS = 1_000_000;
/** PBKDF2 computes one HMAC per iteration per output block (of the hash's size): 1,000,000 iterations derive up to 4 blocks. */
export const MAX_PBKDF2_HMACS = 4_000_000;
/** deriveBits' length, and the length of a generated or derived HMAC key (HKDF-SHA-512's own maximum is 130,560). */
export const MAX_CRYPTO_OUTPUT_BITS = 131_072;
/** What one call may carry to the host: data, key material, parameters. */
export const MAX_CRYPTO_CALL_BYTES = 32 * 1024 * 1024;
/** What the calls an invocation has in flight may carry together (each counts at least CRYPTO_CALL_OVERHEAD_BYTES). */
export const MAX_CRYPTO_PENDING_BYTES = 64 * 1024 * 1024;
export const CRYPTO_CALL_OVERHEAD_BYTES = 4096;

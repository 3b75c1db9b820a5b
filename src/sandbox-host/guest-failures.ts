/**
 * Reading why a guest entry failed: the watchdog's verdict, isolated-vm's own errors, an
 * ArrayBuffer allocation over the memory limit, or a promise rejection nobody handled.
 */
import type { ErrorCode } from '../errors/index.ts';
import type { GuestIsolate, Kill } from './isolate.ts';

/** A throw out of a runtime entry that is not isolated-vm's own failure: a rejection nobody handled (see #enter). */
export function isUnhandledRejection(thrown: unknown): boolean {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return !/memory limit|isolate is disposed|could not be cloned/i.test(text);
}

/** A thrown value as log text (its stack when it has one), at most 64 KiB. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return (thrown.stack ?? `${thrown.name}: ${thrown.message}`).slice(0, 64 * 1024);
  return String(thrown).slice(0, 64 * 1024);
}

/** ArrayBuffer memory over the limit surfaces as this catchable RangeError. */
export const ALLOCATION_FAILURE = /^RangeError: Array buffer allocation failed/;

export function isAllocationFailure(result: { name: string; message: string }): boolean {
  return ALLOCATION_FAILURE.test(`${result.name}: ${result.message}`);
}

/** Why did the guest stop? The watchdog's verdict first, then what isolated-vm said. */
export function classifyDeath(kill: Kill | undefined, thrown: unknown, guest: GuestIsolate, phase: string): { code: ErrorCode; message: string } {
  const verdict = kill?.reason;
  if (verdict === 'cpu') return { code: 'CPU_LIMIT_EXCEEDED', message: `the ${phase} used more CPU time than allowed` };
  if (verdict === 'wall') return { code: 'FUNCTION_TIMEOUT', message: `the ${phase} ran past its wall-clock limit` };
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  if (/memory limit/i.test(text)) return { code: 'MEMORY_LIMIT_EXCEEDED', message: `the ${phase} exceeded its memory limit` };
  if (guest.isDisposed) return { code: 'WORKER_CRASHED', message: `the isolate was disposed during the ${phase}` };
  return { code: 'WORKER_CRASHED', message: `the runtime failed during the ${phase}: ${text}` };
}

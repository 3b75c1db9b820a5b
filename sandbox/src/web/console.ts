/** console: each call is formatted in the isolate and handed to the host as one line. */

import type { LogLevel } from '../bridge.ts';
import { ReflectApply, StringPrototypeSlice } from '../primordials.ts';
import { host } from '../host.ts';
import { formatLog } from './inspect.ts';

/** Cap per console call, so one log line cannot flood the host. */
export const MAX_LOG_CHARS = 8 * 1024;

function emit(level: LogLevel, args: unknown[]): void {
  let text: string;
  try {
    text = formatLog(args);
  } catch {
    text = '[unformattable log arguments]';
  }
  if (text.length > MAX_LOG_CHARS) text = `${StringPrototypeSlice(text, 0, MAX_LOG_CHARS)}… [truncated]`;
  ReflectApply(host.log, undefined, [level, text]);
}

/** Builds the global console object. */
export function createConsole(): Record<string, (...args: unknown[]) => void> {
  const counts: Record<string, number> = { __proto__: null } as never;
  const c = {
    log: (...args: unknown[]) => emit('log', args),
    info: (...args: unknown[]) => emit('info', args),
    warn: (...args: unknown[]) => emit('warn', args),
    error: (...args: unknown[]) => emit('error', args),
    debug: (...args: unknown[]) => emit('debug', args),
    trace: (...args: unknown[]) => emit('debug', args),
    assert: (cond: unknown, ...args: unknown[]) => {
      if (!cond) emit('error', args.length === 0 ? ['Assertion failed'] : ['Assertion failed:', ...args]);
    },
    count: (label: unknown = 'default') => {
      const k = String(label);
      counts[k] = (counts[k] ?? 0) + 1;
      emit('info', [`${k}: ${counts[k]}`]);
    },
  };
  return c;
}

/** Calling a Lambda-style handler: the context object, async and callback styles. */

import type { FunctionMeta } from '../bridge.ts';
import { Date_, MathMax, ObjectFreeze, ReflectApply, String_ } from '../primordials.ts';
import { clockNow } from '../web/clock.ts';
import { settle } from './settle.ts';

export interface Deadline {
  requestId: string;
  deadlineMs: number;
}

interface FixedFields {
  meta: FunctionMeta;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}
let fixedCache: FixedFields | null = null;

/** The context fields that stay the same for the instance (Lambda's log stream is per execution environment too). */
function fixedFields(meta: FunctionMeta): FixedFields {
  if (fixedCache !== null && fixedCache.meta === meta) return fixedCache;
  const d = new Date_(clockNow());
  const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const day = `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
  fixedCache = {
    meta,
    functionVersion: String_(meta.version),
    invokedFunctionArn: `arn:aws:lambda:atoll:000000000000:function:${meta.name}:${meta.version}`,
    memoryLimitInMB: String_(meta.memoryMb),
    logGroupName: `/aws/lambda/${meta.name}`,
    logStreamName: `${day}/[${meta.version}]atoll`,
  };
  return fixedCache;
}

/** Lambda's context object for one invocation; `finish` receives succeed/fail/done. */
export function lambdaContext(meta: FunctionMeta, inv: Deadline, finish: (err: unknown, value: unknown) => void): object {
  const fixed = fixedFields(meta);
  return {
    awsRequestId: inv.requestId,
    functionName: meta.name,
    functionVersion: fixed.functionVersion,
    invokedFunctionArn: fixed.invokedFunctionArn,
    memoryLimitInMB: fixed.memoryLimitInMB,
    logGroupName: fixed.logGroupName,
    logStreamName: fixed.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    // The frozen clock (web/clock.ts): a busy loop sees the same remaining time throughout.
    getRemainingTimeInMillis: () => MathMax(0, inv.deadlineMs - clockNow()),
    succeed: (value?: unknown) => finish(undefined, value),
    fail: (err?: unknown) => finish(err ?? new Error('handler failed'), undefined),
    done: (err?: unknown, value?: unknown) => finish(err, value),
  };
}

/**
 * Calls `handler(event, context[, callback])`. A thenable result is awaited; otherwise a
 * handler declaring three parameters is waited on for its callback; otherwise its return
 * value is taken as the result (AWS would answer null; returning the value is kinder).
 */
export function callHandler(
  handler: Function,
  event: unknown,
  meta: FunctionMeta,
  inv: Deadline,
  onValue: (v: unknown) => void,
  onError: (e: unknown) => void,
): void {
  let settled = false;
  const finish = (err: unknown, value: unknown) => {
    if (settled) return;
    settled = true;
    if (err !== undefined && err !== null) onError(err);
    else onValue(value);
  };
  const context = lambdaContext(meta, inv, finish);
  const callback = (err?: unknown, value?: unknown) => finish(err, value);
  let ret: unknown;
  try {
    ret = ReflectApply(handler, undefined, [event, context, callback]);
  } catch (e) {
    finish(e, undefined);
    return;
  }
  let thenable = false;
  try {
    thenable = (typeof ret === 'object' || typeof ret === 'function') && ret !== null && typeof (ret as { then?: unknown }).then === 'function';
  } catch (e) {
    finish(e, undefined);
    return;
  }
  if (thenable) {
    settle(ret, (v) => finish(undefined, v), (e) => finish(e ?? new Error('handler rejected'), undefined));
  } else if (handler.length < 3) {
    finish(undefined, ret);
  }
}

void ObjectFreeze;

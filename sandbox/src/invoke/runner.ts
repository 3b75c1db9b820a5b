/** The RuntimeEntry: loading the user module and dispatching invocations (see bridge.ts for the contract). */

import type { FunctionMeta, GuestRequest, GuestResult, LoadResult, ModuleFactory, RuntimeEntry } from '../bridge.ts';
import { host } from '../host.ts';
import {
  ArrayBufferPrototypeGetByteLength,
  JSONParse,
  JSONStringify,
  ObjectFreeze,
  ObjectKeys,
  ReflectApply,
  String_,
  Uint8Array_,
  dataDescriptor,
  ObjectDefineProperty,
  setFunctionName,
  Map_,
  MapPrototypeDelete,
  MapPrototypeForEach,
  MapPrototypeGet,
  MapPrototypeSet,
  PromisePrototypeThen,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset,
} from '../primordials.ts';
import { type BodyStreamReader, consume } from '../web/body.ts';
import { isArrayBuffer, toArrayBuffer } from '../web/buffer-source.ts';
import { DOMException } from '../web/dom-exception.ts';
import { settleHostCall } from '../host-calls.ts';
import { Request, requestInternals } from '../web/request.ts';
import { responseInternals } from '../web/response.ts';
import { tickClock } from '../web/clock.ts';
import { fireTimer as runTimer } from '../web/timers.ts';
import { utf8ByteLength } from '../web/utf8.ts';
import { errorResult } from './errors.ts';
import { callHandler } from './lambda.ts';
import { buildLambdaEvent } from './lambda-event.ts';
import { mapLambdaResult } from './lambda-result.ts';
import { buildRequest, callFetch, executionContext, serialiseResponse } from './workers.ts';
import { deliver, headerPairs } from './wire.ts';

interface Loaded {
  style: 'workers' | 'lambda';
  fn: Function;
  self: unknown;
  env: Readonly<Record<string, string>>;
  meta: FunctionMeta;
}

let loaded: Loaded | null = null;
/** The finisher of the invocation in progress, so an exception in a timer can fail it. */
let current: ((r: GuestResult) => void) | null = null;

function detect(exports: unknown): { style: 'workers' | 'lambda'; fn: Function; self: unknown } | null {
  if (typeof exports !== 'object' && typeof exports !== 'function') return null;
  if (exports === null) return null;
  const def = (exports as { default?: unknown }).default;
  if (typeof def === 'object' && def !== null) {
    const fetch = (def as { fetch?: unknown }).fetch;
    if (typeof fetch === 'function') return { style: 'workers', fn: fetch, self: def };
  }
  const handler = (exports as { handler?: unknown }).handler;
  if (typeof handler === 'function') return { style: 'lambda', fn: handler, self: undefined };
  if ((typeof def === 'object' || typeof def === 'function') && def !== null) {
    const h = (def as { handler?: unknown }).handler;
    if (typeof h === 'function') return { style: 'lambda', fn: h, self: undefined };
  }
  return null;
}

function frozenEnv(env: Record<string, string>): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const keys = ObjectKeys(env);
  for (let i = 0; i < keys.length; i++) ObjectDefineProperty(out, keys[i]!, dataDescriptor(String_(env[keys[i]!]), true));
  return ObjectFreeze(out);
}

function load(factory: ModuleFactory, env: Record<string, string>, meta: FunctionMeta): LoadResult {
  tickClock();
  if (loaded !== null) return { kind: 'invalid', message: 'module already loaded' };
  try {
    const exports = {};
    const module = { exports: exports as unknown };
    ReflectApply(factory, undefined, [exports, module]);
    const found = detect(module.exports);
    if (found === null) {
      return { kind: 'invalid', message: 'the module exports neither a default object with fetch() nor a handler function' };
    }
    loaded = { style: found.style, fn: found.fn, self: found.self, env: frozenEnv(env), meta: ObjectFreeze({ ...meta }) };
    return { kind: 'loaded', style: found.style };
  } catch (e) {
    return errorResult(e);
  }
}

function bodyBytes(body: ArrayBuffer | undefined): Uint8Array | undefined {
  if (body === undefined) return undefined;
  ArrayBufferPrototypeGetByteLength(body); // brand check: throws for anything but an ArrayBuffer
  return new Uint8Array_(body);
}

/**
 * An invocation whose response is out but which is not over: its body still streaming,
 * or promises passed to `ctx.waitUntil` still pending. The instance stays busy until the
 * last of them ends, and then the runner tells the host through `bridge.finished`.
 */
interface Open {
  id: number;
  reader: BodyStreamReader | null;
  reading: boolean;
  /** Chunks the host can take now. */
  credit: number;
  waits: number;
  responded: boolean;
  over: boolean;
}

const open = new Map_<number, Open>();
/** The Request of each Workers-style HTTP invocation not over yet, for `cancel` (its signal). */
const requests = new Map_<number, Request>();

function invoke(id: number, request: GuestRequest, body: ArrayBuffer | undefined): void {
  tickClock();
  const state: Open = { id, reader: null, reading: false, credit: 0, waits: 0, responded: false, over: false };
  const finish = (r: GuestResult, reader: BodyStreamReader | null = null) => {
    if (state.responded) return;
    if (current === finish) current = null;
    state.responded = true;
    state.reader = reader;
    const ok = r.kind === 'response' || r.kind === 'result';
    if (ok && (reader !== null || state.waits > 0)) {
      r.finishLater = true;
      MapPrototypeSet(open, id, state);
    } else {
      state.over = true;
      MapPrototypeDelete(requests, id);
    }
    try {
      deliver(id, r);
    } catch {
      // the host rejected the result (e.g. it went away); nothing left to tell it
    }
  };
  current = finish;
  const fail = (e: unknown) => finish(errorResult(e));
  try {
    const mod = loaded;
    if (mod === null) return finish({ kind: 'invalid', message: 'no module loaded' });
    const bytes = bodyBytes(body);
    const max = mod.meta.maxResponseBytes;
    if (request.kind === 'http') {
      if (mod.style === 'workers') {
        const req = buildRequest(request, bytes);
        MapPrototypeSet(requests, id, req);
        callFetch(mod.fn, mod.self, [req, mod.env, executionContext(state, waitUntilSettled)], (v) => {
          const s = serialiseResponse(v, max);
          finish(s.result, s.reader);
        }, fail);
      } else {
        const event = buildLambdaEvent(request, bytes);
        callHandler(mod.fn, event, mod.meta, request, (v) => finish(guard(() => sized(mapLambdaResult(v), max))), fail);
      }
      return;
    }
    if (mod.style === 'lambda') {
      const event = JSONParse(request.payload);
      callHandler(mod.fn, event, mod.meta, request, (v) => finish(guard(() => eventResult(JSONStringify(v ?? null) ?? 'null', max))), fail);
    } else {
      const req = new Request('http://localhost/', {
        method: 'POST',
        headers: [['content-type', 'application/json']],
        body: request.payload,
      });
      callFetch(mod.fn, mod.self, [req, mod.env, executionContext(state, waitUntilSettled)], (v) => workersEventResult(v, max, finish), fail);
    }
  } catch (e) {
    fail(e);
  }

  function guard(f: () => GuestResult): GuestResult {
    try {
      return f();
    } catch (e) {
      return errorResult(e);
    }
  }
}

/** `invoke` for an HTTP request whose fields arrive as arguments (bridge.ts). */
function invokeHttp(
  id: number, requestId: string, method: string, url: string, basePath: string, headerLines: string,
  sourceIp: string, timeEpochMs: number, deadlineMs: number, body: ArrayBuffer | undefined,
): void {
  let headers: [string, string][];
  try {
    headers = headerPairs(String_(headerLines));
  } catch (e) {
    deliver(id, errorResult(e));
    return;
  }
  invoke(id, { kind: 'http', requestId, method, url, basePath, headers, sourceIp, timeEpochMs, deadlineMs }, body);
}

/** A promise passed to `ctx.waitUntil` settled: a rejection is logged, and the invocation may be over. */
function waitUntilSettled(state: Open, error: unknown, failed: boolean): void {
  state.waits--;
  if (failed) logUncaught(error, 'waitUntil promise rejected');
  if (state.responded) finishIfIdle(state);
}

/** Ends `state` once its stream is done and its waitUntil promises have settled. */
function finishIfIdle(state: Open): void {
  if (state.over || state.reader !== null || state.waits > 0) return;
  state.over = true;
  MapPrototypeDelete(open, state.id);
  MapPrototypeDelete(requests, state.id);
  try {
    host.finished(state.id);
  } catch {
    // the host went away
  }
}

/** `entry.pull`: the host can take `n` more chunks of invocation `id`'s streamed body. */
function pull(id: number, n: number): void {
  tickClock();
  const state = MapPrototypeGet(open, id);
  if (state === undefined || state.reader === null) return;
  state.credit += n > 0 ? n : 1;
  if (!state.reading) readNext(state);
}

/**
 * Reads and sends chunks while the host has room. A source that has data ready yields its
 * chunks in microtasks, so one entry from the host sends them all.
 */
function readNext(state: Open): void {
  const reader = state.reader;
  if (reader === null || state.credit <= 0) return;
  state.reading = true;
  PromisePrototypeThen(
    reader.next(),
    (chunk: Uint8Array | null) => {
      state.reading = false;
      if (state.reader !== reader) return;
      if (chunk === null) return endStream(state, null);
      state.credit--;
      try {
        host.chunk(state.id, wholeBuffer(chunk));
      } catch {
        // the host went away
      }
      readNext(state);
    },
    (e: unknown) => {
      state.reading = false;
      if (state.reader !== reader) return;
      const r = errorResult(e);
      logUncaught(e, 'response stream errored');
      endStream(state, `${r.name}: ${r.message}`);
    },
  );
}

/** The chunk's bytes as an ArrayBuffer for the host (which copies them as it receives them): its own buffer when the chunk spans all of it. */
function wholeBuffer(chunk: Uint8Array): ArrayBuffer {
  const buffer = TypedArrayPrototypeGetBuffer(chunk);
  const whole = TypedArrayPrototypeGetByteOffset(chunk) === 0 && TypedArrayPrototypeGetByteLength(chunk) === ArrayBufferPrototypeGetByteLength(buffer);
  return whole && isArrayBuffer(buffer) ? buffer : toArrayBuffer(chunk);
}

function endStream(state: Open, error: string | null): void {
  state.reader = null;
  try {
    host.end(state.id, error);
  } catch {
    // the host went away
  }
  finishIfIdle(state);
}

/**
 * `entry.cancel`: the client went away. The request's signal aborts (listeners run now,
 * under the invocation's limits), and a streamed response is cancelled (the host already
 * counts it ended).
 */
function cancel(id: number): void {
  tickClock();
  const req = MapPrototypeGet(requests, id);
  if (req !== undefined) {
    MapPrototypeDelete(requests, id);
    try {
      requestInternals.abort(req, new DOMException('The client disconnected', 'AbortError'));
    } catch (e) {
      logUncaught(e, 'abort listener');
    }
  }
  const state = MapPrototypeGet(open, id);
  if (state === undefined || state.reader === null) return;
  const reader = state.reader;
  state.reader = null;
  try {
    reader.cancel(new DOMException('The client disconnected', 'AbortError'));
  } catch {
    // a guest's cancel algorithm threw; the stream is dropped either way
  }
  finishIfIdle(state);
}

function logUncaught(e: unknown, what: string): void {
  const r = errorResult(e);
  try {
    host.log('error', `Uncaught (${what}) ${r.stack}`);
  } catch {
    // logging is best effort
  }
}

function sized(r: GuestResult, max: number): GuestResult {
  if (r.kind !== 'response' || r.body === null) return r;
  const n = typeof r.body === 'string' ? textBytes(r.body, max) : ArrayBufferPrototypeGetByteLength(r.body);
  return n > max ? { kind: 'tooLarge', bytes: n } : r;
}

/** UTF-8 length of `text`, counted only when it could be over `max` (at most 3 bytes a code unit). */
function textBytes(text: string, max: number): number {
  return text.length * 3 <= max ? text.length : utf8ByteLength(text);
}

function eventResult(payload: string, max: number): GuestResult {
  const n = textBytes(payload, max);
  return n > max ? { kind: 'tooLarge', bytes: n } : { kind: 'result', payload };
}

function workersEventResult(v: unknown, max: number, finish: (r: GuestResult) => void): void {
  const r = responseInternals(v);
  if (r === null || r.body.used) return finish({ kind: 'invalid', message: 'fetch handler did not return a usable Response' });
  if (!r.body.isStream && r.body.byteLength > max) return finish({ kind: 'tooLarge', bytes: r.body.byteLength });
  PromisePrototypeThen(
    consume.text(r.body),
    (text: string) => {
      if (textBytes(text, max) > max) return finish({ kind: 'tooLarge', bytes: utf8ByteLength(text) });
      try {
        JSONParse(text);
        finish({ kind: 'result', payload: text });
      } catch {
        finish(eventResult(JSONStringify(text), max));
      }
    },
    (e: unknown) => finish(errorResult(e)),
  );
}

function fireTimer(id: number): void {
  tickClock();
  try {
    runTimer(id);
  } catch (e) {
    const r = errorResult(e);
    try {
      host.log('error', `Uncaught ${r.stack}`);
    } catch {
      // logging is best effort
    }
    // An uncaught exception in a timer fails the invocation it belongs to, as it would crash a Lambda runtime;
    // after the response, it breaks the body still streaming.
    if (current !== null) current(r);
    else MapPrototypeForEach(open, (state: Open) => {
      if (state.reader === null) return;
      try {
        state.reader.cancel(e);
      } catch {
        // the stream is dropped either way
      }
      endStream(state, `${r.name}: ${r.message}`);
    });
  }
}

// The frames under every guest call keep readable names in stack traces (identifiers are minified).
setFunctionName(load, 'load');
setFunctionName(invoke, 'invoke');
setFunctionName(invokeHttp, 'invokeHttp');
setFunctionName(fireTimer, 'fireTimer');
setFunctionName(pull, 'pull');
setFunctionName(callFetch, 'callFetch');
setFunctionName(callHandler, 'callHandler');
setFunctionName(runTimer, 'runTimer');

function settle(callId: number, ok: boolean, value: unknown): void {
  tickClock();
  settleHostCall(callId, ok, value);
}

/** The entry the host keeps; frozen so nothing can swap its methods. */
export const entry: RuntimeEntry = ObjectFreeze({ load, invoke, invokeHttp, fireTimer, settle, pull, cancel });

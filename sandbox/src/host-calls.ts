/**
 * Asynchronous host operations (fetch, crypto.subtle...): `callHost` starts one through
 * `bridge.call` and returns a promise the host settles later through `entry.settle`.
 * The promise is made with captured promise machinery, so a guest that patched
 * `Promise.prototype.then` never sees the host's answer before the runtime does.
 */
import { host } from './host.ts';
import { Map_, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, Promise_, RangeError_, String_, TypeError_ } from './primordials.ts';
import { DOMException } from './web/dom-exception.ts';

interface Waiter {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const waiting = new Map_<number, Waiter>();

/** Runs host operation `op`; resolves with its result, rejects with the error the host reported. */
export function callHost(op: string, args: unknown[]): Promise<unknown> {
  let waiter!: Waiter;
  const promise = new Promise_<unknown>((resolve, reject) => {
    waiter = { resolve, reject };
  });
  callHostWith(op, args, waiter.resolve, waiter.reject);
  return promise;
}

/**
 * Runs host operation `op` and calls back with its result or error. No promise is involved:
 * `then` looks up `constructor` (a guest can define a getter on Promise.prototype) and so
 * would hand guest code the promise that carries the host's answer, for answers the guest
 * must not read (the material of a non-extractable CryptoKey).
 */
export function callHostWith(op: string, args: unknown[], resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
  const id = host.call(op, args);
  MapPrototypeSet(waiting, id, { resolve, reject });
}

/** `entry.settle`: the host's answer to call `id`. Unknown ids (a call of an earlier invocation) are ignored. */
export function settleHostCall(id: number, ok: boolean, value: unknown): void {
  const waiter = MapPrototypeGet(waiting, id);
  if (waiter === undefined) return;
  MapPrototypeDelete(waiting, id);
  if (ok) waiter.resolve(value);
  else waiter.reject(hostError(value));
}

/** The error a failed host call rejects with: TypeError and RangeError as such, any other name a DOMException. */
function hostError(value: unknown): Error {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { name?: unknown; message?: unknown };
  const name = typeof v.name === 'string' ? v.name : 'Error';
  const message = typeof v.message === 'string' ? v.message : String_(value);
  if (name === 'TypeError') return new TypeError_(message);
  if (name === 'RangeError') return new RangeError_(message);
  return new DOMException(message, name) as unknown as Error;
}

/** Attempts to reach the host from guest code: Node globals, isolated-vm objects, shared memory. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../helpers/server.ts';
import { deployOk, expectError, expectSurvives, startAttackServer, worker } from './attack.ts';

/** Every way guest code might find a host capability, reported as typeof strings. */
const PROBE = worker(`
  const found = {};
  const attempt = (name, fn) => { try { const v = fn(); found[name] = typeof v; } catch (e) { found[name] = 'threw ' + e.name; } };
  attempt('constructor.constructor process', () => this.constructor.constructor('return typeof process === "undefined" ? undefined : process')());
  attempt('Function process', () => Function('return typeof process === "undefined" ? undefined : process')());
  attempt('globalThis.process', () => globalThis.process);
  attempt('require', () => globalThis.require);
  attempt('module', () => globalThis.module);
  attempt('exports', () => globalThis.exports);
  attempt('Deno', () => globalThis.Deno);
  attempt('Bun', () => globalThis.Bun);
  attempt('ivm', () => globalThis.ivm);
  attempt('_ivm', () => globalThis._ivm);
  attempt('__atollBridge', () => globalThis.__atollBridge);
  attempt('Buffer', () => globalThis.Buffer);
  attempt('global', () => globalThis.global);
  attempt('setImmediate', () => globalThis.setImmediate);
  attempt('import.meta-less dynamic import', () => typeof globalThis.importScripts === 'function' ? 1 : undefined);
  const names = Object.getOwnPropertyNames(globalThis);
  found.ivmLikeGlobals = names.filter((n) => /ivm|isolated|^Reference$|ExternalCopy|^Callback$|bridge|process|require/i.test(n));
  found.ivmLikeValues = names.filter((n) => {
    try { const v = globalThis[n]; return v && /^(Reference|ExternalCopy|Callback|NativeModule)$/.test(String(v.constructor && v.constructor.name)); } catch { return false; }
  });
  return Response.json(found);
`);

describe('sandbox escape', () => {
  let server: ServerProcess;
  let pid: number;
  beforeAll(async () => {
    ({ server, pid } = await startAttackServer());
  });
  afterAll(async () => server?.close());

  it('this.constructor.constructor("return process"), globalThis.process, require, Deno, Bun, isolated-vm objects: none reachable (200)', async () => {
    await deployOk(server, 'escape-probe', PROBE);
    const res = await server.fn('escape-probe');
    expect(res.status).toBe(200);
    const found = (await res.json()) as Record<string, unknown>;
    for (const name of ['constructor.constructor process', 'Function process', 'globalThis.process', 'require', 'module', 'exports', 'Deno', 'Bun', 'ivm', '_ivm', '__atollBridge', 'Buffer', 'global', 'setImmediate']) {
      expect(found[name], name).toBe('undefined');
    }
    expect(found.ivmLikeGlobals).toEqual([]);
    expect(found.ivmLikeValues).toEqual([]);
    await expectSurvives(server, pid);
  });

  it("V8's gc (sandbox hosts run with --expose-gc) cannot be called or put back by a guest (200)", async () => {
    await deployOk(server, 'gc-probe', worker(`
      const attempt = (f) => { try { f(); return 'done'; } catch (e) { return e.name; } };
      const assign = attempt(() => { globalThis.gc = () => 1; });
      const define = attempt(() => Object.defineProperty(globalThis, 'gc', { value: () => 1 }));
      return Response.json({ gc: typeof gc, assign, define, after: typeof globalThis.gc });
    `));
    const res = await server.fn('gc-probe');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ gc: 'undefined', assign: 'TypeError', define: 'TypeError', after: 'undefined' });
    await expectSurvives(server, pid);
  });

  it('SharedArrayBuffer and Atomics.wait are absent (200)', async () => {
    await deployOk(server, 'shared-memory-probe', worker('return Response.json({ sab: typeof SharedArrayBuffer, wait: typeof Atomics.wait, waitAsync: typeof Atomics.waitAsync });'));
    const res = await server.fn('shared-memory-probe');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sab: 'undefined', wait: 'undefined', waitAsync: 'undefined' });
    await expectSurvives(server, pid);
  });

  it('Atomics.wait on a shared WebAssembly.Memory cannot block the host: 500 FUNCTION_ERROR (TypeError, no Atomics.wait)', async () => {
    await deployOk(server, 'wasm-memory-wait', worker(`
      const memory = new WebAssembly.Memory({ shared: true, initial: 1, maximum: 1 });
      Atomics.wait(new Int32Array(memory.buffer), 0, 0);
      return new Response('woke');
    `), { limits: { timeoutMs: 1000 } });
    await expectError(await server.fn('wasm-memory-wait'), 500, 'FUNCTION_ERROR');
    await expectSurvives(server, pid);
  });

  it('the wasm memory.atomic.wait32 instruction on shared memory (no Atomics needed) is stopped: 503 CPU_LIMIT_EXCEEDED', async () => {
    // Deleting Atomics.wait does not remove the wasm instruction. isolated-vm counts the time
    // a thread spends inside the guest as CPU time (blocked or not), so the watchdog's CPU
    // limit ends the wait; the wall-clock limit would too. Either way the host is not held.
    // (module (memory 1 1 shared) (func (export "w") (result i32)
    //   i32.const 0  i32.const 0  i64.const -1  memory.atomic.wait32))
    const wasm = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 7, 5, 1, 1, 0x77, 0, 0, 10, 14, 1, 12, 0, 0x41, 0, 0x41, 0, 0x42, 0x7f, 0xfe, 1, 2, 0, 0x0b];
    await deployOk(server, 'wasm-atomic-wait', worker(`
      const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(wasm)})));
      return new Response(String(instance.exports.w()));
    `), { limits: { cpuMs: 200, timeoutMs: 2000 } });
    const started = Date.now();
    const res = await server.fn('wasm-atomic-wait');
    // This failed twice in many runs, under load, and never when looked at: say what came back.
    if (res.status !== 503) console.error('wasm-atomic-wait answered', res.status, await res.clone().text());
    await expectError(res, 503, 'CPU_LIMIT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(2000);
    await expectSurvives(server, pid);
  });
});

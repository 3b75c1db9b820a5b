/**
 * Which objects are Proxies. structuredClone must refuse a Proxy (HTML §2.7: it has internal
 * slots other than [[Prototype]] and [[Extensible]]), yet JavaScript cannot tell one from its
 * target: every operation a script can apply is forwarded to the handler or the target, and V8
 * gives scripts no %IsProxy% (that takes --allow-natives-syntax; Node's util.types.isProxy is
 * C++ outside the isolate). The one V8 builtin that does tell, Error.captureStackTrace (its
 * argument must be a JSObject), defines `stack` on ordinary objects: it would change the very
 * value being cloned.
 *
 * What the runtime has instead is that it runs first: nothing in a fresh context holds a
 * Proxy, and the global `Proxy` is the only way to make one. So boot replaces the global
 * with a stand-in that makes each Proxy with the real constructor and remembers it (weakly).
 * The stand-in behaves as %Proxy% does: `new Proxy(t, h)` and `Proxy.revocable(t, h)` work,
 * calling it without `new` is a TypeError, it has no `prototype` (so a class cannot extend
 * it), and its name and length are Proxy's.
 */

import {
  FunctionPrototypeBind,
  ObjectDefineProperty,
  ProxyRevocable,
  Proxy_,
  ReflectApply,
  TypeError_,
  WeakSetPrototypeAdd,
  WeakSetPrototypeHas,
  WeakSet_,
  dataDescriptor,
  setFunctionName,
} from './primordials.ts';

const proxies = new WeakSet_<object>();

/** True for an object made with the global `Proxy` or `Proxy.revocable` since boot. */
export function isProxy(v: object): boolean {
  return WeakSetPrototypeHas(proxies, v);
}

/** Replaces `g.Proxy` with the tracking stand-in (at boot, before any guest code). */
export function installProxyTracking(g: object): void {
  ObjectDefineProperty(g, 'Proxy', dataDescriptor(makeTrackingProxy(), false, true, true));
}

/** The stand-in for %Proxy%; exported for tests, which cannot replace Node's global. */
export function makeTrackingProxy(): ProxyConstructor {
  function construct(this: unknown, target: object, handler: ProxyHandler<object>): object {
    if (new.target === undefined) throw new TypeError_("Constructor Proxy requires 'new'");
    const p = new Proxy_(target, handler);
    WeakSetPrototypeAdd(proxies, p);
    return p;
  }
  // A bound function has no `prototype` and constructs through its target, as %Proxy% has none.
  const stand = setFunctionName(FunctionPrototypeBind(construct, undefined) as ProxyConstructor, 'Proxy');
  const revocable = {
    revocable(target: object, handler: ProxyHandler<object>) {
      const r = ReflectApply(ProxyRevocable, undefined, [target, handler]) as { proxy: object; revoke: () => void };
      WeakSetPrototypeAdd(proxies, r.proxy);
      return r;
    },
  }.revocable;
  ObjectDefineProperty(stand, 'revocable', dataDescriptor(revocable, false, true, true));
  return stand;
}

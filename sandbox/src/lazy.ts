/**
 * Lazy modules: big, rarely needed parts of the runtime (see sandbox/build.ts) that are
 * not in the boot script, so they cost no memory in the isolates that never use them.
 * On first use the runtime asks the host for the module's source and evaluates it.
 *
 * The source is evaluated with the global `eval` captured at boot (indirectly: global
 * scope, and the string is the host's shared copy), never with whatever a guest has put
 * on globalThis since. Like any library code running after guest code, a library module
 * (whatwg-url, urlpattern-polyfill) sees the builtins as the guest left them; it gets
 * nothing from the host but its text. A module built from the runtime's own sources
 * (`events`, `form`) takes the boot script's captured builtins instead, through web/kit.ts.
 */
import * as bootExports from './boot-exports.ts';
import { host } from './host.ts';
import * as exodusWhatwg from './vendor/exodus-whatwg.ts';
import { bytesOfBufferSource } from './web/buffer-source.ts';
import { TextDecoder, TextEncoder } from './web/encoding.ts';
import * as whatwgUrlEncoding from './vendor/whatwg-url-encoding.ts';
// GlobalEval, not a capture here: the bundle may initialise this module only on first use.
import { Error_, GlobalEval, ObjectCreate, ReflectApply } from './primordials.ts';

let loaded: Record<string, unknown> | undefined;
let shared: Record<string, () => Record<string, unknown>> | undefined;

/**
 * Makes `provide()` what lazy modules get for `atoll:<id>`, called on their first require.
 * What it returns must have no prototype: reading a name it lacks can then never reach a
 * getter a guest put on Object.prototype (which would receive it as `this`). Boot-script
 * modules are registered rather than imported here: everything this module imports,
 * esbuild must evaluate lazily (the `url` stub requires it), at a cost in size.
 */
export function shareWithLazyModules(id: string, provide: () => Record<string, unknown>): void {
  shared ??= ObjectCreate(null) as Record<string, () => Record<string, unknown>>;
  shared[`atoll:${id}`] = provide;
}

/** The exports of lazy module `name`, evaluating it on the first call. */
export function lazyModule(name: string): unknown {
  loaded ??= ObjectCreate(null) as Record<string, unknown>;
  if (name in loaded) return loaded[name];
  const source: unknown = host.lazySource(name);
  if (typeof source !== 'string') throw new Error_(`Atoll runtime: no lazy module ${name}`);
  const module = { exports: {} as unknown };
  try {
    const factory = GlobalEval(source);
    ReflectApply(factory as Function, undefined, [lazyRequire, module, module.exports]);
  } finally {
    host.lazyLoaded(name);
  }
  loaded[name] = module.exports;
  return module.exports;
}

/** What lazy modules may require (sandbox/build.ts marks these ids external): runtime modules and other lazy modules. */
function lazyRequire(id: string): unknown {
  if (id === 'atoll:exodus-whatwg') return exodusWhatwg;
  if (id === 'atoll:whatwg-url-encoding') return whatwgUrlEncoding;
  if (id === 'atoll:tr46') return lazyModule('tr46');
  if (id === 'atoll:encoding') return { TextEncoder, TextDecoder };
  if (id === 'atoll:buffer-source') return { bytesOfBufferSource };
  if (id === 'atoll:boot') return bootExports;
  const provide = shared?.[id];
  if (provide === undefined) throw new Error_(`Atoll runtime: lazy modules cannot require ${id}`);
  return provide();
}

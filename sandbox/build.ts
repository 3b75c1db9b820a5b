/**
 * Builds the in-isolate runtime (sandbox/src).
 *
 * - The boot script: one script whose completion value is the RuntimeEntry,
 *   `(() => { <iife>; return __atollRuntime.default; })()`, so no global binding survives
 *   evaluation. Every isolate keeps its source (V8 needs it for lazy compilation and
 *   Function.prototype.toString), so it is kept small: minified and pure ASCII (a single
 *   non-Latin-1 character would make V8 store the whole source as UTF-16, twice the bytes).
 * - Lazy modules: big, rarely used pieces (whatwg-url, tr46's IDNA tables, streams, SubtleCrypto,
 *   events and abort signals, Blob/File/FormData, URLPattern, the legacy text encodings) built
 *   as separate scripts that the runtime asks the host for (`HostBridge.lazySource`) on first
 *   use. Each is a function expression `(function (require, module, exports) {...})`; see
 *   src/lazy.ts.
 *
 * `buildRuntime()` packs both into one string (what the gateway hands its sandbox hosts);
 * `RuntimeScript` in src/sandbox-host/isolate.ts unpacks it: the boot script, then
 * LAZY_MODULES_MARKER and a JSON object `{name: source}`.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { singleByteIndexesModule } from './encoding-indexes.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

/** Separates the boot script from the JSON of lazy modules in buildRuntime()'s output. */
export const LAZY_MODULES_MARKER = '\n//atoll-lazy-modules\n';

/** The built runtime: the boot script and the sources of the lazy modules, by name. */
export interface RuntimeParts {
  boot: string;
  lazy: Record<string, string>;
}

/** A virtual module whose exports are lazy module `name` (fetched and evaluated on first require). */
function lazyStub(name: string): string {
  return `module.exports = require(${JSON.stringify(`${here}src/lazy.ts`)}).lazyModule(${JSON.stringify(name)});`;
}

/**
 * The boot script: whatwg-url (url-classes.ts's slow path) is the lazy module `url`, src/streams
 * (web/streams.ts) the lazy module `streams`, src/encodings (web/encoding.ts) the lazy modules
 * `encodings` and `encodings-cjk`.
 */
const bootShims: Plugin = {
  name: 'atoll-boot-shims',
  setup(b) {
    b.onResolve({ filter: /^whatwg-url$/ }, () => ({ path: 'url', namespace: 'atoll-lazy' }));
    b.onResolve({ filter: /^\.\.\/streams\/index\.ts$/ }, () => ({ path: 'streams', namespace: 'atoll-lazy' }));
    b.onResolve({ filter: /^\.\.\/encodings\/index\.ts$/ }, () => ({ path: 'encodings', namespace: 'atoll-lazy' }));
    b.onResolve({ filter: /^\.\.\/encodings\/cjk\.ts$/ }, () => ({ path: 'encodings-cjk', namespace: 'atoll-lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'atoll-lazy' }, (a) => ({ contents: lazyStub(a.path), loader: 'js', resolveDir: here }));
  },
};

/**
 * The lazy module `url` (whatwg-url), with heavy or host-dependent pieces swapped for the
 * runtime's: its encoding module (wants global TextEncoder at load time) and
 * @exodus/bytes (300 KB of legacy encoders; query encoding is always UTF-8 here) come
 * from the boot script through the lazy module's `require` (see src/lazy.ts), and tr46
 * (IDNA tables) is the lazy module `tr46`, loaded only for hosts that are not plain ASCII.
 */
const urlShims: Plugin = {
  name: 'atoll-url-shims',
  setup(b) {
    b.onResolve({ filter: /^\.\/encoding$/ }, (a) =>
      /whatwg-url[\\/]lib$/.test(a.resolveDir) ? { path: 'atoll:whatwg-url-encoding', external: true } : undefined,
    );
    b.onResolve({ filter: /^@exodus\/bytes\/encoding\.js$/ }, () => ({ path: 'empty', namespace: 'atoll-empty' }));
    b.onResolve({ filter: /^@exodus\/bytes\/whatwg\.js$/ }, () => ({ path: 'atoll:exodus-whatwg', external: true }));
    b.onResolve({ filter: /^tr46$/ }, (a) =>
      a.importer.endsWith('tr46-lazy.cjs') ? { path: 'atoll:tr46', external: true } : { path: `${here}src/vendor/tr46-lazy.cjs` },
    );
    b.onLoad({ filter: /.*/, namespace: 'atoll-empty' }, () => ({ contents: '', loader: 'js' }));
    // whatwg-url is evaluated on first need, after the host deleted SharedArrayBuffer;
    // whatwg-url and webidl-conversions read SharedArrayBuffer.prototype as they load. No guest can make a
    // SharedArrayBuffer, so a stand-in whose brand checks always fail is exact (and hands
    // a guest that patched Object.getOwnPropertyDescriptor nothing real).
    b.onLoad({ filter: /(whatwg-url|webidl-conversions)[\\/].*\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      if (!source.includes('SharedArrayBuffer')) return undefined;
      const standIn = JSON.stringify(`${here}src/vendor/no-shared-array-buffer.ts`);
      return { contents: `const SharedArrayBuffer = require(${standIn}).NoSharedArrayBuffer;\n${source}`, loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

/**
 * The lazy module `streams` (src/streams: web-streams-polyfill, fflate and the classes built
 * on them). The boot modules it uses (the runtime's TextEncoder/TextDecoder, BufferSource
 * reading with captured builtins) come from the boot script through `require` (src/lazy.ts),
 * not as second copies that would capture builtins after guest code ran.
 */
const streamsShims: Plugin = {
  name: 'atoll-streams-shims',
  setup(b) {
    const boot: Record<string, string> = { '../web/encoding.ts': 'atoll:encoding', '../web/buffer-source.ts': 'atoll:buffer-source' };
    b.onResolve({ filter: /^\.\.\// }, (a) => {
      if (!/[\\/]src[\\/]streams$/.test(a.resolveDir)) return undefined;
      const id = boot[a.path];
      return id !== undefined ? { path: id, external: true } : { errors: [{ text: `${a.path}: the streams module gets boot modules only through src/lazy.ts` }] };
    });
  },
};

/** Lazy modules of the runtime's own code take captured builtins and services from the boot script (src/boot-exports.ts). */
const bootExports: Plugin = {
  name: 'atoll-boot-exports',
  setup(b) {
    b.onResolve({ filter: /boot-exports\.ts$/ }, () => ({ path: 'atoll:boot', external: true }));
  },
};

/**
 * A lazy module built from the runtime's own sources under src/`dir`/. It must not bundle
 * copies of runtime modules (their builtins would be captured after guest code ran, their
 * classes and state would be duplicates): it reaches the boot script only through its kit
 * module `kit`, required as `atoll:<kit>` and answered by src/lazy.ts with the boot
 * script's instance. Importing any other runtime module from outside `dir` fails the build.
 */
function sharedRuntime(dir: string, kit: string): Plugin {
  const root = `${here}src/`;
  return {
    name: 'atoll-shared-runtime',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (a) => {
        const path = resolve(a.resolveDir, a.path);
        if (!path.startsWith(root) || path.startsWith(`${root}${dir}/`)) return undefined;
        const id = path.slice(root.length).replace(/\.ts$/, '');
        if (id !== kit) return { errors: [{ text: `${a.importer}: the lazy module in ${dir}/ may only import ${kit}.ts from outside it, not ${id}` }] };
        return { path: `atoll:${id}`, external: true };
      });
    },
  };
}

/** The lazy module `encodings`: its single-byte indexes (src/encodings/indexes.ts) are computed here, from Node's TextDecoder. */
const singleByteIndexes: Plugin = {
  name: 'atoll-single-byte-indexes',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]encodings[\\/]indexes\.ts$/ }, () => ({ contents: singleByteIndexesModule(), loader: 'js' }));
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: 'neutral',
  mainFields: ['main', 'module'],
  target: 'es2022',
  write: false,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  // Non-ASCII characters become \u escapes: the source stays one byte per character.
  charset: 'ascii',
  logLevel: 'silent',
  // Short identifiers: fewer bytes of source and fewer strings in every isolate. Names a
  // guest can see (the Web API globals' \`name\`, which stack traces use too) are set
  // explicitly when the globals are installed; esbuild's keepNames costs more heap than
  // the minification saves.
  minifyIdentifiers: true,
};

/** A lazy module: a CommonJS bundle of `entry`, wrapped as a function expression. */
async function buildLazy(name: string, entry: string, plugins: Plugin[] = []): Promise<string> {
  const result = await build({ ...common, entryPoints: [entry], format: 'cjs', plugins });
  const code = ownExportsOnly(result.outputFiles![0]!.text, name);
  return `(function (require, module, exports) {\n${code}\n})\n//# sourceURL=atoll:${name}.js\n`;
}

/** esbuild's `__export` helper, minified: `for(var k in all)defProp(target,k,{get:all[k],enumerable:!0})`. */
const EXPORT_HELPER = /for\(var (\w+) in (\w+)\)(\w+)\((\w+),\1,\{get:\2\[\1\],enumerable:!0\}\)/g;

/**
 * A lazy module is evaluated after guest code ran, and esbuild's `__export` walks its
 * exports with for-in: a guest's enumerable `Object.prototype.x` would reach it as a
 * getter that is not a function and break the module. Only own properties are taken.
 */
function ownExportsOnly(code: string, name: string): string {
  const out = code.replace(EXPORT_HELPER, (_m, k, all, defProp, target) =>
    `for(var ${k} in ${all})Object.prototype.hasOwnProperty.call(${all},${k})&&${defProp}(${target},${k},{get:${all}[${k}],enumerable:!0})`);
  if (/for\(var \w+ in \w+\)\w+\(\w+,\w+,\{get:/.test(out)) throw new Error(`lazy module ${name}: esbuild's __export helper changed shape; update EXPORT_HELPER`);
  return out;
}

/**
 * Builds the boot script and the lazy modules. `entry` replaces src/index.ts only for tests
 * that need a probe into the runtime's internals (it must import src/index.ts first).
 */
export async function buildRuntimeParts(entry = `${here}src/index.ts`): Promise<RuntimeParts> {
  const [boot, url, tr46, streams, subtle, events, form, urlpattern, encodings, encodingsCjk] = await Promise.all([
    build({ ...common, entryPoints: [entry], format: 'iife', globalName: '__atollRuntime', plugins: [bootShims] }),
    buildLazy('url', require.resolve('whatwg-url'), [urlShims]),
    buildLazy('tr46', require.resolve('tr46')),
    buildLazy('streams', `${here}src/streams/index.ts`, [streamsShims]),
    buildLazy('subtle', `${here}src/web/subtle.ts`, [bootExports]),
    buildLazy('events', `${here}src/web/events/index.ts`, [sharedRuntime('web/events', 'web/kit')]),
    buildLazy('form', `${here}src/web/form/index.ts`, [sharedRuntime('web/form', 'web/kit')]),
    buildLazy('urlpattern', require.resolve('urlpattern-polyfill/urlpattern')),
    buildLazy('encodings', `${here}src/encodings/index.ts`, [bootExports, singleByteIndexes]),
    buildLazy('encodings-cjk', `${here}src/encodings/cjk.ts`),
  ]);
  const code = boot.outputFiles![0]!.text;
  const lazy = { url, tr46, streams, subtle, events, form, urlpattern, encodings, 'encodings-cjk': encodingsCjk };
  return { boot: `(() => {\n${code}\nreturn __atollRuntime.default;\n})()`, lazy };
}

/** Returns the runtime, packed for RuntimeScript: the boot script, then the lazy modules. */
export async function buildRuntime(entry?: string): Promise<string> {
  const { boot, lazy } = await buildRuntimeParts(entry);
  return `${boot}${LAZY_MODULES_MARKER}${JSON.stringify(lazy)}`;
}

/**
 * Builds the in-isolate runtime (sandbox/src) into one script whose completion value is
 * the RuntimeEntry: `(() => { <iife>; return __atollRuntime.default; })()`, so no global
 * binding survives evaluation.
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Swaps heavy or host-dependent pieces of whatwg-url for runtime shims: its encoding module
 * (wants global TextEncoder at load time), @exodus/bytes (300 KB of legacy encoders; query
 * encoding is always UTF-8 here) and tr46 (IDNA tables, loaded lazily for non-ASCII hosts).
 */
const shims: Plugin = {
  name: 'atoll-runtime-shims',
  setup(b) {
    b.onResolve({ filter: /^\.\/encoding$/ }, (a) =>
      /whatwg-url[\\/]lib$/.test(a.resolveDir) ? { path: `${here}src/vendor/whatwg-url-encoding.ts` } : undefined,
    );
    b.onResolve({ filter: /^@exodus\/bytes\/encoding\.js$/ }, () => ({ path: 'empty', namespace: 'atoll-empty' }));
    b.onResolve({ filter: /^@exodus\/bytes\/whatwg\.js$/ }, () => ({ path: `${here}src/vendor/exodus-whatwg.ts` }));
    // The shim itself requires the real tr46, lazily.
    b.onResolve({ filter: /^tr46$/ }, (a) =>
      a.importer.endsWith('tr46-lazy.cjs') ? { path: require.resolve('tr46') } : { path: `${here}src/vendor/tr46-lazy.cjs` },
    );
    b.onLoad({ filter: /.*/, namespace: 'atoll-empty' }, () => ({ contents: '', loader: 'js' }));
    // whatwg-url is evaluated on first use of URL, after the host deleted SharedArrayBuffer;
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

/** Returns the runtime script text, ready for the host to compile in a fresh isolate. */
export async function buildRuntime(): Promise<string> {
  const result = await build({
    entryPoints: [`${here}src/index.ts`],
    bundle: true,
    format: 'iife',
    globalName: '__atollRuntime',
    platform: 'neutral',
    mainFields: ['main', 'module'],
    target: 'es2022',
    write: false,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    charset: 'utf8',
    plugins: [shims],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return `(() => {\n${code}\nreturn __atollRuntime.default;\n})()`;
}

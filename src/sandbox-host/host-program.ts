/**
 * The sandbox host's program: host-process.ts and everything it imports, bundled by esbuild
 * into one plain-JavaScript ES module that the gateway pipes into each host's stdin.
 * Started from the TypeScript sources, every host would load Node's TypeScript stripper
 * (a WebAssembly module) and keep ~17 MB of it for its whole life; bundled, a host starts
 * with plain JavaScript. Packages stay outside the bundle, imported by absolute path, so
 * the program runs from stdin whatever the host's working directory.
 */
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HOST_ENTRY = fileURLToPath(new URL('./host-process.ts', import.meta.url));
const require = createRequire(import.meta.url);

/** Bare package imports (isolated-vm, undici) point at this installation's files; Node's own modules stay as they are. */
const packagesByPath: Plugin = {
  name: 'atoll-packages-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') ? { path: args.path, external: true } : { path: require.resolve(args.path), external: true },
    );
  },
};

/** Build the host program (about 80 KB, a few tens of milliseconds). */
export async function buildHostProgram(): Promise<string> {
  const result = await build({
    entryPoints: [HOST_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    write: false,
    logLevel: 'silent',
    plugins: [packagesByPath],
  });
  return result.outputFiles[0]!.text;
}

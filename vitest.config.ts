import { defineConfig } from 'vitest/config';

// Vitest's fork workers run on the Node that started vitest. Atoll needs Node 24 (type
// stripping, node:sqlite, the isolated-vm build); the system Node may be older, and
// `npm test` puts the project's Node 24 (the `node` devDependency) first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  throw new Error(`Atoll's tests need Node 24, this is ${process.version}: run them with \`npm test\``);
}

export default defineConfig({
  test: {
    environment: 'node',
    // Child processes, not threads: sandbox hosts and isolated-vm do not belong in worker threads.
    pool: 'forks',
    // isolated-vm on Node 20+ needs the process started without Node's startup snapshot;
    // --expose-gc as in a sandbox host, so guest isolates are made as there (GuestIsolate.compact).
    execArgv: ['--no-node-snapshot', '--expose-gc'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

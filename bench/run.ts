/**
 * Runs every bench in order, each in its own process: `npm run bench`.
 * BENCH_ONLY=hello-http,density runs a subset. Set-up: `npm install --prefix bench`
 * (autocannon, workerd) and, for the load generator design.md §7 used, `apt-get install wrk`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('./', import.meta.url));
const ORDER = ['hello-http', 'web-platform', 'noisy-neighbour', 'streaming', 'cold-start', 'density', 'limit-precision', 'python-workers'];

if (!existsSync(`${BENCH}node_modules/workerd`) || !existsSync(`${BENCH}node_modules/autocannon`)) {
  console.error('bench dependencies are missing: run `npm install --prefix bench` first (see bench/README.md)');
  process.exit(1);
}

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
let failed = 0;
for (const name of ORDER) {
  if (only && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [`${BENCH}${name}.ts`], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.error(`${name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed ? 1 : 0);

/**
 * The load generator, always in its own process pinned to its own core: wrk when it is
 * installed (apt-get install wrk; it is what design.md §7 measured with), otherwise
 * autocannon from bench/node_modules. BENCH_LOADGEN=wrk|autocannon chooses.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  durationS: number;
  connections: number;
  /** CPU list for taskset -c. */
  cpus: string;
}

export function loadGenerator(): 'wrk' | 'autocannon' {
  const chosen = process.env.BENCH_LOADGEN;
  if (chosen === 'wrk' || chosen === 'autocannon') return chosen;
  return hasWrk() ? 'wrk' : 'autocannon';
}

function hasWrk(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/wrk`));
}

export function autocannonInstalled(): boolean {
  return existsSync(AUTOCANNON);
}

export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  return loadGenerator() === 'wrk' ? wrk(options) : autocannon(options);
}

async function wrk({ url, durationS, connections, cpus }: LoadOptions): Promise<LoadResult> {
  const { stdout } = await run('taskset', ['-c', cpus, 'wrk', '-t1', `-c${connections}`, `-d${durationS}s`, '--latency', url], {
    maxBuffer: 1 << 20,
  });
  const latency = (label: string): number => {
    const match = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
    if (!match) throw new Error(`wrk output without ${label}%:\n${stdout}`);
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const num = (re: RegExp): number => Number(re.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    reqPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latency('50'),
    p99Ms: latency('99'),
    requests: num(/(\d+) requests in/),
    errors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  };
}

async function autocannon({ url, durationS, connections, cpus }: LoadOptions): Promise<LoadResult> {
  const { stdout } = await run(
    'taskset',
    ['-c', cpus, process.execPath, AUTOCANNON, '-c', String(connections), '-d', String(durationS), '-j', url],
    { maxBuffer: 16 << 20 },
  );
  const r = JSON.parse(stdout);
  return {
    reqPerSec: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

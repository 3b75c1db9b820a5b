/**
 * V8 flags of the gateway process. V8 reads them only when it starts, so `atoll serve`
 * launched without them replaces itself with a copy that has them (execve: the same PID,
 * before anything is started). A flag the user set, in the command line or NODE_OPTIONS,
 * wins (`--memory-reducer` overrides `--no-memory-reducer`).
 *
 * --max-semi-space-size=8: V8 sizes the young generation from the machine's memory (16 MB
 * semi-spaces here). The gateway allocates a few KB per request that die within it; a
 * smaller young generation is collected more often but in shorter pauses, which every
 * request in flight waits out. Measured (bench/hello-http.ts, 3 alternating rounds): p99
 * 12.9-16.3 → 8.5-8.9 ms, throughput unchanged; 4 MB lost throughput.
 *
 * --no-memory-reducer: after some 10 s without requests V8 shrinks an idle heap, and the
 * gateway never recovered from it under the next load: a full collection every ~370 ms
 * with 6-10 ms pauses instead of one in 7 s (--trace-gc). A warm hello world after 15 s of
 * quiet: 10.9-11.8k req/s and p99 20-22 ms, against 13.9k and 9 ms without the pause;
 * with this flag 13.0-14.6k and 9-15 ms. The cost: the heap the last burst grew is kept.
 * (The "never recovered" was the Map chain of sandbox-host/invocation-table.ts, which any
 * full collection started. Since that fix the gateway recovers, but the first seconds after
 * the reducer's collection still lose: over 5 s after 15 and 25 s of quiet, 12.8-13.0k
 * req/s and p99 28-38 ms, against 13.0-15.3k and 8-16 ms with this flag.)
 */
export const GATEWAY_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--no-memory-reducer'];

/** For `atoll serve`: re-executes this process with the gateway's flags if any is missing. Returns if nothing to do or impossible. */
export function relaunchWithGatewayFlags(): void {
  if (process.argv[2] !== 'serve' || typeof process.execve !== 'function') return;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName);
  const missing = GATEWAY_V8_FLAGS.filter((flag) => !given.includes(flagName(flag)));
  if (missing.length === 0) return;
  try {
    process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch {
    // Not supported here (e.g. Windows): the gateway runs with V8's defaults.
  }
}

/** `--no-memory-reducer`, `--memory_reducer` and `--memory-reducer=x` all name `--memory-reducer`. */
function flagName(arg: string): string {
  return arg.split('=')[0]!.replace(/^--no-/, '--').replaceAll('_', '-');
}

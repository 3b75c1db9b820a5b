/**
 * Last line of defence inside a sandbox host. A few V8 operations cannot be interrupted
 * (`new Array(1e9).fill(0)` runs a builtin that never checks for termination), so an
 * isolate the watchdog disposed can keep the main thread busy or wedge it in garbage
 * collection. The reaper is a plain worker thread that watches the watchdog's slots:
 * a slot killed long ago and never acknowledged by the main thread means the main thread
 * is stuck, and the host kills itself so the gateway replaces it.
 *
 * Long ago means more than V8 can take to act on a termination it did receive: a loop V8
 * is still interpreting checks for it only when its tier-up budget runs out, and V8 sets
 * that budget to ~2^30 while it optimises the function on a background thread, or always
 * for a function of over 60 KB of bytecode. Measured here: up to ~2 s.
 */
import { Worker } from 'node:worker_threads';
import { CTL_HIGH, SLOT_KILLED_CPU, SLOT_KILLED_WALL, watchdogOffsets, type WatchdogMemory } from './watchdog-memory.ts';

const REAPER_SOURCE = `
// Evaluated as an ES module (hosts run with --input-type=module, which workers inherit), so no require.
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { buffer, maxSlots, offsets, graceMs, killedCpu, killedWall, ctlHigh, pollMs } = workerData;
const ctl = new Int32Array(buffer, 0, 4);
const state = new Int32Array(buffer, offsets.state, maxSlots);
const killedAtMs = new Float64Array(buffer, offsets.killedAtMs, maxSlots);
setInterval(() => {
  const high = Atomics.load(ctl, ctlHigh);
  const now = Date.now();
  for (let slot = 0; slot < high; slot++) {
    const s = Atomics.load(state, slot);
    if ((s === killedCpu || s === killedWall) && now - killedAtMs[slot] > graceMs) {
      process._rawDebug('atoll sandbox host: an isolate did not stop after the watchdog disposed it; replacing this host');
      process.kill(process.pid, 'SIGKILL');
    }
  }
}, pollMs);
`;

/** Start the reaper thread over a watchdog's shared memory. */
export function startReaper(memory: WatchdogMemory, graceMs = 4000): Worker {
  const worker = new Worker(REAPER_SOURCE, {
    eval: true,
    workerData: {
      buffer: memory.buffer,
      maxSlots: memory.maxSlots,
      offsets: watchdogOffsets(memory.maxSlots),
      graceMs,
      killedCpu: SLOT_KILLED_CPU,
      killedWall: SLOT_KILLED_WALL,
      ctlHigh: CTL_HIGH,
      pollMs: 100,
    },
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  return worker;
}

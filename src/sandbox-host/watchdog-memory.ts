/**
 * The shared memory between a sandbox host's main thread, its watchdog (an isolate on
 * isolated-vm's thread pool) and its reaper (a worker thread). The main thread arms a slot
 * before each entry into a guest and disarms it after; the watchdog reads the deadlines
 * and writes its verdicts; the reaper looks for verdicts the main thread never saw.
 *
 * layout := ctl i32[4] | state i32[maxSlots] (padded to 8) | cpuLimitMs f64[maxSlots]
 *           | wallDeadlineMs f64[] | killedAtMs f64[] | killedCpuMs f64[]
 */

/** ctl[CTL_WAKE] is the word the watchdog sleeps on. */
export const CTL_WAKE = 0;
/** Set by the main thread to make the watchdog's loop return (to register isolates). */
export const CTL_STOP = 1;
/** Number of armed slots. */
export const CTL_ACTIVE = 2;
/** One past the highest slot in use. */
export const CTL_HIGH = 3;
/** ctl[CTL_WAKE] holds this while the watchdog sleeps deeply and must be woken by `arm`. */
export const WAKE_SLEEPING = 1;
/** Quiet time after which the watchdog stops ticking every millisecond. */
export const DEEP_SLEEP_AFTER_MS = 50;

export const SLOT_FREE = 0;
export const SLOT_ARMED = 1;
export const SLOT_KILLED_CPU = 2;
export const SLOT_KILLED_WALL = 3;

export interface WatchdogMemory {
  buffer: SharedArrayBuffer;
  maxSlots: number;
}

/** Byte offsets of the per-slot arrays, for code that cannot import this module. */
export function watchdogOffsets(maxSlots: number) {
  const state = 16;
  const cpuLimitMs = state + Math.ceil((4 * maxSlots) / 8) * 8;
  return {
    state,
    cpuLimitMs,
    wallDeadlineMs: cpuLimitMs + 8 * maxSlots,
    killedAtMs: cpuLimitMs + 16 * maxSlots,
    killedCpuMs: cpuLimitMs + 24 * maxSlots,
    bytes: cpuLimitMs + 32 * maxSlots,
  };
}

export function allocateWatchdogMemory(maxSlots: number): WatchdogMemory {
  return { buffer: new SharedArrayBuffer(watchdogOffsets(maxSlots).bytes), maxSlots };
}

/** Typed views over a watchdog's memory. */
export function watchdogViews(memory: WatchdogMemory) {
  const { buffer, maxSlots } = memory;
  const o = watchdogOffsets(maxSlots);
  return {
    ctl: new Int32Array(buffer, 0, 4),
    state: new Int32Array(buffer, o.state, maxSlots),
    cpuLimitMs: new Float64Array(buffer, o.cpuLimitMs, maxSlots),
    wallDeadlineMs: new Float64Array(buffer, o.wallDeadlineMs, maxSlots),
    killedAtMs: new Float64Array(buffer, o.killedAtMs, maxSlots),
    killedCpuMs: new Float64Array(buffer, o.killedCpuMs, maxSlots),
  };
}

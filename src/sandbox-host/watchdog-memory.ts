/**
 * The shared memory between a sandbox host's main thread, its watchdog (an isolate on
 * isolated-vm's thread pool) and its reaper (a worker thread). The main thread arms a slot
 * before each entry into a guest and disarms it after; the watchdog reads the deadlines
 * and writes its verdicts; the reaper looks for verdicts the main thread never saw.
 *
 * layout := ctl i32[CTL_WORDS] | state i32[maxSlots] (padded to 8) | cpuLimitMs f64[maxSlots]
 *           | wallDeadlineMs f64[] | killedAtMs f64[] | killedCpuMs f64[]
 */

/** ctl[CTL_WAKE] is the word the watchdog sleeps on; set to 1 to wake it. */
export const CTL_WAKE = 0;
/** Set by the main thread to make the watchdog's loop return (to register isolates). */
export const CTL_STOP = 1;
/** One past the highest slot in use. */
export const CTL_HIGH = 3;
/**
 * When the watchdog looks next: Date.now() + its sleep, as an int32 (wrapping; compare by
 * difference). `arm` wakes it when the new guest could break a limit before then.
 */
export const CTL_NEXT_LOOK = 4;
export const CTL_WORDS = 8;
/** The watchdog looks at least this often while a guest has recently been armed... */
export const QUIET_LOOK_MS = 10;
/** ...for this long; then it sleeps up to MAX_SLEEP_MS, and the next arm wakes it. */
export const DEEP_SLEEP_AFTER_MS = 1000;
export const MAX_SLEEP_MS = 1000;

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
  const state = 4 * CTL_WORDS;
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
    ctl: new Int32Array(buffer, 0, CTL_WORDS),
    state: new Int32Array(buffer, o.state, maxSlots),
    cpuLimitMs: new Float64Array(buffer, o.cpuLimitMs, maxSlots),
    wallDeadlineMs: new Float64Array(buffer, o.wallDeadlineMs, maxSlots),
    killedAtMs: new Float64Array(buffer, o.killedAtMs, maxSlots),
    killedCpuMs: new Float64Array(buffer, o.killedCpuMs, maxSlots),
  };
}

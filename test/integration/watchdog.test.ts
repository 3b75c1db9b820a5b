/**
 * The watchdog with real guest isolates. It sleeps until the first moment an armed guest
 * could break a limit (a guest's CPU time cannot grow faster than the clock), so an arm
 * that could break one sooner must wake it.
 */
import { expect, it } from 'vitest';
import { fileWatchdog, guestIsolates } from '../helpers/guest.ts';

const guests = guestIsolates();
const watchdogOfFile = fileWatchdog();

const META = { name: 'spin', version: 1, memoryMb: 64, maxResponseBytes: 1 << 20 };

it('a guest armed with a 30 ms CPU budget while the watchdog sleeps on another guest\'s 5 s budget is stopped at its own limit', async () => {
  const watchdog = watchdogOfFile();
  const patient = guests.boot();
  const spinner = guests.boot();
  await watchdog.watch(patient);
  await watchdog.watch(spinner);
  watchdog.arm(patient, patient.cpuMs + 5_000, Date.now() + 60_000, patient.cpuMs);
  // The watchdog has looked at the patient meanwhile, and sleeps as long as it may (1 s).
  await new Promise((r) => setTimeout(r, 50));
  const startCpuMs = spinner.cpuMs;
  watchdog.arm(spinner, startCpuMs + 30, Date.now() + 60_000, startCpuMs);
  expect(() => spinner.load('for (;;) {}', 'spin.js', {}, META)).toThrow();
  const verdict = watchdog.disarm(spinner);
  expect(verdict?.reason).toBe('cpu');
  // Not woken, the watchdog would have looked again only after ~1 s of spinning.
  expect(verdict!.isolateCpuMs - startCpuMs).toBeLessThanOrEqual(30 + 45);
  expect(watchdog.disarm(patient)).toBeUndefined();
});

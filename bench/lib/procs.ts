/** Reading a process tree's memory and CPU time from /proc (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size in KiB (VmRSS), or 0 if the process is gone. */
export function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Direct children of a process, from every thread's children list. */
export function childrenOf(pid: number): number[] {
  const out = new Set<number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const child of text.split(/\s+/)) out.add(Number(child));
    }
  } catch {
    // the process ended while we looked
  }
  return [...out];
}

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

const TICKS_PER_SECOND = 100;

/** User + system CPU time in ms (utime + stime from /proc/<pid>/stat), or 0 if gone. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The last path segment of the process's script or executable, for labelling. */
export function commandOf(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = argv.find((arg, i) => i > 0 && !arg.startsWith('-')) ?? argv[0] ?? '?';
    return script.split('/').pop()!;
  } catch {
    return '?';
  }
}

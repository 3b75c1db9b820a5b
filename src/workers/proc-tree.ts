/**
 * CPU time and resident memory of a worker's process tree, read from /proc: the worker
 * and its descendants (children found through /proc/PID/task/PID/children). CPU counts
 * utime+stime of the live processes plus cutime+cstime, the time of children they reaped.
 * A process that double-forks away from the tree is not counted here; it is still bound
 * by the rlimits and killed with the worker's uid.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times: 100 on every Linux build Atoll targets. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
/** A fork bomb's tree is read this far each tick, no further. */
const MAX_PROCESSES = 512;

export interface TreeSample {
  cpuMs: number;
  rssBytes: number;
  processes: number;
}

/** One reading of the tree rooted at `pid`; zeros when it is gone. */
export function sampleTree(pid: number): TreeSample {
  const sample: TreeSample = { cpuMs: 0, rssBytes: 0, processes: 0 };
  const stack = [pid];
  while (stack.length > 0 && sample.processes < MAX_PROCESSES) {
    const p = stack.pop()!;
    const stat = readStat(p);
    if (!stat) continue;
    sample.processes++;
    sample.cpuMs += stat.ticks * (1000 / TICKS_PER_SECOND);
    sample.rssBytes += stat.rssPages * PAGE_BYTES;
    for (const child of readChildren(p)) stack.push(child);
  }
  return sample;
}

function readStat(pid: number): { ticks: number; rssPages: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, rss field 24.
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { ticks, rssPages: Number(fields[21]) };
}

function readChildren(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim();
    return text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
}

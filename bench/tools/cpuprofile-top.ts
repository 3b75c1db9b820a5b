/**
 * Prints the functions with the most self time in a V8 .cpuprofile (from --cpu-prof), and
 * the same summed by file, to find the hot path of a bench run.
 *
 *   node bench/tools/cpuprofile-top.ts bench/results/prof/CPU.*.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/tools/cpuprofile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string): string => url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm:');
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const url = shortUrl(frame.url) || '(native)';
  const key = `${frame.functionName || '(anonymous)'}  ${url}:${frame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(url, (byFile.get(url) ?? 0) + us);
}
const print = (title: string, map: Map<string, number>): void => {
  console.log(`\n${title} (total ${(totalUs / 1000).toFixed(0)} ms sampled)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
};
print('self time by function', byFunction);
print('self time by file', byFile);

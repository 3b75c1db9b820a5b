/**
 * The conformance areas: one module each under areas/, plain JavaScript that runs both in
 * Node (reference.test.ts) and inside an Atoll isolate (conformance.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One recorded assertion, as harness.js reports it. */
export interface Assertion {
  area: string;
  name: string;
  pass: boolean;
  detail: string;
}

/** An area module's default export (see harness.js `area`). */
export interface Area {
  name: string;
  caseCount: number;
  run(from?: number, to?: number): Promise<Assertion[]>;
}

/** Every area, by module name under areas/. */
export const AREAS = [
  'url-parsing',
  'url-api',
  'url-search-params',
  'encoding',
  'base64',
  'headers',
  'request-response',
  'structured-clone',
  'dom-exception',
  'streams',
  'webcrypto',
  'blob-file-formdata',
  'abort',
  'event-target',
  'urlpattern',
] as const;

export type AreaName = (typeof AREAS)[number];

const HERE = import.meta.dirname;

/** Imports an area module in this process. */
export async function loadArea(name: AreaName): Promise<Area> {
  const mod = await import(pathToFileURL(join(HERE, 'areas', `${name}.js`)).href);
  return mod.default as Area;
}

/**
 * The deploy files of a function that runs area `name`: the harness, every area module
 * (the bundler keeps only what the entry imports) and an entry whose fetch handler runs
 * cases [from, to) given in the query and answers `{caseCount, results}` as JSON.
 */
export function areaFunctionFiles(name: AreaName): Record<string, string> {
  const files: Record<string, string> = { 'harness.js': readFileSync(join(HERE, 'harness.js'), 'utf8') };
  for (const file of readdirSync(join(HERE, 'areas'))) {
    if (file.endsWith('.js')) files[`areas/${file}`] = readFileSync(join(HERE, 'areas', file), 'utf8');
  }
  files['index.js'] = `
import area from './areas/${name}.js';

export default {
  async fetch(request) {
    // Read with a regular expression, not URL: the URL parser is among the things under test.
    const range = /[?&]from=(\\d+)&to=(\\d+)/.exec(request.url);
    const from = range ? Number(range[1]) : 0;
    const to = range ? Number(range[2]) : area.caseCount;
    const results = await area.run(from, to);
    return new Response(JSON.stringify({ caseCount: area.caseCount, results }), { headers: { 'content-type': 'application/json' } });
  },
};
`;
  return files;
}

/** Failures as readable lines, for an assertion message. */
export function describeFailures(results: readonly Assertion[]): string[] {
  return results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.detail}`);
}

/** A plain-text table of passed/total per area. */
export function passTable(rows: readonly { area: string; passed: number; total: number }[]): string {
  const width = Math.max(4, ...rows.map((r) => r.area.length));
  const line = (a: string, p: string, t: string) => `${a.padEnd(width)}  ${p.padStart(6)}  ${t.padStart(6)}`;
  const sum = rows.reduce((s, r) => ({ passed: s.passed + r.passed, total: s.total + r.total }), { passed: 0, total: 0 });
  return [line('area', 'passed', 'total'), ...rows.map((r) => line(r.area, String(r.passed), String(r.total))), line('all', String(sum.passed), String(sum.total))].join('\n');
}

/** passed/total of one area's results. */
export function tally(area: string, results: readonly Assertion[]) {
  return { area, passed: results.filter((r) => r.pass).length, total: results.length };
}

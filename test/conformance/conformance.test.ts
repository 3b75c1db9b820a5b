/**
 * The conformance suite inside a real isolate, through the path every function takes: each
 * area is deployed as a function through the management API and its cases run in its
 * fetch handler, in chunks (each invocation stays within its CPU limit). Every assertion
 * must pass; the pass count per area is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { AREAS, areaFunctionFiles, describeFailures, passTable, tally, type AreaName, type Assertion } from './areas.ts';

/**
 * Areas whose web APIs the runtime does not have yet: proven against Node in
 * reference.test.ts, run here once their feature merges (remove the name from this list).
 */
const AREAS_AWAITING_RUNTIME: readonly AreaName[] = [];

const CASES_PER_INVOCATION = 40;
const LIMITS = { cpuMs: 2000, memoryMb: 128, timeoutMs: 30_000 };
const MIN_ASSERTIONS = 500;

const running = AREAS.filter((a) => !AREAS_AWAITING_RUNTIME.includes(a));
const results = new Map<string, Assertion[]>();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  for (const name of running) {
    const { status, body } = await server.deploy(`conf-${name}`, areaFunctionFiles(name), { entry: 'index.js', limits: LIMITS });
    expect(status, JSON.stringify(body)).toBe(201);
  }
});

afterAll(async () => {
  if (results.size > 0) console.log(`Conformance inside an Atoll isolate:\n${passTable([...results].map(([a, r]) => tally(a, r)))}`);
  await server?.close();
});

/** Runs every case of area `name` in its deployed function, chunk by chunk. */
async function runInIsolate(name: AreaName): Promise<Assertion[]> {
  const all: Assertion[] = [];
  let caseCount = Infinity;
  for (let from = 0; from < caseCount; from += CASES_PER_INVOCATION) {
    const res = await server.fn(`conf-${name}?from=${from}&to=${from + CASES_PER_INVOCATION}`);
    const text = await res.text();
    expect(res.status, `${name} cases from ${from}: ${text}`).toBe(200);
    const body = JSON.parse(text) as { caseCount: number; results: Assertion[] };
    caseCount = body.caseCount;
    all.push(...body.results);
  }
  return all;
}

describe('conformance inside an isolate', () => {
  for (const name of running) {
    it(`${name}: every assertion passes`, async () => {
      const assertions = await runInIsolate(name);
      results.set(name, assertions);
      expect(assertions.length).toBeGreaterThan(0);
      expect(describeFailures(assertions)).toEqual([]);
    }, 120_000);
  }

  it(`covers at least ${MIN_ASSERTIONS} assertions`, () => {
    const total = [...results.values()].reduce((n, r) => n + r.length, 0);
    expect(total).toBeGreaterThanOrEqual(MIN_ASSERTIONS);
  });
});

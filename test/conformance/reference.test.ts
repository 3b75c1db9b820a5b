/**
 * The conformance cases run in Node 24 itself, whose web APIs are native: proof that each
 * expectation is right, independently of Atoll's runtime. Every area runs here, including
 * those still awaiting the runtime.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AREAS, describeFailures, loadArea, passTable, tally, type Assertion } from './areas.ts';

const results = new Map<string, Assertion[]>();

afterAll(() => {
  if (results.size > 0) console.log(`Conformance cases in Node ${process.version}:\n${passTable([...results].map(([a, r]) => tally(a, r)))}`);
});

describe('conformance cases against Node', () => {
  for (const name of AREAS) {
    it(`${name}: every assertion passes in Node`, async () => {
      const area = await loadArea(name);
      expect(area.name).toBe(name);
      const assertions = await area.run();
      results.set(name, assertions);
      expect(assertions.length).toBeGreaterThan(0);
      expect(describeFailures(assertions)).toEqual([]);
    });
  }
});

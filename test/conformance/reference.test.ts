/**
 * The conformance cases run in Node 24 itself, whose web APIs are native: proof that each
 * expectation is right, independently of Atoll's runtime. Every area runs here, including
 * those still awaiting the runtime.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AREAS, describeFailures, loadArea, passTable, tally, type Assertion } from './areas.ts';

const results = new Map<string, Assertion[]>();

/** Cases where Node 24 itself departs from the current specification (each explained in its case). */
const NODE_DEVIATIONS = new Set(['EventTarget: at the target, capture listeners run first, then the others, each in registration order']);

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
      const deviations = assertions.filter((a) => NODE_DEVIATIONS.has(a.name));
      expect(deviations.every((a) => !a.pass), 'a known Node deviation now passes: remove it from NODE_DEVIATIONS').toBe(true);
      expect(describeFailures(assertions.filter((a) => !NODE_DEVIATIONS.has(a.name)))).toEqual([]);
    });
  }
});

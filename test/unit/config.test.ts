/** Server settings from options and ATOLL_* variables: dispatch ahead (ATOLL_DISPATCH_AHEAD). */
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/index.ts';

const base = { dataDir: '/tmp/atoll-config-test' };

describe('server config: dispatch ahead', () => {
  it('holds up to 64 invocations per saturated instance by default, with one eager instance per host', () => {
    const config = resolveServerConfig(base, {});
    expect(config.dispatchAhead).toBe(64);
    expect(config.eagerInstancesPerHost).toBe(1);
  });

  it('without dispatch ahead, a pool adds 4 instances per host without waiting', () => {
    expect(resolveServerConfig(base, { ATOLL_DISPATCH_AHEAD: '1' }).eagerInstancesPerHost).toBe(4);
  });

  it('ATOLL_DISPATCH_AHEAD=1 turns it off; the option takes precedence', () => {
    expect(resolveServerConfig(base, { ATOLL_DISPATCH_AHEAD: '1' }).dispatchAhead).toBe(1);
    expect(resolveServerConfig({ ...base, dispatchAhead: 2 }, { ATOLL_DISPATCH_AHEAD: '1' }).dispatchAhead).toBe(2);
  });

  it.each(['0', '-1', 'four', '65'])('ATOLL_DISPATCH_AHEAD=%s is INVALID_CONFIG at start-up', (raw) => {
    expect(() => resolveServerConfig(base, { ATOLL_DISPATCH_AHEAD: raw })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

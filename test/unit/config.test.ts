/** Server settings from options and ATOLL_* variables: dispatch ahead (ATOLL_DISPATCH_AHEAD). */
import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from '../../src/config/index.ts';

const base = { dataDir: '/tmp/atoll-config-test' };

describe('server config: dispatch ahead', () => {
  it('holds up to 16 invocations per saturated instance by default', () => {
    expect(resolveServerConfig(base, {}).dispatchAhead).toBe(16);
  });

  it('ATOLL_DISPATCH_AHEAD=1 turns it off; the option takes precedence', () => {
    expect(resolveServerConfig(base, { ATOLL_DISPATCH_AHEAD: '1' }).dispatchAhead).toBe(1);
    expect(resolveServerConfig({ ...base, dispatchAhead: 2 }, { ATOLL_DISPATCH_AHEAD: '1' }).dispatchAhead).toBe(2);
  });

  it.each(['0', '-1', 'four', '17'])('ATOLL_DISPATCH_AHEAD=%s is INVALID_CONFIG at start-up', (raw) => {
    expect(() => resolveServerConfig(base, { ATOLL_DISPATCH_AHEAD: raw })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

/**
 * Evaluated first in the bundle: takes the host bridge off the global object before any
 * other code (and long before guest code) can see it.
 */
import type { HostBridge } from './bridge.ts';
import { attachHost } from './host.ts';

const g = globalThis as { __atollBridge?: HostBridge };
const bridge = g.__atollBridge;
delete g.__atollBridge;
if (bridge !== undefined) attachHost(bridge);

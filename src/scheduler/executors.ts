/**
 * Where instances run. The scheduler sees one small interface, `Executor`; the sandbox
 * hosts (isolates, for `js`) and the worker pool (processes, for `python3` and
 * `provided`) each stand behind one.
 */
import type { GuestRequest, HostPool, InvokeResult } from '../sandbox-host/index.ts';
import type { FunctionVersion } from './types.ts';

/** One instance, as the scheduler drives it. */
export interface InstanceHandle {
  /** Run one invocation; never rejects: failures are results. `clientGone` aborts when an HTTP client disconnects. */
  invoke(request: GuestRequest, body: Uint8Array | undefined, deadline: number, clientGone?: AbortSignal): Promise<InvokeResult>;
  destroy(): void;
}

/** A place that runs instances of function versions. */
export interface Executor {
  /** Invocations one instance may hold, the running one included, for FunctionPool's dispatch ahead; 1 when absent. */
  readonly aheadDepth?: number;
  /** Instances share a thread of their host (ScalingTuning.sharedThread). */
  readonly sharedThread?: boolean;
  /**
   * Start a new instance of `version` (code is sent or written as needed). `quarantined`:
   * a run of the version went far past its CPU limit; keep it away from other tenants if
   * the executor can.
   */
  create(instanceId: number, version: FunctionVersion, quarantined: boolean): InstanceHandle;
  /** No instance of `fnKey` is left: drop its code. */
  undefine(fnKey: string): void;
  /** Memory each live instance really uses, for the memory budget. */
  memory(): Promise<{ instanceId: number; bytes: number }[]>;
}

/**
 * The sandbox hosts as an executor: each instance goes to the host with the fewest.
 * `aheadDepth`: invocations a host holds per instance when the scheduler dispatches ahead
 * (ServerConfig.dispatchAhead). A held one starts within about (depth - 1) x AHEAD_WAIT_MS
 * or is handed back, well inside the gateway's grace for a host that stopped answering.
 */
export function isolateExecutor(hosts: HostPool, aheadDepth = 1): Executor {
  return {
    aheadDepth,
    sharedThread: true,
    create(instanceId, version, quarantined) {
      const host = hosts.pick(quarantined);
      host.define(version.fnKey, `${version.name}.js`, version.code, version.sourceMap);
      host.create({ instanceId, fnKey: version.fnKey, name: version.name, version: version.version, limits: version.limits, env: { ...version.env } });
      return {
        invoke: (request, body, deadline, clientGone) => host.invoke(instanceId, request, body, deadline, clientGone),
        destroy: () => host.destroy(instanceId),
      };
    },
    undefine(fnKey) {
      for (const host of hosts.hosts) host.undefine(fnKey);
    },
    async memory() {
      const stats = await Promise.all(hosts.hosts.filter((h) => h.alive).map((host) => host.stats()));
      return stats.flatMap((s) => s.perInstance.map(({ instanceId, heapBytes }) => ({ instanceId, bytes: heapBytes })));
    },
  };
}

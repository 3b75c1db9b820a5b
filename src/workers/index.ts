/** Out-of-process language workers (python3, provided) and their Runtime API. */
export { WorkerPool, DEFAULT_PYTHON_HANDLER, type WorkerPoolOptions, type WorkerVersion } from './worker-pool.ts';
export { RuntimeApi, type ApiInvocation, type ReportedError, type RuntimeApiEvents } from './runtime-api.ts';
export type { WorkerLogRecord, WorkerResult } from './types.ts';

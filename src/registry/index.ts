/** Functions, versions, code blobs and logs behind one interface (design.md §6). */
import { SqliteRegistry } from './sqlite.ts';
import type { Registry, RegistryOptions } from './types.ts';

export type {
  DeployResult, FunctionRecord, FunctionStyle, InvocationRecord, LogLine, LogQuery, LogQueryResult, LogRetention,
  NewVersion, Registry, RegistryOptions, Runtime, VersionRecord,
} from './types.ts';
export { FUNCTION_NAME_PATTERN, validateFunctionName } from './names.ts';
export { DEFAULT_LOG_RETENTION } from './logs.ts';
export { isProcessAlive, sha256Hex } from './blobs.ts';
export { InvocationBatch } from './invocation-batch.ts';
export { LogBatch } from './log-batch.ts';

/** Opens (creating if needed) the embedded SQLite registry in `dataDir`. */
export function openRegistry(dataDir: string, options?: RegistryOptions): Registry {
  return new SqliteRegistry(dataDir, options);
}

/**
 * The thread that writes logs.db for a registry opened with `logWriterThread` (see
 * log-writer.ts). Messages are handled one at a time, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LogStore } from './logs.ts';
import type { LogWriterRequest } from './log-writer.ts';

const store = new LogStore(workerData.path as string, workerData.retention);

parentPort!.on('message', (request: LogWriterRequest) => {
  try {
    switch (request.op) {
      case 'invocations':
        store.appendInvocations(request.columns);
        break;
      case 'logs':
        store.appendLogs(request.columns);
        break;
      case 'remove':
        store.removeFunction(request.name);
        break;
      case 'prune':
        store.prune();
        break;
      case 'close':
        store.close();
        break;
    }
    parentPort!.postMessage({ id: request.id });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});

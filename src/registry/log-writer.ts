/**
 * Writes to logs.db on a worker thread. Metering appends a batch several times a second
 * and prunes each function to its retention bound every few dozen batches; under load a
 * prune deletes tens of thousands of rows (about 100 ms), which on the gateway's own
 * thread would stall every request in flight. Reads stay on the caller's connection
 * (WAL lets them run beside the writer).
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { InvocationBatch, InvocationColumns } from './invocation-batch.ts';
import type { LogBatch, LogColumns } from './log-batch.ts';
import type { LogRetention } from './types.ts';

export type LogWriterRequest = { id: number } & (
  | { op: 'invocations'; columns: InvocationColumns }
  | { op: 'logs'; columns: LogColumns }
  | { op: 'remove'; name: string }
  | { op: 'prune' }
  | { op: 'close' }
);

type Op = LogWriterRequest extends infer R ? (R extends LogWriterRequest ? Omit<R, 'id'> : never) : never;

export class LogWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  #nextId = 1;
  #failed: Error | undefined;

  constructor(path: string, retention: LogRetention) {
    this.#worker = new Worker(new URL('./log-writer-worker.ts', import.meta.url), {
      workerData: { path, retention },
      // It only moves batches into SQLite: a small heap keeps its memory out of the way.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 },
    });
    this.#worker.on('message', ({ id, error }: { id: number; error?: string }) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (error === undefined) pending?.resolve();
      else pending?.reject(new Error(`logs.db: ${error}`));
    });
    const fail = (error: Error) => {
      this.#failed = error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the logs.db writer thread exited (code ${code})`)));
    // Only pending writes keep the process alive, not the idle thread (see #call).
    this.#worker.unref();
  }

  /** The batch's buffers move to the thread: it cannot be used afterwards. */
  appendInvocations(batch: InvocationBatch): Promise<void> {
    const columns = batch.columns();
    return this.#call({ op: 'invocations', columns }, [columns.numbers.buffer, columns.ids.buffer]);
  }

  /** The batch's buffers move to the thread: it cannot be used afterwards. */
  appendLogs(batch: LogBatch): Promise<void> {
    const columns = batch.columns();
    return this.#call({ op: 'logs', columns }, [columns.numbers.buffer, columns.ids.buffer, columns.text.buffer]);
  }

  removeFunction(name: string): Promise<void> {
    return this.#call({ op: 'remove', name });
  }

  prune(): Promise<void> {
    return this.#call({ op: 'prune' });
  }

  /** Finish every queued write, close the database and end the thread. */
  async close(): Promise<void> {
    if (!this.#failed) await this.#call({ op: 'close' }).catch(() => {});
    await this.#worker.terminate();
  }

  #call(op: Op, transfer: TransferListItem[] = []): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...op, id }, transfer);
    });
  }
}

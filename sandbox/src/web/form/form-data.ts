/** FormData (XHR §5): an ordered list of entries whose values are strings or Files. */

import {
  ReflectApply,
  TypeError_,
  clockNow,
  defineIterator,
  internalList,
  listAppend,
  requireArgs,
  toUSVString,
} from '../kit.ts';
import { type File, blobInternals, fileInternals, makeFile } from './blob.ts';

export type Entry = [name: string, value: string | File];

/** Runtime-only access to a FormData's entry list. */
export let formDataInternals: {
  isFormData(v: unknown): v is FormData;
  entries(fd: FormData): Entry[];
  append(fd: FormData, name: string, value: string | File): void;
};

export class FormData {
  #entries: Entry[] = internalList();

  constructor(form: unknown = undefined, submitter: unknown = undefined) {
    // There is no HTMLFormElement here: any form argument fails its conversion.
    if (form !== undefined) throw new TypeError_("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
    void submitter;
  }

  append(name: unknown, value: unknown, filename: unknown = undefined): void {
    requireArgs(arguments.length, 2, 'FormData.append');
    listAppend(this.#entries, createEntry(arguments.length, name, value, filename));
  }

  delete(name: unknown): void {
    requireArgs(arguments.length, 1, 'FormData.delete');
    const n = toUSVString(name);
    const kept: Entry[] = internalList();
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i]![0] !== n) listAppend(kept, this.#entries[i]!);
    this.#entries = kept;
  }

  get(name: unknown): string | File | null {
    requireArgs(arguments.length, 1, 'FormData.get');
    const n = toUSVString(name);
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i]![0] === n) return this.#entries[i]![1];
    return null;
  }

  getAll(name: unknown): (string | File)[] {
    requireArgs(arguments.length, 1, 'FormData.getAll');
    const n = toUSVString(name);
    const out: (string | File)[] = [];
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i]![0] === n) listAppend(out, this.#entries[i]![1]);
    return out;
  }

  has(name: unknown): boolean {
    requireArgs(arguments.length, 1, 'FormData.has');
    const n = toUSVString(name);
    for (let i = 0; i < this.#entries.length; i++) if (this.#entries[i]![0] === n) return true;
    return false;
  }

  set(name: unknown, value: unknown, filename: unknown = undefined): void {
    requireArgs(arguments.length, 2, 'FormData.set');
    const entry = createEntry(arguments.length, name, value, filename);
    const kept: Entry[] = internalList();
    let found = false;
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      if (e[0] !== entry[0]) listAppend(kept, e);
      else if (!found) {
        found = true;
        listAppend(kept, entry);
      }
    }
    if (!found) listAppend(kept, entry);
    this.#entries = kept;
  }

  forEach(callback: unknown, thisArg: unknown = undefined): void {
    requireArgs(arguments.length, 1, 'FormData.forEach');
    void this.#entries;
    if (typeof callback !== 'function') throw new TypeError_('FormData.forEach: the callback is not a function');
    // The list is re-read each step, as the spec's iterator does.
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      ReflectApply(callback, thisArg, [e[1], e[0], this]);
    }
  }

  static {
    formDataInternals = {
      isFormData: (v): v is FormData => typeof v === 'object' && v !== null && #entries in v,
      entries: (fd) => fd.#entries,
      append: (fd, name, value) => listAppend(fd.#entries, [name, value] as Entry),
    };
  }
}

/**
 * XHR's "create an entry", after overload resolution: with three arguments the value must
 * be a Blob; a Blob that is not a File becomes a File named "blob"; a filename renames it.
 */
function createEntry(argc: number, name: unknown, value: unknown, filename: unknown): Entry {
  const isBlob = blobInternals.isBlob(value);
  if (argc > 2 && !isBlob) throw new TypeError_("FormData: parameter 2 is not of type 'Blob'");
  const n = toUSVString(name);
  if (!isBlob) return [n, toUSVString(value)];
  const fname = argc > 2 && filename !== undefined ? toUSVString(filename) : undefined;
  const blob = value as File;
  const isFile = fileInternals.isFile(blob);
  if (isFile && fname === undefined) return [n, blob];
  const lastModified = isFile ? fileInternals.lastModified(blob) : clockNow();
  return [n, makeFile(blobInternals.bytes(blob), fname ?? 'blob', blobInternals.type(blob), lastModified)];
}

defineIterator(FormData, 'FormData Iterator', (fd) => formDataInternals.entries(fd as FormData) as unknown as [string, string][]);

/**
 * Records keyed by invocation id: the invocations a sandbox host is running, as the
 * gateway tracks them.
 *
 * Not a Map, on purpose. When V8 rehashes a Map (it grows, shrinks, or its deleted entries
 * pile up) the old backing table keeps its entries and a link to the new table, for
 * iterators still walking it. A Map with an entry per request in flight rehashes every few
 * requests. Once one of its tables reaches the old generation (every full collection
 * promotes all live young objects), that dead table holds the next, which holds the next,
 * each with the records of its time, and young-generation collections cannot see that the
 * chain is dead: they keep and promote every table, record and result it reaches, until
 * the next full collection, which starts a new chain. Measured (hello world, 50
 * connections, the gateway on one core): from the first full collection on, for good, the
 * gateway promoted ~7 MB/s, ran a full collection about once a second, and its p99 went
 * from ~10 to ~20 ms. An object in dictionary mode drops its old hash table outright.
 */
export class InvocationTable<V> {
  #entries: Record<number, V> = Object.create(null);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: number): V | undefined {
    return this.#entries[id];
  }

  has(id: number): boolean {
    return this.#entries[id] !== undefined;
  }

  set(id: number, value: V): void {
    if (this.#entries[id] === undefined) this.#size++;
    this.#entries[id] = value;
  }

  /** Removes and returns the record of `id`, if there is one. */
  take(id: number): V | undefined {
    const value = this.#entries[id];
    if (value === undefined) return undefined;
    delete this.#entries[id];
    this.#size--;
    return value;
  }

  /** Every record with its id, in the order they were sent in (ascending ids). */
  entries(): [number, V][] {
    // Object.keys lists integer keys in ascending order only below 2 ** 32 - 1.
    return Object.keys(this.#entries).map((key): [number, V] => [Number(key), this.#entries[Number(key)]!]).sort((a, b) => a[0] - b[0]);
  }

  values(): V[] {
    return Object.values(this.#entries);
  }

  /** Removes every record and returns them, as `entries()` would have. */
  drain(): [number, V][] {
    const all = this.entries();
    this.#entries = Object.create(null);
    this.#size = 0;
    return all;
  }
}

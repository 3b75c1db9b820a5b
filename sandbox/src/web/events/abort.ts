/**
 * AbortController and AbortSignal (WHATWG DOM §3.1-3.3). `AbortSignal.timeout` runs on the
 * runtime's host timers (a guest's clearTimeout cannot cancel it). `AbortSignal.any`
 * makes a dependent signal: its sources hold it only weakly, and strongly just while it
 * has abort listeners or algorithms (the spec's garbage collection rule), so the common
 * `AbortSignal.any([longLived.signal, request.signal])` per request does not leak. Part of
 * the lazy module `events`; the rest of the runtime reaches signals through events-api.ts.
 */

import {
  ArrayPrototypeIndexOf,
  DOMException,
  ReflectApply,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  Set_,
  SymbolIterator,
  TypeError_,
  WeakRefPrototypeDeref,
  WeakRef_,
  internalList,
  listAppend,
  reportException,
  requireArgs,
  setRuntimeTimer,
  toEnforcedUnsignedLongLong,
} from '../kit.ts';
import { Event, EventTarget, defineEventHandler, eventInternals, setSignalHooks } from './events.ts';

/** Passed to the constructor by the runtime; a guest's `new AbortSignal()` is a TypeError. */
const INTERNAL = {};

/** Runtime-only access to signals (events-api.ts hands it to fetch: Request's signal, aborting a fetch). */
export let abortInternals: {
  isAbortSignal(v: unknown): v is AbortSignal;
  aborted(s: AbortSignal): boolean;
  reason(s: AbortSignal): unknown;
  /** A new signal that is not aborted. */
  create(): AbortSignal;
  /** DOM's "signal abort": `reason` undefined means a new AbortError DOMException. */
  signalAbort(s: AbortSignal, reason: unknown): void;
  /** Adds an abort algorithm, run (once) when the signal aborts; removeAlgorithm takes it back. */
  addAlgorithm(s: AbortSignal, algorithm: () => void): void;
  removeAlgorithm(s: AbortSignal, algorithm: () => void): void;
  /** DOM's "create a dependent abort signal" (AbortSignal.any, a Request's signal). */
  dependent(signals: AbortSignal[]): AbortSignal;
};

export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason: unknown = undefined;
  #algorithms: Set<() => void> | null = null;
  #dependent = false;
  /** For a dependent signal: the non-dependent signals it follows. */
  #sources: AbortSignal[] | null = null;
  /** For a source: its dependent signals, weakly, and those that must stay alive (see above). */
  #dependents: Set<WeakRef<AbortSignal>> | null = null;
  #pinned: Set<AbortSignal> | null = null;
  #pruneAt = 16;

  constructor(token: unknown = undefined) {
    if (token !== INTERNAL) throw new TypeError_('Illegal constructor');
    super();
  }

  static abort(reason: unknown = undefined): AbortSignal {
    const s = new AbortSignal(INTERNAL);
    s.#aborted = true;
    s.#reason = reason === undefined ? defaultReason() : reason;
    return s;
  }

  static timeout(milliseconds: unknown): AbortSignal {
    requireArgs(arguments.length, 1, 'AbortSignal.timeout');
    const ms = toEnforcedUnsignedLongLong(milliseconds, 'AbortSignal.timeout: milliseconds');
    const s = new AbortSignal(INTERNAL);
    setRuntimeTimer(() => abortInternals.signalAbort(s, new DOMException('signal timed out', 'TimeoutError')), ms);
    return s;
  }

  static any(signals: unknown): AbortSignal {
    requireArgs(arguments.length, 1, 'AbortSignal.any');
    if ((typeof signals !== 'object' || signals === null) && typeof signals !== 'function') {
      throw new TypeError_('AbortSignal.any: the argument is not a sequence');
    }
    const method = (signals as Record<PropertyKey, unknown>)[SymbolIterator];
    if (typeof method !== 'function') throw new TypeError_('AbortSignal.any: the argument is not iterable');
    const list: AbortSignal[] = internalList();
    for (const v of { [SymbolIterator]: () => ReflectApply(method, signals, []) } as Iterable<unknown>) {
      if (!abortInternals.isAbortSignal(v)) throw new TypeError_('AbortSignal.any: an element is not an AbortSignal');
      listAppend(list, v);
    }
    return abortInternals.dependent(list);
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  static {
    const isSignal = (v: unknown): v is AbortSignal => typeof v === 'object' && v !== null && #aborted in v;

    const updatePin = (s: AbortSignal): void => {
      const sources = s.#sources;
      if (sources === null) return;
      const interested = (s.#algorithms !== null && SetPrototypeGetSize(s.#algorithms) > 0) || eventInternals.hasListeners(s, 'abort');
      for (let i = 0; i < sources.length; i++) {
        const src = sources[i]!;
        if (interested) SetPrototypeAdd((src.#pinned ??= new Set_()), s);
        else if (src.#pinned !== null) SetPrototypeDelete(src.#pinned, s);
      }
    };

    const link = (dependent: AbortSignal, source: AbortSignal): void => {
      const sources = dependent.#sources!;
      if (ArrayPrototypeIndexOf(sources, source) >= 0) return;
      listAppend(sources, source);
      const refs = (source.#dependents ??= new Set_());
      // Drop the references of collected signals now and then (amortised over additions).
      if (SetPrototypeGetSize(refs) >= source.#pruneAt) {
        SetPrototypeForEach(refs, (ref) => {
          if (WeakRefPrototypeDeref(ref) === undefined) SetPrototypeDelete(refs, ref);
        });
        source.#pruneAt = 2 * SetPrototypeGetSize(refs) + 16;
      }
      SetPrototypeAdd(refs, new WeakRef_(dependent));
    };

    const runAbortSteps = (s: AbortSignal): void => {
      const algorithms = s.#algorithms;
      s.#algorithms = null;
      if (algorithms !== null) {
        const list: (() => void)[] = internalList();
        SetPrototypeForEach(algorithms, (a) => listAppend(list, a));
        for (let i = 0; i < list.length; i++) {
          try {
            list[i]!();
          } catch (e) {
            reportException(e);
          }
        }
      }
      eventInternals.dispatch(s, new Event('abort'), true);
    };

    abortInternals = {
      isAbortSignal: isSignal,
      aborted: (s) => s.#aborted,
      reason: (s) => s.#reason,
      create: () => new AbortSignal(INTERNAL),
      signalAbort: (s, reason) => {
        if (s.#aborted) return;
        s.#aborted = true;
        s.#reason = reason === undefined ? defaultReason() : reason;
        const toAbort: AbortSignal[] = internalList();
        if (s.#dependents !== null) {
          SetPrototypeForEach(s.#dependents, (ref) => {
            const d = WeakRefPrototypeDeref(ref);
            if (d === undefined || d.#aborted) return;
            d.#aborted = true;
            d.#reason = s.#reason;
            listAppend(toAbort, d);
          });
        }
        s.#dependents = null;
        s.#pinned = null;
        runAbortSteps(s);
        for (let i = 0; i < toAbort.length; i++) {
          const d = toAbort[i]!;
          // An aborted signal never aborts again: its other sources need not keep it.
          const sources = d.#sources!;
          for (let j = 0; j < sources.length; j++) if (sources[j]!.#pinned !== null) SetPrototypeDelete(sources[j]!.#pinned!, d);
          d.#sources = null;
          runAbortSteps(d);
        }
      },
      addAlgorithm: (s, algorithm) => {
        if (s.#aborted) return;
        SetPrototypeAdd((s.#algorithms ??= new Set_()), algorithm);
        updatePin(s);
      },
      removeAlgorithm: (s, algorithm) => {
        if (s.#algorithms === null) return;
        SetPrototypeDelete(s.#algorithms, algorithm);
        updatePin(s);
      },
      dependent: (signals) => {
        const result = new AbortSignal(INTERNAL);
        for (let i = 0; i < signals.length; i++) {
          if (!signals[i]!.#aborted) continue;
          result.#aborted = true;
          result.#reason = signals[i]!.#reason;
          return result;
        }
        result.#dependent = true;
        result.#sources = internalList();
        for (let i = 0; i < signals.length; i++) {
          const s = signals[i]!;
          if (!s.#dependent) link(result, s);
          else for (let j = 0; j < s.#sources!.length; j++) link(result, s.#sources![j]!);
        }
        return result;
      },
    };

    setSignalHooks({
      isSignal,
      aborted: (s) => (s as AbortSignal).#aborted,
      addAlgorithm: (s, a) => abortInternals.addAlgorithm(s as AbortSignal, a),
      removeAlgorithm: (s, a) => abortInternals.removeAlgorithm(s as AbortSignal, a),
      listenersChanged: (t) => {
        if (isSignal(t)) updatePin(t);
      },
    });
  }
}

defineEventHandler(AbortSignal.prototype, 'abort');

function defaultReason(): DOMException {
  return new DOMException('signal is aborted without reason', 'AbortError');
}

/** Brand check: an AbortController of this runtime. */
export let isAbortController: (v: unknown) => v is AbortController;

export class AbortController {
  #signal = abortInternals.create();

  get signal(): AbortSignal {
    return this.#signal;
  }

  abort(reason: unknown = undefined): void {
    abortInternals.signalAbort(this.#signal, reason);
  }

  static {
    isAbortController = (v): v is AbortController => typeof v === 'object' && v !== null && #signal in v;
  }
}

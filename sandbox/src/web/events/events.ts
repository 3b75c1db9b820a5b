/**
 * Event, CustomEvent and EventTarget (WHATWG DOM §2) for targets outside a node tree, the
 * only kind an isolate has: an event's path is its target alone, so dispatch runs the
 * target's capture listeners, then its other listeners, both in the AT_TARGET phase.
 * Exceptions thrown by listeners are reported to the log, never to the dispatcher.
 * Part of the lazy module `events` (index.ts).
 */

import {
  ArrayPrototypeSplice,
  ObjectCreate,
  ObjectDefineProperty,
  ReflectApply,
  TypeError_,
  dataDescriptor,
  domException,
  internalList,
  listAppend,
  performanceNow,
  reportException,
  requireArgs,
  setFunctionName,
  toDOMString,
  toDictionary,
} from '../kit.ts';

const NONE = 0;
const AT_TARGET = 2;
const PHASES = ['NONE', 'CAPTURING_PHASE', 'AT_TARGET', 'BUBBLING_PHASE'];

/** An entry of a target's event listener list. */
interface Listener {
  type: string;
  /** The guest's function or object with `handleEvent`; null for a runtime listener (`run`). */
  callback: object | null;
  run: ((event: Event) => void) | null;
  capture: boolean;
  once: boolean;
  passive: boolean;
  removed: boolean;
  /** The AbortSignal given in the options and the abort algorithm added to it, so removal can take it back. */
  signal: object | null;
  onAbort: (() => void) | null;
}

/** Runtime-only access to events and targets (AbortSignal, event handler attributes). */
export let eventInternals: {
  isEvent(v: unknown): v is Event;
  /**
   * Dispatches `e` at `target`; returns false when a listener canceled it. `trusted` is
   * true when the runtime fires the event, false for the guest's dispatchEvent.
   */
  dispatch(target: EventTarget, e: Event, trusted: boolean): boolean;
  hasListeners(target: EventTarget, type: string): boolean;
  /** Sets the canceled flag if the event is cancelable and not in a passive listener. */
  cancel(e: Event): void;
  initialize(e: Event, type: string, bubbles: boolean, cancelable: boolean): boolean;
};

/**
 * What EventTarget needs of AbortSignal (the `signal` option), registered by abort.ts:
 * AbortSignal extends EventTarget, so this module cannot import it.
 */
export interface SignalHooks {
  isSignal(v: unknown): boolean;
  aborted(signal: object): boolean;
  addAlgorithm(signal: object, algorithm: () => void): void;
  removeAlgorithm(signal: object, algorithm: () => void): void;
  /** Run after a target's listener list changed (a dependent AbortSignal is kept alive while it has listeners). */
  listenersChanged(target: EventTarget): void;
}
let signals: SignalHooks;
/** Registers AbortSignal's side of the `signal` option. */
export function setSignalHooks(hooks: SignalHooks): void {
  signals = hooks;
}

let trusted: (e: Event) => boolean;
const isTrustedGetter = setFunctionName(function (this: Event): boolean {
  return trusted(this);
}, 'get isTrusted');
// [LegacyUnforgeable]: an own, non-configurable accessor on every instance, one getter for all.
const isTrustedDescriptor = { __proto__: null, get: isTrustedGetter, enumerable: true, configurable: false } as PropertyDescriptor;

export class Event {
  #type: string;
  #bubbles = false;
  #cancelable = false;
  #composed = false;
  #target: EventTarget | null = null;
  #currentTarget: EventTarget | null = null;
  #phase = NONE;
  #stop = false;
  #stopImmediate = false;
  #canceled = false;
  #inPassive = false;
  #dispatching = false;
  #trusted = false;
  #timeStamp: number;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArgs(arguments.length, 1, 'Event');
    this.#type = toDOMString(type);
    const init = toDictionary(eventInitDict, 'Event');
    if (init !== null) {
      this.#bubbles = !!init.bubbles;
      this.#cancelable = !!init.cancelable;
      this.#composed = !!init.composed;
    }
    this.#timeStamp = performanceNow();
    ObjectDefineProperty(this, 'isTrusted', isTrustedDescriptor);
  }

  get type(): string {
    return this.#type;
  }
  get target(): EventTarget | null {
    return this.#target;
  }
  get srcElement(): EventTarget | null {
    return this.#target;
  }
  get currentTarget(): EventTarget | null {
    return this.#currentTarget;
  }
  composedPath(): EventTarget[] {
    const path: EventTarget[] = [];
    if (this.#dispatching && this.#currentTarget !== null) path[0] = this.#currentTarget;
    return path;
  }
  get eventPhase(): number {
    return this.#phase;
  }
  stopPropagation(): void {
    this.#stop = true;
  }
  get cancelBubble(): boolean {
    return this.#stop;
  }
  set cancelBubble(value: unknown) {
    if (value) this.#stop = true;
  }
  stopImmediatePropagation(): void {
    this.#stop = true;
    this.#stopImmediate = true;
  }
  get bubbles(): boolean {
    return this.#bubbles;
  }
  get cancelable(): boolean {
    return this.#cancelable;
  }
  get returnValue(): boolean {
    return !this.#canceled;
  }
  set returnValue(value: unknown) {
    if (!value) cancel(this);
  }
  preventDefault(): void {
    cancel(this);
  }
  get defaultPrevented(): boolean {
    return this.#canceled;
  }
  get composed(): boolean {
    return this.#composed;
  }
  get timeStamp(): number {
    return this.#timeStamp;
  }
  initEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false): void {
    requireArgs(arguments.length, 1, 'initEvent');
    initialize(this, toDOMString(type), !!bubbles, !!cancelable);
  }

  static {
    trusted = (e) => e.#trusted;
    eventInternals = {
      isEvent: (v): v is Event => typeof v === 'object' && v !== null && #type in v,
      dispatch: (target, e, trusted) => {
        if (e.#dispatching) throw domException('InvalidStateError', 'The event is already being dispatched');
        e.#trusted = trusted;
        e.#dispatching = true;
        e.#target = target;
        e.#currentTarget = target;
        e.#phase = AT_TARGET;
        invoke(target, e, true);
        invoke(target, e, false);
        e.#phase = NONE;
        e.#currentTarget = null;
        e.#dispatching = false;
        e.#stop = false;
        e.#stopImmediate = false;
        return !e.#canceled;
      },
      hasListeners: (t, type) => hasListeners(t, type),
      cancel: (e) => {
        if (e.#cancelable && !e.#inPassive) e.#canceled = true;
      },
      initialize: (e, type, bubbles, cancelable) => {
        if (e.#dispatching) return false;
        e.#stop = false;
        e.#stopImmediate = false;
        e.#canceled = false;
        e.#trusted = false;
        e.#target = null;
        e.#type = type;
        e.#bubbles = bubbles;
        e.#cancelable = cancelable;
        return true;
      },
    };
    // Runs one pass over the target's listeners ("inner invoke"): capture listeners, or the others.
    const invoke = (target: EventTarget, e: Event, capture: boolean): void => {
      if (e.#stop) return;
      const listeners = listenersOf(target);
      for (let i = 0; i < listeners.length; i++) {
        const l = listeners[i]!;
        if (l.removed || l.type !== e.#type || l.capture !== capture) continue;
        if (l.once) removeListener(target, l);
        if (l.passive) e.#inPassive = true;
        try {
          if (l.run !== null) l.run(e);
          else callListener(l.callback!, target, e);
        } catch (err) {
          reportException(err);
        }
        e.#inPassive = false;
        if (e.#stopImmediate) break;
      }
    };
  }
}

const { cancel, initialize } = eventInternals;

function callListener(callback: object, target: EventTarget, e: Event): void {
  if (typeof callback === 'function') {
    ReflectApply(callback, target, [e]);
    return;
  }
  const handleEvent = (callback as { handleEvent?: unknown }).handleEvent;
  if (typeof handleEvent !== 'function') throw new TypeError_("The listener's handleEvent is not a function");
  ReflectApply(handleEvent, callback, [e]);
}

for (let i = 0; i < PHASES.length; i++) {
  ObjectDefineProperty(Event, PHASES[i]!, dataDescriptor(i, true));
  ObjectDefineProperty(Event.prototype, PHASES[i]!, dataDescriptor(i, true));
}

export class CustomEvent extends Event {
  #detail: unknown = null;

  constructor(type: unknown, eventInitDict: unknown = undefined) {
    requireArgs(arguments.length, 1, 'CustomEvent');
    super(type, eventInitDict);
    const detail = eventInitDict === undefined || eventInitDict === null ? undefined : (eventInitDict as { detail?: unknown }).detail;
    if (detail !== undefined) this.#detail = detail;
  }
  get detail(): unknown {
    return this.#detail;
  }
  initCustomEvent(type: unknown, bubbles: unknown = false, cancelable: unknown = false, detail: unknown = null): void {
    requireArgs(arguments.length, 1, 'initCustomEvent');
    if (initialize(this, toDOMString(type), !!bubbles, !!cancelable)) this.#detail = detail;
  }
}

interface HandlerState {
  value: object | null;
  listener: Listener | null;
}

/** Brand check: an EventTarget of this runtime (an AbortSignal, performance...). */
export let isEventTarget: (v: unknown) => v is EventTarget;
let brand: (t: unknown) => void;
let addListener: (t: EventTarget, l: Listener) => boolean;
let removeListener: (t: EventTarget, l: Listener) => void;
let hasListeners: (t: EventTarget, type: string) => boolean;
let listenersOf: (t: EventTarget) => Listener[];
let handlersOf: (t: EventTarget) => Record<string, HandlerState>;

export class EventTarget {
  #listeners: Listener[] = internalList();
  #handlers: Record<string, HandlerState> | null = null;

  addEventListener(type: unknown, callback: unknown, options: unknown = undefined): void {
    brand(this);
    requireArgs(arguments.length, 2, 'addEventListener');
    const t = toDOMString(type);
    const cb = toCallback(callback);
    let capture = false;
    let once = false;
    let passive = false;
    let signal: object | null = null;
    if (typeof options === 'object' && options !== null || typeof options === 'function') {
      const o = options as Record<string, unknown>;
      capture = !!o.capture;
      once = !!o.once;
      passive = !!o.passive;
      const s = o.signal;
      if (s !== undefined) {
        if (!signals.isSignal(s)) throw new TypeError_("addEventListener: the 'signal' option is not an AbortSignal");
        signal = s as object;
      }
    } else if (options !== undefined && options !== null) {
      capture = !!options;
    }
    if (signal !== null && signals.aborted(signal)) return;
    if (cb === null) return;
    const l: Listener = { type: t, callback: cb, run: null, capture, once, passive, removed: false, signal, onAbort: null };
    if (addListener(this, l) && signal !== null) {
      l.onAbort = () => removeListener(this, l);
      signals.addAlgorithm(signal, l.onAbort);
    }
  }

  removeEventListener(type: unknown, callback: unknown, options: unknown = undefined): void {
    brand(this);
    requireArgs(arguments.length, 2, 'removeEventListener');
    const t = toDOMString(type);
    const cb = toCallback(callback);
    let capture = false;
    if (typeof options === 'object' && options !== null || typeof options === 'function') capture = !!(options as { capture?: unknown }).capture;
    else if (options !== undefined && options !== null) capture = !!options;
    if (cb === null) return;
    const list = this.#listeners;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      if (l.type === t && l.callback === cb && l.capture === capture) return removeListener(this, l);
    }
  }

  dispatchEvent(event: unknown): boolean {
    brand(this);
    requireArgs(arguments.length, 1, 'dispatchEvent');
    if (!eventInternals.isEvent(event)) throw new TypeError_("dispatchEvent: parameter 1 is not of type 'Event'");
    return eventInternals.dispatch(this, event, false);
  }

  static {
    isEventTarget = (t): t is EventTarget => typeof t === 'object' && t !== null && #listeners in t;
    brand = (t) => {
      if (!isEventTarget(t)) throw new TypeError_('Illegal invocation: not an EventTarget');
    };
    listenersOf = (t) => {
      // A copy: listeners added during dispatch do not run, removed ones are skipped by their flag.
      const list = t.#listeners;
      const copy: Listener[] = internalList();
      for (let i = 0; i < list.length; i++) copy[i] = list[i]!;
      return copy;
    };
    handlersOf = (t) => (t.#handlers ??= ObjectCreate(null) as Record<string, HandlerState>);
    addListener = (t, l) => {
      const list = t.#listeners;
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (o.type === l.type && o.callback === l.callback && o.capture === l.capture && o.callback !== null) return false;
      }
      listAppend(list, l);
      signals.listenersChanged(t);
      return true;
    };
    removeListener = (t, l) => {
      l.removed = true;
      const list = t.#listeners;
      for (let i = 0; i < list.length; i++) {
        if (list[i] !== l) continue;
        ArrayPrototypeSplice(list, i, 1);
        if (l.signal !== null && l.onAbort !== null) signals.removeAlgorithm(l.signal, l.onAbort);
        signals.listenersChanged(t);
        return;
      }
    };
    hasListeners = (t, type) => {
      const list = t.#listeners;
      for (let i = 0; i < list.length; i++) if (list[i]!.type === type) return true;
      return false;
    };
  }
}


/** WebIDL `EventListener?`: null and undefined are null, any object is accepted, anything else is a TypeError. */
function toCallback(v: unknown): object | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError_('The listener is not an object');
  return v as object;
}

/** Defines the event handler IDL attribute `on<type>` (HTML §8.1.8.1) on an EventTarget interface's prototype. */
export function defineEventHandler(proto: object, type: string): void {
  const name = `on${type}`;
  function get(this: EventTarget): object | null {
    return handlersOf(this)[type]?.value ?? null;
  }
  function set(this: EventTarget, v: unknown): void {
    const handlers = handlersOf(this);
    // [LegacyTreatNonObjectAsNull]: a non-object is null; an uncallable object is kept and ignored when the event fires.
    const value = (typeof v === 'object' && v !== null) || typeof v === 'function' ? (v as object) : null;
    const h = (handlers[type] ??= { value: null, listener: null });
    h.value = value;
    if (value === null) {
      // Deactivate: setting a handler again later appends a new listener at the end.
      if (h.listener !== null) removeListener(this, h.listener);
      h.listener = null;
    } else if (h.listener === null) {
      const target = this;
      h.listener = { type, callback: null, run: (e) => runHandler(target, h, e), capture: false, once: false, passive: false, removed: false, signal: null, onAbort: null };
      addListener(this, h.listener);
    }
  }
  ObjectDefineProperty(proto, name, {
    __proto__: null,
    get: setFunctionName(get, `get ${name}`),
    set: setFunctionName(set, `set ${name}`),
    enumerable: true,
    configurable: true,
  } as PropertyDescriptor);
}

function runHandler(target: EventTarget, h: HandlerState, e: Event): void {
  const f = h.value;
  if (typeof f !== 'function') return;
  if (ReflectApply(f, target, [e]) === false) cancel(e);
}

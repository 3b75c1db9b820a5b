/** A minimal DOMException (WebIDL §2.8): name, message, legacy code. */

import { Error_, String_ } from '../primordials.ts';
import { registerPlatformClass } from './platform-objects.ts';

// Legacy codes the WebIDL table still assigns to names; everything else is 0.
const CODES: Record<string, number> = {
  __proto__: null as never,
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

export class DOMException extends Error_ {
  #name: string;
  #message: string;
  constructor(message: unknown = '', name: unknown = 'Error') {
    super();
    this.#message = String_(message);
    this.#name = String_(name);
  }
  get name(): string {
    return this.#name;
  }
  get message(): string {
    return this.#message;
  }
  get code(): number {
    return CODES[this.#name] ?? 0;
  }

  static {
    // DOMException is [Serializable] (WebIDL): structuredClone makes one with the same name and message.
    registerPlatformClass(this, (v) => #name in v, (v) => new DOMException((v as DOMException).#message, (v as DOMException).#name));
  }
}

/** Creates a DOMException with the given WebIDL name. */
export function domException(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

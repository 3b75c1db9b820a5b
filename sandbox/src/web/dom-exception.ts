/**
 * DOMException (WebIDL §2.8 and §3.14.1): name, message and the legacy code, with the
 * legacy code constants on the interface and its prototype.
 *
 * A plain function rather than a class: the interface object's prototype must be
 * Function.prototype (a class extending Error would have Error), while each instance is
 * made by the Error constructor, so it carries [[ErrorData]] (Error.isError is true) and
 * V8's stack. The name and message live in a WeakMap the getters brand-check against.
 */

import {
  ErrorCaptureStackTrace,
  Error_,
  FunctionPrototype,
  ObjectDefineProperty,
  ObjectSetPrototypeOf,
  ReflectConstruct,
  TypeError_,
  WeakMap_,
  WeakMapPrototypeGet,
  WeakMapPrototypeSet,
  dataDescriptor,
  setFunctionName,
} from '../primordials.ts';
import { toDOMString } from './webidl.ts';

export interface DOMException extends Error {
  readonly code: number;
}

interface State {
  name: string;
  message: string;
}

// Legacy codes the WebIDL error names table still assigns; any other name has code 0.
const CODES: Record<string, number> = {
  __proto__: null as never,
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
  InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18,
  NetworkError: 19, AbortError: 20, URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
  InvalidNodeTypeError: 24, DataCloneError: 25,
};
// The legacy constants, valued 1 to 25 in order (codes 2, 6, 10 and 16 are retired but keep their constants).
const CONSTANTS = [
  'INDEX_SIZE_ERR', 'DOMSTRING_SIZE_ERR', 'HIERARCHY_REQUEST_ERR', 'WRONG_DOCUMENT_ERR', 'INVALID_CHARACTER_ERR',
  'NO_DATA_ALLOWED_ERR', 'NO_MODIFICATION_ALLOWED_ERR', 'NOT_FOUND_ERR', 'NOT_SUPPORTED_ERR', 'INUSE_ATTRIBUTE_ERR',
  'INVALID_STATE_ERR', 'SYNTAX_ERR', 'INVALID_MODIFICATION_ERR', 'NAMESPACE_ERR', 'INVALID_ACCESS_ERR', 'VALIDATION_ERR',
  'TYPE_MISMATCH_ERR', 'SECURITY_ERR', 'NETWORK_ERR', 'ABORT_ERR', 'URL_MISMATCH_ERR', 'QUOTA_EXCEEDED_ERR', 'TIMEOUT_ERR',
  'INVALID_NODE_TYPE_ERR', 'DATA_CLONE_ERR',
];

const states = new WeakMap_<object, State>();

function state(self: unknown, what: string): State {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(states, self) : undefined;
  if (s === undefined) throw new TypeError_(`Illegal invocation: ${what} called on an object that is not a DOMException`);
  return s;
}

function DOMExceptionImpl(this: unknown, message: unknown = undefined, name: unknown = undefined): object {
  if (new.target === undefined) throw new TypeError_("Class constructor DOMException cannot be invoked without 'new'");
  const s: State = { name: name === undefined ? 'Error' : toDOMString(name), message: message === undefined ? '' : toDOMString(message) };
  // V8 heads the stack with the message given to the Error constructor; the own `message`
  // that constructor defines goes again, leaving the prototype's getter (WebIDL).
  const self = ReflectConstruct(Error_, [s.message], new.target) as { message?: string };
  delete self.message;
  WeakMapPrototypeSet(states, self, s);
  // The stack starts at the caller, as a native DOMException's does.
  if (ErrorCaptureStackTrace !== undefined) (ErrorCaptureStackTrace as (o: object, f: Function) => void)(self, DOMExceptionImpl);
  return self;
}

const proto = {
  get name(): string {
    return state(this, 'name').name;
  },
  get message(): string {
    return state(this, 'message').message;
  },
  get code(): number {
    return CODES[state(this, 'code').name] ?? 0;
  },
};
ObjectSetPrototypeOf(proto, Error_.prototype);
ObjectDefineProperty(proto, 'constructor', dataDescriptor(DOMExceptionImpl, false, true, true));
ObjectDefineProperty(DOMExceptionImpl, 'prototype', dataDescriptor(proto));
ObjectSetPrototypeOf(DOMExceptionImpl, FunctionPrototype);
for (let i = 0; i < CONSTANTS.length; i++) {
  ObjectDefineProperty(DOMExceptionImpl, CONSTANTS[i]!, dataDescriptor(i + 1, true));
  ObjectDefineProperty(proto, CONSTANTS[i]!, dataDescriptor(i + 1, true));
}
setFunctionName(DOMExceptionImpl, 'DOMException');

export const DOMException = DOMExceptionImpl as unknown as {
  new (message?: unknown, name?: unknown): DOMException;
  readonly prototype: DOMException;
};

/** Creates a DOMException with the given WebIDL name. */
export function domException(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

/** The name and message of a DOMException of this runtime, read without running any getter; null for anything else. */
export function domExceptionFields(v: unknown): { name: string; message: string } | null {
  const s = typeof v === 'object' && v !== null ? WeakMapPrototypeGet(states, v) : undefined;
  return s === undefined ? null : { name: s.name, message: s.message };
}

/**
 * DOMException (WebIDL §3.14.1): constructor defaults and conversions, the legacy code of
 * each name in the error names table, the legacy code constants, and its WebIDL shape
 * (accessors on the prototype, Error.prototype in its chain).
 */
import { area } from '../harness.js';

/** [name, legacy code, constant name]: the WebIDL error names table. */
const LEGACY = [
  ['IndexSizeError', 1, 'INDEX_SIZE_ERR'],
  ['HierarchyRequestError', 3, 'HIERARCHY_REQUEST_ERR'],
  ['WrongDocumentError', 4, 'WRONG_DOCUMENT_ERR'],
  ['InvalidCharacterError', 5, 'INVALID_CHARACTER_ERR'],
  ['NoModificationAllowedError', 7, 'NO_MODIFICATION_ALLOWED_ERR'],
  ['NotFoundError', 8, 'NOT_FOUND_ERR'],
  ['NotSupportedError', 9, 'NOT_SUPPORTED_ERR'],
  ['InvalidStateError', 11, 'INVALID_STATE_ERR'],
  ['SyntaxError', 12, 'SYNTAX_ERR'],
  ['InvalidModificationError', 13, 'INVALID_MODIFICATION_ERR'],
  ['NamespaceError', 14, 'NAMESPACE_ERR'],
  ['InvalidAccessError', 15, 'INVALID_ACCESS_ERR'],
  ['TypeMismatchError', 17, 'TYPE_MISMATCH_ERR'],
  ['SecurityError', 18, 'SECURITY_ERR'],
  ['NetworkError', 19, 'NETWORK_ERR'],
  ['AbortError', 20, 'ABORT_ERR'],
  ['URLMismatchError', 21, 'URL_MISMATCH_ERR'],
  ['QuotaExceededError', 22, 'QUOTA_EXCEEDED_ERR'],
  ['TimeoutError', 23, 'TIMEOUT_ERR'],
  ['InvalidNodeTypeError', 24, 'INVALID_NODE_TYPE_ERR'],
  ['DataCloneError', 25, 'DATA_CLONE_ERR'],
];

/** Constants whose names have no DOMException name any more, but whose values remain. */
const OTHER_CONSTANTS = [['DOMSTRING_SIZE_ERR', 2], ['VALIDATION_ERR', 16], ['NO_DATA_ALLOWED_ERR', 6]];

export default area('dom-exception', (test) => {
  for (const [name, code, constant] of LEGACY) {
    test(`DOMException: ${name} has legacy code ${code}, also as ${constant}`, (t) => {
      const e = new DOMException('m', name);
      t.equal(e.name, name, 'name');
      t.equal(e.code, code, 'code');
      t.equal(DOMException[constant], code, 'constant on the interface');
      t.equal(DOMException.prototype[constant], code, 'constant on the prototype');
    });
  }

  for (const [constant, value] of OTHER_CONSTANTS) {
    test(`DOMException: constant ${constant} is ${value}`, (t) => t.equal(DOMException[constant], value));
  }

  for (const name of ['EncodingError', 'NotReadableError', 'UnknownError', 'ConstraintError', 'DataError', 'TransactionInactiveError', 'ReadOnlyError', 'VersionError', 'OperationError', 'NotAllowedError', 'OptOutError', 'Error', 'made-up', '']) {
    test(`DOMException: ${JSON.stringify(name)} has code 0`, (t) => t.equal(new DOMException('', name).code, 0));
  }

  test('DOMException: defaults', (t) => {
    const e = new DOMException();
    t.equal(e.name, 'Error', 'name');
    t.equal(e.message, '', 'message');
    t.equal(e.code, 0, 'code');
    const m = new DOMException('only a message');
    t.equal(m.name, 'Error', 'name with a message');
    t.equal(m.message, 'only a message', 'message');
    t.equal(new DOMException(undefined, undefined).name, 'Error', 'undefined name is the default');
  });

  test('DOMException: message and name are converted to strings', (t) => {
    t.equal(new DOMException(42).message, '42', 'a number message');
    t.equal(new DOMException({ toString: () => 'from object' }).message, 'from object', 'an object message');
    t.equal(new DOMException('m', 7).name, '7', 'a number name');
    t.equal(new DOMException('m', false).name, 'false', 'a boolean name');
    t.equal(new DOMException(null, null).name, 'null', 'null name');
    t.throws(() => new DOMException(Symbol('s')), 'TypeError', 'a symbol message');
  });

  test('DOMException: is an Error', (t) => {
    const e = new DOMException('m', 'AbortError');
    t.ok(e instanceof Error, 'instanceof Error');
    t.ok(e instanceof DOMException, 'instanceof DOMException');
    t.equal(Object.getPrototypeOf(DOMException.prototype), Error.prototype, 'prototype chain');
    t.equal(String(e), 'AbortError: m', 'Error.prototype.toString');
    t.equal(Object.prototype.toString.call(e), '[object DOMException]', 'toStringTag');
  });

  test('DOMException: name, message and code are prototype accessors', (t) => {
    for (const key of ['name', 'message', 'code']) {
      const d = Object.getOwnPropertyDescriptor(DOMException.prototype, key);
      t.ok(d !== undefined && typeof d.get === 'function' && d.set === undefined && d.enumerable === true, `${key} accessor`);
      t.throws(() => d.get.call({}), 'TypeError', `${key} getter on a non-DOMException`);
    }
    const e = new DOMException('m', 'AbortError');
    t.equal(Object.hasOwn(e, 'name'), false, 'no own name');
    t.equal(Object.hasOwn(e, 'message'), false, 'no own message');
  });

  test('DOMException: constants are read-only', (t) => {
    const d = Object.getOwnPropertyDescriptor(DOMException, 'ABORT_ERR');
    t.equal(d.writable, false, 'not writable');
    t.equal(d.configurable, false, 'not configurable');
    t.equal(d.enumerable, true, 'enumerable');
  });

  test('DOMException: constructor shape', (t) => {
    t.throws(() => DOMException('m'), 'TypeError', 'call without new');
    t.equal(DOMException.length, 0, 'length');
    t.equal(DOMException.name, 'DOMException', 'name');
    class Sub extends DOMException {}
    const s = new Sub('m', 'AbortError');
    t.ok(s instanceof Sub && s.code === 20, 'subclassable');
  });
});

/**
 * The conformance harness: plain JavaScript that runs wherever the web APIs are globals,
 * inside an Atoll isolate (bundled into a deployed function) and in Node itself (the
 * reference run). An area is a list of cases; each case records assertions
 * `{ area, name, pass, detail }` through the `t` object it is handed.
 *
 * It uses only the language and setTimeout (no other web API) so a broken runtime API
 * cannot break the bookkeeping that reports it.
 */

/** Declares an area: `build(test)` registers cases with `test(name, fn)`; fn(t) may be async. */
export function area(name, build) {
  const cases = [];
  build((caseName, fn) => cases.push({ name: caseName, fn }));
  return {
    name,
    caseCount: cases.length,
    /** Runs cases [from, to) and resolves to their assertions. */
    async run(from = 0, to = cases.length) {
      const results = [];
      for (const c of cases.slice(from, to)) await runCase(name, c, results);
      return results;
    },
  };
}

/** A case whose promise never settles (a lost wake-up in a stream, say) fails instead of hanging the run. */
const CASE_TIMEOUT_MS = 5000;
const TIMED_OUT = Symbol('timed out');

async function runCase(areaName, c, results) {
  const own = [];
  const seen = new Map();
  const record = (label, pass, detail) => {
    const base = label === undefined ? c.name : `${c.name} [${label}]`;
    // Names identify failures, so each assertion of a case gets a distinct one.
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    own.push({ area: areaName, name: n === 1 ? base : `${base} #${n}`, pass, detail: pass ? '' : detail });
  };
  const t = assertions(record);
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), CASE_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([c.fn(t), timedOut]);
    if (outcome === TIMED_OUT) record('settles', false, `did not settle within ${CASE_TIMEOUT_MS} ms`);
  } catch (e) {
    record('unexpected exception', false, `threw ${describeError(e)}`);
  } finally {
    clearTimeout(timer);
  }
  // A case that asserted nothing proves nothing: it counts as a failure.
  if (own.length === 0) record(undefined, false, 'the case recorded no assertion');
  results.push(...own);
}

function assertions(record) {
  return {
    /** SameValue, so NaN equals NaN and -0 differs from +0. */
    equal(actual, expected, label) {
      record(label, Object.is(actual, expected), `got ${show(actual)}, expected ${show(expected)}`);
    },
    /** Structural equality of arrays, typed arrays, plain objects and primitives. */
    deepEqual(actual, expected, label) {
      record(label, same(actual, expected), `got ${show(actual)}, expected ${show(expected)}`);
    },
    ok(value, label) {
      record(label, value === true, `got ${show(value)}, expected true`);
    },
    /** `fn()` throws synchronously an error named `errorName` of this realm (see isNamedError). */
    throws(fn, errorName, label) {
      try {
        const value = fn();
        record(label, false, `returned ${show(value)}, expected ${errorName}`);
      } catch (e) {
        record(label, isNamedError(e, errorName), `threw ${describeError(e)}, expected ${errorName}`);
      }
    },
    /** `fn()` returns a promise that rejects with an error named `errorName`, and does not throw. */
    async rejects(fn, errorName, label) {
      let promise;
      try {
        promise = fn();
      } catch (e) {
        record(label, false, `threw synchronously ${describeError(e)}, expected a rejection with ${errorName}`);
        return;
      }
      try {
        const value = await promise;
        record(label, false, `resolved with ${show(value)}, expected a rejection with ${errorName}`);
      } catch (e) {
        record(label, isNamedError(e, errorName), `rejected with ${describeError(e)}, expected ${errorName}`);
      }
    },
    /** `fn()` does not throw (sync or async); resolves to its value. */
    async doesNotThrow(fn, label) {
      try {
        const value = await fn();
        record(label, true, '');
        return value;
      } catch (e) {
        record(label, false, `threw ${describeError(e)}`);
        return undefined;
      }
    },
    /** Records a failure outright (for branches that must not be reached). */
    fail(detail, label) {
      record(label, false, detail);
    },
  };
}

const JS_ERRORS = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];

/**
 * An ECMAScript error name must come from this realm's constructor (an error made in the
 * host's realm would fail `instanceof` in guest code); any other name is a DOMException's.
 * "SyntaxError" is ambiguous: the spec sometimes means the DOMException (e.g. URLPattern
 * does not, EventSource does); cases pass "DOMException:SyntaxError" for the latter.
 */
function isNamedError(e, errorName) {
  if (errorName.startsWith('DOMException:')) {
    const name = errorName.slice('DOMException:'.length);
    return e instanceof globalThis.DOMException && e.name === name;
  }
  if (JS_ERRORS.includes(errorName)) return e instanceof globalThis[errorName] && e.name === errorName && !(e instanceof (globalThis.DOMException ?? NoClass));
  return e instanceof globalThis.DOMException && e.name === errorName;
}

class NoClass {}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return false;
    if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  } else if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
    return false;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !same(a[k], b[k])) return false;
  return true;
}

function describeError(e) {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return show(e);
  let name;
  let message;
  try {
    name = String(e.name);
    message = String(e.message);
  } catch {
    return '(an error whose name or message cannot be read)';
  }
  const realm = e instanceof Error ? '' : ' (not an Error of this realm)';
  return `${name}: ${message}${realm}`;
}

/** A short, never-throwing rendering of a value for failure details. */
export function show(value) {
  try {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'symbol' || typeof value === 'function') return String(value);
    if (Object.is(value, -0)) return '-0';
    if (typeof value !== 'object' || value === null) return String(value);
    if (ArrayBuffer.isView(value)) return `${Object.prototype.toString.call(value).slice(8, -1)}[${Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)).join(',')}]`;
    if (value instanceof ArrayBuffer) return `ArrayBuffer[${Array.from(new Uint8Array(value)).join(',')}]`;
    const text = JSON.stringify(value);
    return text === undefined ? Object.prototype.toString.call(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Hex of a BufferSource (for comparing digests, signatures, ciphertexts to vectors). */
export function hex(buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a hex string. */
export function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes of a string of code points 0-255 (test vectors given as ASCII text). */
export function latin1(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

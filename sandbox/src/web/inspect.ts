/** A small util.inspect: enough to make console output of objects, errors, Map/Set and cycles readable. */

import {
  ErrorStackGetter,
  ReflectApply,
  ArrayIsArray,
  DatePrototypeGetTime,
  DatePrototypeToISOString,
  JSONStringify,
  MapPrototypeForEach,
  MapPrototypeGetSize,
  NumberIsNaN,
  ObjectGetPrototypeOf,
  ObjectPrototypeToString,
  ReflectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  RegExpPrototypeGetFlags,
  RegExpPrototypeGetSource,
  SetPrototypeForEach,
  SetPrototypeGetSize,
  String_,
  SymbolPrototypeToString,
  listAppend,
  internalList,
  ArrayPrototypeJoin,
  TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeGetLength,
  Number_,
} from '../primordials.ts';
import { isArrayBuffer } from './buffer-source.ts';
import { domExceptionFields } from './dom-exception.ts';

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

/** Formats a value for the console. Never throws: a hostile getter or proxy yields a placeholder. */
export function inspect(value: unknown, depth = MAX_DEPTH): string {
  try {
    return fmt(value, depth, []);
  } catch {
    return '[uninspectable]';
  }
}

function fmt(v: unknown, depth: number, seen: object[]): string {
  switch (typeof v) {
    case 'string':
      return seen.length === 0 ? v : quote(v);
    case 'number':
      return ObjectIsNegZero(v) ? '-0' : String_(v);
    case 'bigint':
      return `${String_(v)}n`;
    case 'boolean':
    case 'undefined':
      return String_(v);
    case 'symbol':
      return SymbolPrototypeToString(v);
    case 'function':
      return fmtObject(v, depth, seen);
    default:
      return v === null ? 'null' : fmtObject(v as object, depth, seen);
  }
}

function ObjectIsNegZero(n: number): boolean {
  return n === 0 && 1 / n < 0;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function fmtObject(o: object, depth: number, seen: object[]): string {
  for (let i = 0; i < seen.length; i++) if (seen[i] === o) return '[Circular *]';
  const tag = ObjectPrototypeToString(o);
  if (typeof o === 'function') {
    const name = ownData(o, 'name');
    const base = `[${isClass(o) ? 'class' : 'Function'}${typeof name === 'string' && name ? `: ${name}` : ' (anonymous)'}]`;
    return keysOf(o).length === 0 ? base : `${base} ${fmtProps(o, depth, seen, [])}`;
  }
  if (isError(o)) {
    const stack = ownData(o, 'stack');
    if (typeof stack === 'string' && stack) return stack;
    return `${String_(ownOrProto(o, 'name'))}: ${String_(ownOrProto(o, 'message'))}`;
  }
  if (tag === '[object Date]') {
    const t = DatePrototypeGetTime(o as Date);
    return NumberIsNaN(t) ? 'Invalid Date' : DatePrototypeToISOString(o as Date);
  }
  if (tag === '[object RegExp]') return `/${RegExpPrototypeGetSource(o)}/${RegExpPrototypeGetFlags(o)}`;
  if (tag === '[object Boolean]' || tag === '[object Number]' || tag === '[object String]') {
    return `[${tag.slice(8, -1)}: ${fmt((o as { valueOf(): unknown }).valueOf(), depth, seen)}]`;
  }
  if (depth < 0) return ArrayIsArray(o) ? '[Array]' : `[${ctorName(o) ?? 'Object'}]`;
  // A copy by index: spreading would run the (guest-patchable) array iterator.
  const inner: object[] = internalList();
  for (let i = 0; i < seen.length; i++) inner[i] = seen[i]!;
  inner[seen.length] = o;
  const ta = TypedArrayPrototypeGetSymbolToStringTag(o);
  if (ta !== undefined) {
    const n = TypedArrayPrototypeGetLength(o);
    const items: string[] = [];
    for (let i = 0; i < n && i < MAX_ITEMS; i++) listAppend(items, fmt((o as unknown as number[])[i], depth - 1, inner));
    if (n > MAX_ITEMS) listAppend(items, `... ${n - MAX_ITEMS} more items`);
    return `${ta}(${n}) [ ${ArrayPrototypeJoin(items, ', ')} ]`;
  }
  if (isArrayBuffer(o)) return `ArrayBuffer { byteLength: ${String_(new Uint8Array(o).length)} }`;
  if (tag === '[object Map]') {
    const items: string[] = [];
    MapPrototypeForEach(o as Map<unknown, unknown>, (val, key) => {
      if (items.length < MAX_ITEMS) listAppend(items, `${fmt(key, depth - 1, inner)} => ${fmt(val, depth - 1, inner)}`);
    });
    return `Map(${MapPrototypeGetSize(o)}) ${braces(items)}`;
  }
  if (tag === '[object Set]') {
    const items: string[] = [];
    SetPrototypeForEach(o as Set<unknown>, (val) => {
      if (items.length < MAX_ITEMS) listAppend(items, fmt(val, depth - 1, inner));
    });
    return `Set(${SetPrototypeGetSize(o)}) ${braces(items)}`;
  }
  if (ArrayIsArray(o)) {
    const items: string[] = [];
    const n = o.length;
    for (let i = 0; i < n && i < MAX_ITEMS; i++) {
      const d = ReflectGetOwnPropertyDescriptor(o, String_(i));
      listAppend(items, d === undefined ? '<empty>' : 'value' in d ? fmt(d.value, depth - 1, inner) : '[Getter]');
    }
    if (n > MAX_ITEMS) listAppend(items, `... ${n - MAX_ITEMS} more items`);
    const extra = fmtPropsList(o, depth, inner, true);
    for (let i = 0; i < extra.length; i++) listAppend(items, extra[i]!);
    return items.length === 0 ? '[]' : `[ ${ArrayPrototypeJoin(items, ', ')} ]`;
  }
  if (tag === '[object Promise]') return 'Promise { <pending?> }';
  const name = ctorName(o);
  const prefix = name === 'Object' ? '' : name === undefined ? '[Object: null prototype] ' : `${name} `;
  return `${prefix}${fmtProps(o, depth, inner, [])}`;
}

function braces(items: string[]): string {
  return items.length === 0 ? '{}' : `{ ${ArrayPrototypeJoin(items, ', ')} }`;
}

function keysOf(o: object): (string | symbol)[] {
  return ReflectOwnKeys(o) as (string | symbol)[];
}

function fmtPropsList(o: object, depth: number, seen: object[], skipIndices: boolean): string[] {
  const items: string[] = [];
  const keys = keysOf(o);
  for (let i = 0; i < keys.length && items.length < MAX_ITEMS; i++) {
    const k = keys[i]!;
    if (skipIndices && (k === 'length' || (typeof k === 'string' && isIndex(k)))) continue;
    const d = ReflectGetOwnPropertyDescriptor(o, k);
    if (d === undefined || !d.enumerable) continue;
    const key = typeof k === 'symbol' ? `[${SymbolPrototypeToString(k)}]` : isIdent(k) ? k : quote(k);
    const val = 'value' in d ? fmt(d.value, depth - 1, seen) : d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
    listAppend(items, `${key}: ${val}`);
  }
  return items;
}

function fmtProps(o: object, depth: number, seen: object[], _: string[]): string {
  return braces(fmtPropsList(o, depth, seen, false));
}

function isIndex(k: string): boolean {
  return String_(Number_(k) >>> 0) === k;
}

function isIdent(k: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(k);
}

function ownData(o: object, k: string): unknown {
  const d = ReflectGetOwnPropertyDescriptor(o, k);
  if (d !== undefined && d.get !== undefined && d.get === ErrorStackGetter) return ReflectApply(d.get, o, []);
  return d !== undefined && 'value' in d ? d.value : undefined;
}

/** A data property found on `o` or its prototype chain, without running getters. */
function ownOrProto(o: object, k: string): unknown {
  for (let p: object | null = o, n = 0; p !== null && n < 32; p = ObjectGetPrototypeOf(p), n++) {
    const d = ReflectGetOwnPropertyDescriptor(p, k);
    if (d !== undefined) return 'value' in d ? d.value : undefined;
  }
  return undefined;
}

function ctorName(o: object): string | undefined {
  const proto = ObjectGetPrototypeOf(o);
  if (proto === null) return undefined;
  const c = ownData(proto, 'constructor');
  const n = typeof c === 'function' ? ownData(c, 'name') : undefined;
  return typeof n === 'string' && n ? n : 'Object';
}

function isError(o: object): boolean {
  return ObjectPrototypeToString(o) === '[object Error]' || domExceptionFields(o) !== null;
}

function isClass(f: Function): boolean {
  try {
    return Function.prototype.toString.call(f).startsWith('class');
  } catch {
    return false;
  }
}

/** console's format-string handling (%s %d %i %f %o %O %j %c %%) followed by the remaining args. */
export function formatLog(args: unknown[]): string {
  if (args.length === 0) return '';
  let out = '';
  let rest = 0;
  const first = args[0];
  if (typeof first === 'string' && args.length > 1) {
    let a = 1;
    let last = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 0x25) continue;
      const c = first[i + 1];
      let rep: string | undefined;
      if (c === '%') rep = '%';
      else if (a < args.length) {
        const v = args[a];
        if (c === 's') rep = typeof v === 'string' ? v : typeof v === 'object' && v !== null ? inspect(v, 1) : fmt(v, 0, []);
        else if (c === 'd' || c === 'i') rep = typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? 'NaN' : String_(c === 'i' ? Math.trunc(Number_(v)) : Number_(v));
        else if (c === 'f') rep = typeof v === 'symbol' ? 'NaN' : String_(Number_(v));
        else if (c === 'o' || c === 'O') rep = inspect(v, c === 'o' ? 4 : MAX_DEPTH);
        else if (c === 'j') rep = safeJson(v);
        else if (c === 'c') rep = '';
        if (rep !== undefined && c !== '%') a++;
      }
      if (rep === undefined) continue;
      out += first.slice(last, i) + rep;
      last = i + 2;
      i++;
    }
    out += first.slice(last);
    rest = a;
  } else {
    out = typeof first === 'string' ? first : inspect(first);
    rest = 1;
  }
  for (let i = rest; i < args.length; i++) {
    const v = args[i];
    out += ' ' + (typeof v === 'string' ? v : inspect(v));
  }
  return out;
}

function safeJson(v: unknown): string {
  try {
    return String_(JSONStringify(v));
  } catch {
    return '[Circular]';
  }
}

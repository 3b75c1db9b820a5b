/** Maps a Lambda-style handler's result to an HTTP response the way API Gateway (payload 2.0) does. */

import type { GuestResult } from '../bridge.ts';
import {
  ArrayIsArray,
  JSONStringify,
  NumberIsInteger,
  ObjectGetOwnPropertyDescriptor,
  ReflectOwnKeys,
  String_,
  listAppend,
  internalList,
} from '../primordials.ts';
import { forgivingBase64Decode } from '../web/base64.ts';
import { toArrayBuffer } from '../web/buffer-source.ts';
import { asciiLowercase, isHeaderValue, isToken } from '../web/infra.ts';

type ResponseResult = Extract<GuestResult, { kind: 'response' }>;
type Mapped = ResponseResult | { kind: 'invalid'; message: string };

/** Reads an own data property; accessors are not run (a getter can't change its answer between reads). */
function own(o: object, k: string): unknown {
  const d = ObjectGetOwnPropertyDescriptor(o, k);
  if (d === undefined) return undefined;
  if (!('value' in d)) throw new TypeError(`Lambda result field "${k}" is an accessor`);
  return d.value;
}

function invalid(message: string): Mapped {
  return { kind: 'invalid', message };
}

/** API Gateway's rules: no statusCode → 200 JSON of the result (strings as-is); else the fields as given. */
export function mapLambdaResult(result: unknown): Mapped {
  if (typeof result === 'object' && result !== null && !ArrayIsArray(result)) {
    const statusCode = own(result, 'statusCode');
    if (statusCode !== undefined) return mapStructured(result, statusCode);
  }
  let text: string;
  if (typeof result === 'string') text = result;
  else if (result === undefined) text = '';
  else {
    const json = JSONStringify(result);
    if (json === undefined) return invalid('handler result is not JSON-serialisable');
    text = json;
  }
  return {
    kind: 'response',
    status: 200,
    statusText: '',
    headers: [['content-type', 'application/json']],
    body: text === '' ? null : text,
  };
}

function mapStructured(result: object, statusCode: unknown): Mapped {
  const status = typeof statusCode === 'string' && statusCode !== '' ? +statusCode : statusCode;
  if (typeof status !== 'number' || !NumberIsInteger(status) || status < 100 || status > 599) {
    return invalid(`invalid statusCode ${String_(statusCode)}`);
  }
  const headers: [string, string][] = internalList(); // crosses only to the host
  const rawHeaders = own(result, 'headers');
  if (rawHeaders !== undefined && rawHeaders !== null) {
    if (typeof rawHeaders !== 'object') return invalid('headers must be an object');
    const keys = ReflectOwnKeys(rawHeaders);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (typeof k !== 'string') continue;
      const v = own(rawHeaders, k);
      if (v === undefined || v === null) continue;
      if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol') return invalid(`header "${k}" must be a string, number or boolean`);
      const value = String_(v);
      if (!isToken(k) || !isHeaderValue(value)) return invalid(`invalid header "${k}"`);
      listAppend(headers, [asciiLowercase(k), value] as [string, string]);
    }
  }
  const cookies = own(result, 'cookies');
  if (cookies !== undefined && cookies !== null) {
    if (!ArrayIsArray(cookies)) return invalid('cookies must be an array');
    for (let i = 0; i < cookies.length; i++) {
      const c = own(cookies, String_(i));
      const value = String_(c);
      if (typeof c !== 'string' || !isHeaderValue(value)) return invalid('invalid cookie');
      listAppend(headers, ['set-cookie', value] as [string, string]);
    }
  }
  const rawBody = own(result, 'body');
  const b64 = own(result, 'isBase64Encoded') === true;
  let body: ArrayBuffer | string | null = null;
  if (rawBody !== undefined && rawBody !== null) {
    const text = typeof rawBody === 'string' ? rawBody : JSONStringify(rawBody);
    if (text === undefined) return invalid('body is not serialisable');
    if (b64) {
      const bytes = forgivingBase64Decode(text);
      if (bytes === null) return invalid('body is not valid base64');
      body = bytes.length === 0 ? null : toArrayBuffer(bytes);
    } else if (text !== '') {
      body = text;
    }
  }
  return { kind: 'response', status, statusText: '', headers, body };
}

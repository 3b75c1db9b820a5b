import { describe, expect, it } from 'vitest';
import { awsTime, buildLambdaEvent, isTextual } from '../../../sandbox/src/invoke/lambda-event.ts';
import { mapLambdaResult } from '../../../sandbox/src/invoke/lambda-result.ts';

const req = (o: object = {}) => ({
  kind: 'http' as const,
  requestId: 'r1',
  method: 'GET',
  url: 'http://h.example/a/b?x=1&x=2&y=a%20b',
  basePath: '/fn/f',
  headers: [['Host', 'h.example'], ['Cookie', 'a=1; b=2'], ['X-D', '1'], ['x-d', '2']] as [string, string][],
  sourceIp: '10.0.0.1',
  timeEpochMs: 1584039838000,
  deadlineMs: 0,
  ...o,
});

/** Text bodies leave the runtime as strings, binary ones as bytes. */
const text = (b: ArrayBuffer | string | null) => (b === null || typeof b === 'string' ? b : new TextDecoder().decode(b));

describe('Lambda payload 2.0 event', () => {
  it('lambda event: raw path and query, cookies split out, duplicate headers and query values comma-joined', () => {
    const e = buildLambdaEvent(req(), undefined) as any;
    expect(e.version).toBe('2.0');
    expect(e.routeKey).toBe('$default');
    expect(e.rawPath).toBe('/a/b');
    expect(e.rawQueryString).toBe('x=1&x=2&y=a%20b');
    expect(e.cookies).toEqual(['a=1', 'b=2']);
    expect(e.headers).toEqual({ host: 'h.example', 'x-d': '1,2' });
    expect(e.queryStringParameters).toEqual({ x: '1,2', y: 'a b' });
    expect(e.requestContext.time).toBe('12/Mar/2020:19:03:58 +0000');
    expect(e.requestContext.http).toEqual({ method: 'GET', path: '/a/b', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: '' });
    expect(e.isBase64Encoded).toBe(false);
    expect('body' in e).toBe(false);
  });
  it('lambda event: no query string means no queryStringParameters', () => {
    const e = buildLambdaEvent(req({ url: 'http://h/' }), undefined) as any;
    expect(e.rawQueryString).toBe('');
    expect('queryStringParameters' in e).toBe(false);
  });
  it('lambda event: a binary body is base64 with isBase64Encoded, a JSON body is text', () => {
    const bin = buildLambdaEvent(req({ method: 'POST', headers: [['content-type', 'application/octet-stream']] }), new Uint8Array([0xff, 0])) as any;
    expect(bin.body).toBe('/wA=');
    expect(bin.isBase64Encoded).toBe(true);
    const json = buildLambdaEvent(req({ method: 'POST', headers: [['content-type', 'application/json; charset=utf-8']] }), new TextEncoder().encode('{"a":1}')) as any;
    expect(json.body).toBe('{"a":1}');
    expect(json.isBase64Encoded).toBe(false);
  });
  it('lambda event: textual content types', () => {
    expect(isTextual('text/html')).toBe(true);
    expect(isTextual('application/vnd.api+json')).toBe(true);
    expect(isTextual('image/png')).toBe(false);
    expect(isTextual(undefined)).toBe(false);
  });
  it('lambda event: time is in API Gateway format with zero padding', () => {
    expect(awsTime(Date.UTC(2021, 0, 2, 3, 4, 5))).toBe('02/Jan/2021:03:04:05 +0000');
  });
});

describe('Lambda result mapping (API Gateway payload 2.0)', () => {
  it('lambda result: an object without statusCode is a 200 JSON body', () => {
    const r = mapLambdaResult({ a: 1 });
    expect(r).toMatchObject({ kind: 'response', status: 200, headers: [['content-type', 'application/json']] });
    expect(text((r as any).body)).toBe('{"a":1}');
  });
  it('lambda result: a string result is the body as-is with content-type application/json', () => {
    const r = mapLambdaResult('Hello from Lambda!') as any;
    expect(r.status).toBe(200);
    expect(text(r.body)).toBe('Hello from Lambda!');
  });
  it('lambda result: statusCode, stringified header values, cookies as set-cookie, base64 body', () => {
    const r = mapLambdaResult({ statusCode: 201, headers: { 'X-N': 5, ok: true }, cookies: ['a=1', 'b=2'], body: '/wA=', isBase64Encoded: true }) as any;
    expect(r.status).toBe(201);
    expect(r.headers).toEqual([['x-n', '5'], ['ok', 'true'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    expect([...new Uint8Array(r.body)]).toEqual([0xff, 0]);
  });
  it('lambda result: an invalid status, a header with CR/LF or an invalid name is invalid', () => {
    expect(mapLambdaResult({ statusCode: 99 }).kind).toBe('invalid');
    expect(mapLambdaResult({ statusCode: 'abc' }).kind).toBe('invalid');
    expect(mapLambdaResult({ statusCode: 200, headers: { a: 'x\r\ny: z' } }).kind).toBe('invalid');
    expect(mapLambdaResult({ statusCode: 200, headers: { 'a b': 'x' } }).kind).toBe('invalid');
    expect(mapLambdaResult({ statusCode: 200, cookies: ['a=\n1'] }).kind).toBe('invalid');
  });
  it('lambda result: an accessor statusCode is refused rather than run twice', () => {
    expect(() => mapLambdaResult(Object.defineProperty({}, 'statusCode', { get: () => 200, enumerable: true }))).toThrow();
  });
});

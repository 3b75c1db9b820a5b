import { describe, expect, it } from 'vitest';
import { AtollError } from '../../src/errors/index.ts';
import { parseDeployBody } from '../../src/config/deploy-schema.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_FUNCTION_LIMITS, MAX_CONCURRENCY, MAX_DEPLOY_BYTES } from '../../src/limits/index.ts';

function errorOf(body: unknown, maxima?: Parameters<typeof parseDeployBody>[1]): AtollError {
  try {
    parseDeployBody(body, maxima);
  } catch (error) {
    expect(error).toBeInstanceOf(AtollError);
    return error as AtollError;
  }
  throw new Error('expected the body to be rejected');
}

const files = { 'index.ts': 'export default {}' };

describe('parseDeployBody', () => {
  it('fills in defaults for a minimal body', () => {
    expect(parseDeployBody({ files })).toEqual({
      files, entry: undefined, handler: null, runtime: 'js', limits: DEFAULT_FUNCTION_LIMITS, env: {},
      concurrency: DEFAULT_CONCURRENCY, outboundNetwork: false,
    });
  });

  it('keeps given values and normalizes paths', () => {
    const spec = parseDeployBody({
      files: { './src/index.ts': 'x' }, entry: './src/index.ts', limits: { memoryMb: 256 }, env: { API_KEY: 'k' },
      concurrency: { max: 5, minWarm: 1 },
    });
    expect(spec.files).toEqual({ 'src/index.ts': 'x' });
    expect(spec.entry).toBe('src/index.ts');
    expect(spec.limits).toEqual({ ...DEFAULT_FUNCTION_LIMITS, memoryMb: 256 });
    expect(spec.concurrency).toEqual({ max: 5, minWarm: 1 });
  });

  it('infers python3 from .py files, with Lambda\'s default handler unless one is given', () => {
    expect(parseDeployBody({ files: { 'app.py': '' } }).handler).toBe('lambda_function.lambda_handler');
    expect(parseDeployBody({ files: { 'app.py': '' }, handler: 'app.handler' }).runtime).toBe('python3');
    expect(errorOf({ files: { 'app.py': '' }, handler: 'app' }).code).toBe('INVALID_CONFIG');
  });

  it('outboundNetwork: false unless asked for; loader and glibc variables refused for worker runtimes only', () => {
    expect(parseDeployBody({ files: { bootstrap: '#!/bin/sh' } }).outboundNetwork).toBe(false);
    expect(parseDeployBody({ files: { bootstrap: '#!/bin/sh' }, outboundNetwork: true }).outboundNetwork).toBe(true);
    expect(errorOf({ files: { bootstrap: '#!/bin/sh' }, env: { LD_PRELOAD: 'x' } }).code).toBe('INVALID_CONFIG');
    expect(errorOf({ files: { 'app.py': '' }, env: { PERL5LIB: 'x' } }).code).toBe('INVALID_CONFIG');
    expect(parseDeployBody({ files: { 'index.ts': '' }, env: { LD_PRELOAD: 'x' } }).env).toEqual({ LD_PRELOAD: 'x' });
  });

  it('requires a bootstrap file for the provided runtime', () => {
    expect(errorOf({ files: { 'main.sh': '' }, runtime: 'provided' }).code).toBe('INVALID_CONFIG');
    expect(parseDeployBody({ files: { bootstrap: '#!/bin/sh' } }).runtime).toBe('provided');
  });

  it.each([
    ['no files', { files: {} }],
    ['a path with ..', { files: { '../x.ts': '' } }],
    ['an absolute path', { files: { '/etc/passwd': '' } }],
    ['a NUL in a path', { files: { 'a\0.ts': '' } }],
    ['an unknown key', { files, extra: true }],
    ['an unknown limit', { files, limits: { gpu: 1 } }],
    ['a non-integer limit', { files, limits: { cpuMs: 1.5 } }],
    ['a limit below the minimum', { files, limits: { memoryMb: 1 } }],
    ['a limit over the server maximum', { files, limits: { timeoutMs: 10_000_000 } }],
    ['a bad env name', { files, env: { 'BAD-NAME': 'x' } }],
    ['a non-string env value', { files, env: { A: 1 } }],
    ['minWarm over max', { files, concurrency: { max: 2, minWarm: 3 } }],
    ['max over MAX_CONCURRENCY', { files, concurrency: { max: MAX_CONCURRENCY + 1 } }],
    ['an unknown runtime', { files, runtime: 'ruby' }],
    ['a non-object body', 'files'],
  ])('rejects %s as INVALID_CONFIG with issues', (_, body) => {
    const error = errorOf(body);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(Array.isArray(error.details?.issues)).toBe(true);
  });

  it('binary files: {base64} entries arrive as bytes for worker runtimes', () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 255]);
    const spec = parseDeployBody({ runtime: 'provided', files: { bootstrap: { base64: Buffer.from(elf).toString('base64') }, 'README': 'text' } });
    expect(spec.files.bootstrap).toEqual(elf);
    expect(spec.files.README).toBe('text');
  });

  it('binary files: refused in a js deploy, and when the base64 is not canonical', () => {
    expect(errorOf({ files: { 'index.ts': 'export default {}', 'logo.png': { base64: 'AAEC' } } }).code).toBe('INVALID_CONFIG');
    expect(errorOf({ runtime: 'provided', files: { bootstrap: { base64: 'not base64!' } } }).code).toBe('INVALID_CONFIG');
    expect(errorOf({ runtime: 'provided', files: { bootstrap: { base64: 'AAE' } } }).code).toBe('INVALID_CONFIG');
    expect(errorOf({ runtime: 'provided', files: { bootstrap: { base64: 'AAEC', extra: 1 } } }).code).toBe('INVALID_CONFIG');
  });

  it('binary files: the deploy limit counts their decoded bytes', () => {
    const over = Buffer.alloc(MAX_DEPLOY_BYTES + 3).toString('base64');
    expect(errorOf({ runtime: 'provided', files: { bootstrap: { base64: over } } }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects a __proto__ key instead of dropping it', () => {
    expect(errorOf(JSON.parse('{"files":{"index.ts":"","__proto__":""}}')).code).toBe('INVALID_CONFIG');
  });

  it('applies the server maxima passed in', () => {
    const maxima = { memoryMb: 64, cpuMs: 10, timeoutMs: 1000 };
    expect(errorOf({ files, limits: { memoryMb: 128 } }, maxima).code).toBe('INVALID_CONFIG');
    expect(parseDeployBody({ files }, maxima).limits).toEqual({ memoryMb: 64, cpuMs: 10, timeoutMs: 1000 });
  });

  it('rejects files over the deploy size limit as PAYLOAD_TOO_LARGE', () => {
    const big = 'x'.repeat(MAX_DEPLOY_BYTES / 2 + 1);
    expect(errorOf({ files: { 'a.ts': big, 'b.ts': big } }).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

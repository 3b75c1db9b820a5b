import { describe, expect, it } from 'vitest';
import { atob, btoa } from '../../../sandbox/src/web/base64.ts';
import { TextDecoder, TextEncoder } from '../../../sandbox/src/web/encoding.ts';

describe('TextEncoder / TextDecoder', () => {
  it('TextEncoder: a lone surrogate encodes as U+FFFD', () => {
    expect([...new TextEncoder().encode('\ud800')]).toEqual([0xef, 0xbf, 0xbd]);
    expect([...new TextEncoder().encode('\ud83d\ude00')]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });
  it('TextDecoder: invalid sequences become U+FFFD per the maximal-subpart rule', () => {
    // WPT encoding/textdecoder-fatal cases decoded non-fatally
    expect(new TextDecoder().decode(new Uint8Array([0xf0, 0x80, 0x80]))).toBe('\ufffd\ufffd\ufffd');
    expect(new TextDecoder().decode(new Uint8Array([0xe0, 0xa0]))).toBe('\ufffd');
    expect(new TextDecoder().decode(new Uint8Array([0xed, 0xa0, 0x80]))).toBe('\ufffd\ufffd\ufffd');
  });
  it('TextDecoder: fatal mode throws a TypeError', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]))).toThrow(TypeError);
  });
  it('TextDecoder: strips a BOM unless ignoreBOM', () => {
    const b = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
    expect(new TextDecoder().decode(b)).toBe('A');
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)).toBe('\ufeffA');
  });
  it('TextDecoder: stream mode keeps a split sequence across calls', () => {
    const d = new TextDecoder();
    expect(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true })).toBe('');
    expect(d.decode(new Uint8Array([0xac]))).toBe('€');
  });
  it('TextDecoder: labels resolve (latin1 is windows-1252), unknown labels are a RangeError', () => {
    expect(new TextDecoder(' Latin1 ').encoding).toBe('windows-1252');
    expect(new TextDecoder('latin1').decode(new Uint8Array([0x80, 0xe9]))).toBe('€é');
    expect(new TextDecoder('utf-16le').decode(new Uint8Array([0x41, 0, 0x3d, 0xd8, 0, 0xde]))).toBe('A😀');
    expect(() => new TextDecoder('nope')).toThrow(RangeError);
  });
});

describe('atob / btoa', () => {
  it('btoa: a code unit above 0xFF is an InvalidCharacterError', () => {
    expect(() => btoa('\u0100')).toThrow(expect.objectContaining({ name: 'InvalidCharacterError', code: 5 }));
    expect(btoa('\xff\x00a')).toBe('/wBh');
  });
  it('atob: forgiving-base64 (WPT html/webappapis/atob/base64.any.js cases)', () => {
    expect(atob(' YW Jj ')).toBe('abc');
    expect(atob('YQ')).toBe('a');
    expect(atob('YQ==')).toBe('a');
    for (const bad of ['YQ=', 'Y', 'YQ===', 'Y=Q=', 'a\u00e9']) {
      expect(() => atob(bad)).toThrow(expect.objectContaining({ name: 'InvalidCharacterError' }));
    }
  });
});

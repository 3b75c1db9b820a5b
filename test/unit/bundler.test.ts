import { SourceMap } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AtollError } from '../../src/errors/index.ts';
import { bundleFunction, resolveEntry } from '../../src/bundler/index.ts';

const WORKER = 'export default { async fetch() { return new Response("hi"); } };';

async function bundleError(files: Record<string, string>, entry?: string): Promise<AtollError> {
  try {
    await bundleFunction(files, entry);
  } catch (error) {
    expect(error).toBeInstanceOf(AtollError);
    return error as AtollError;
  }
  throw new Error('expected the bundle to fail');
}

function errorOf(fn: () => unknown): AtollError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AtollError);
    return error as AtollError;
  }
  throw new Error('expected an AtollError');
}

/** Runs bundled code the way a sandbox will: as the body of a CJS wrapper, no `require`. */
function evaluate(code: string): Record<string, any> {
  const module = { exports: {} as Record<string, any> };
  new Function('exports', 'module', code)(module.exports, module);
  return module.exports;
}

describe('bundleFunction', () => {
  it('compiles a single TypeScript file into CJS evaluable without require', async () => {
    const result = await bundleFunction({ 'worker.ts': 'const n: number = 41;\nexport default { answer: () => n + 1 };' });
    expect(result.entry).toBe('worker.ts');
    expect(result.style).toBe('workers');
    expect(result.code).not.toContain('require(');
    expect(evaluate(result.code).default.answer()).toBe(42);
  });

  it('bundles relative imports, with and without extensions and directory index files', async () => {
    const result = await bundleFunction({
      'index.ts': [
        'import { a } from "./lib/a";',
        'import { b } from "./lib/b.js";', // TypeScript's ESM convention: names lib/b.ts
        'import { c } from "./util";',
        'import { d } from "./lib/d.mjs";',
        'export default { value: () => a + b + c + d };',
      ].join('\n'),
      'lib/a.ts': 'export const a = "a";',
      'lib/b.ts': 'export const b = "b";',
      'util/index.ts': 'export { c } from "../lib/c";',
      'lib/c.js': 'export const c = "c";',
      'lib/d.mjs': 'export const d = "d";',
    });
    expect(evaluate(result.code).default.value()).toBe('abcd');
  });

  it('imports JSON files', async () => {
    const result = await bundleFunction({
      'index.ts': 'import config from "./config.json";\nexport default { name: () => config.name };',
      'config.json': '{ "name": "atoll" }',
    });
    expect(evaluate(result.code).default.name()).toBe('atoll');
  });

  it('reports a syntax error as COMPILE_ERROR at the file, line and column in a nested file', async () => {
    const error = await bundleError({
      'index.ts': 'import { f } from "./deep/mod";\nexport default { f };',
      'deep/mod.ts': 'export const ok = 1;\n// é€ before the error on the next line\nexport function f() {\n  const s = "é€"; let x = ;\n}',
    });
    expect(error.code).toBe('COMPILE_ERROR');
    const [first] = error.details!.errors as { file: string; line: number; column: number }[];
    // Column is 1-based in characters: `  const s = "é€"; let x = ;` has the `;` at 27.
    expect(first).toMatchObject({ file: 'deep/mod.ts', line: 4, column: 27 });
  });

  it('reports a type-level syntax error in TypeScript', async () => {
    const error = await bundleError({ 'index.ts': 'export default {};\nconst x: = 1;' });
    expect(error.code).toBe('COMPILE_ERROR');
    expect((error.details!.errors as { line: number }[])[0]!.line).toBe(2);
  });

  it('rejects a bare package import as INVALID_BUNDLE naming the import', async () => {
    const error = await bundleError({ 'index.ts': 'import _ from "lodash";\nexport default { _ };' });
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.details!.imports).toEqual([{ specifier: 'lodash', importer: 'index.ts', reason: 'package' }]);
  });

  it('rejects a node: builtin import as INVALID_BUNDLE', async () => {
    const error = await bundleError({ 'index.ts': 'import fs from "node:fs";\nexport default { fs };' });
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.details!.imports).toMatchObject([{ specifier: 'node:fs', reason: 'builtin' }]);
  });

  it('rejects a require of a package as INVALID_BUNDLE', async () => {
    const error = await bundleError({ 'index.js': 'const x = require("left-pad");\nexport default { x };' });
    expect(error.code).toBe('INVALID_BUNDLE');
  });

  it('rejects an import of a file that is not in the deploy as INVALID_BUNDLE', async () => {
    const error = await bundleError({ 'index.ts': 'import { x } from "./missing";\nexport default { x };' });
    expect(error.code).toBe('INVALID_BUNDLE');
    expect(error.details!.imports).toMatchObject([{ specifier: './missing', reason: 'missing' }]);
  });

  it('rejects an import that climbs out of the deploy', async () => {
    const error = await bundleError({ 'index.ts': 'import { x } from "../outside";\nexport default { x };' });
    expect(error.code).toBe('INVALID_BUNDLE');
  });
});

describe('style detection', () => {
  it('detects Workers style from a default export', async () => {
    expect((await bundleFunction({ 'index.ts': WORKER })).style).toBe('workers');
  });

  it('detects Lambda style from a handler export', async () => {
    const result = await bundleFunction({ 'index.ts': 'export async function handler(event: unknown) { return { statusCode: 200, body: "ok" }; }' });
    expect(result.style).toBe('lambda');
    expect(typeof evaluate(result.code).handler).toBe('function');
  });

  it('prefers Workers style when both are exported', async () => {
    const result = await bundleFunction({ 'index.ts': `${WORKER}\nexport const handler = () => 1;` });
    expect(result.style).toBe('workers');
  });

  it('sees exports re-exported from another file', async () => {
    const result = await bundleFunction({ 'index.ts': 'export { handler } from "./impl";', 'impl.ts': 'export const handler = () => 1;' });
    expect(result.style).toBe('lambda');
  });

  it('rejects an entry that exports neither as INVALID_BUNDLE', async () => {
    expect((await bundleError({ 'index.ts': 'export const other = 1;' })).code).toBe('INVALID_BUNDLE');
  });

  it('rejects a CommonJS entry as INVALID_BUNDLE', async () => {
    expect((await bundleError({ 'index.js': 'module.exports = { handler() {} };' })).code).toBe('INVALID_BUNDLE');
  });
});

describe('entry resolution', () => {
  it('uses the explicit entry when it is one of the files', () => {
    expect(resolveEntry({ 'a.ts': '', 'index.ts': '' }, 'a.ts')).toBe('a.ts');
    expect(resolveEntry({ 'src/a.ts': '' }, './src/a.ts')).toBe('src/a.ts');
  });

  it('rejects an explicit entry that is not among the files', () => {
    expect(errorOf(() => resolveEntry({ 'index.ts': '' }, 'main.ts')).code).toBe('INVALID_BUNDLE');
  });

  it('uses the only file', () => {
    expect(resolveEntry({ 'worker.mjs': '' })).toBe('worker.mjs');
  });

  it('prefers index.ts, then index.js, index.mjs, index.mts', () => {
    const all = { 'index.ts': '', 'index.js': '', 'index.mjs': '', 'index.mts': '', 'other.ts': '' };
    expect(resolveEntry(all)).toBe('index.ts');
    const { 'index.ts': _a, ...noTs } = all;
    expect(resolveEntry(noTs)).toBe('index.js');
    const { 'index.js': _b, ...noJs } = noTs;
    expect(resolveEntry(noJs)).toBe('index.mjs');
    const { 'index.mjs': _c, ...noMjs } = noJs;
    expect(resolveEntry(noMjs)).toBe('index.mts');
  });

  it('uses the only module among non-module files', () => {
    expect(resolveEntry({ 'handler.ts': '', 'data.json': '{}' })).toBe('handler.ts');
  });

  it('rejects an ambiguous file set as INVALID_BUNDLE', () => {
    expect(errorOf(() => resolveEntry({ 'a.ts': '', 'b.ts': '' })).code).toBe('INVALID_BUNDLE');
  });

  it('rejects an entry that is not a JS or TS module', () => {
    expect(errorOf(() => resolveEntry({ 'README.md': '# hi' })).code).toBe('INVALID_BUNDLE');
  });
});

describe('source map', () => {
  it('maps bundled code back to the user own file, line and column', async () => {
    const helper = 'export function explode(): never {\n  throw new Error("boom");\n}\n';
    const result = await bundleFunction({
      'index.ts': 'import { explode } from "./lib/helper";\nexport default { fetch: () => explode() };',
      'lib/helper.ts': helper,
    });
    const map = JSON.parse(result.sourceMap) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(['index.ts', 'lib/helper.ts']);
    expect(map.sourcesContent[1]).toBe(helper);

    const lines = result.code.split('\n');
    const line = lines.findIndex((l) => l.includes('throw new Error("boom")'));
    const column = lines[line]!.indexOf('throw');
    const entry = new SourceMap(JSON.parse(result.sourceMap)).findEntry(line, column) as {
      originalSource: string; originalLine: number; originalColumn: number;
    };
    expect(entry.originalSource).toBe('lib/helper.ts');
    expect(entry.originalLine + 1).toBe(2);
    expect(entry.originalColumn + 1).toBe(3);
  });
});

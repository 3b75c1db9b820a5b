/** design.md §1: only one module of the project imports isolated-vm. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server.ts';

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]isolated-vm['"]/;

describe('isolated-vm boundary', () => {
  it('only src/sandbox-host/isolate.ts imports isolated-vm', () => {
    const files = execFileSync('git', ['ls-files', '--', 'src', 'sandbox', 'bin'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(?:[cm]?[jt]s)$/.test(f));
    const importers = files.filter((f) => IMPORT.test(readFileSync(`${REPO_ROOT}/${f}`, 'utf8')));
    expect(importers).toEqual(['src/sandbox-host/isolate.ts']);
  });

  it('loading the gateway does not load isolated-vm into its process', () => {
    // isolated-vm is a native addon: once loaded, its shared object is mapped into the process.
    const script = `await import(${JSON.stringify(`${REPO_ROOT}/src/gateway/index.ts`)});
      const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
      console.log(maps.includes('isolated-vm') ? 'loaded' : 'absent');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('absent');
  });
});

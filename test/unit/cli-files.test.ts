import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/errors.ts';
import { isBinary, readSources } from '../../src/cli/files.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atoll-cli-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(dir, rel, '..'), { recursive: true });
  await writeFile(join(dir, rel), content);
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CliError) return err.code;
    throw err;
  }
  return 'no error';
}

describe('cli deploy sources', () => {
  it('reads a single file under its base name', async () => {
    await put('handler.ts', 'export {}');
    expect(await readSources(join(dir, 'handler.ts'))).toEqual({ 'handler.ts': 'export {}' });
  });

  it('reads a directory recursively with / separated relative paths', async () => {
    await put('index.ts', 'a');
    await put('lib/util/x.ts', 'b');
    expect(await readSources(dir)).toEqual({ 'index.ts': 'a', 'lib/util/x.ts': 'b' });
  });

  it('skips node_modules, .git and dotfiles', async () => {
    await put('index.js', 'a');
    await put('node_modules/dep/index.js', 'x');
    await put('.git/HEAD', 'x');
    await put('.env', 'SECRET=1');
    await put('lib/.hidden.js', 'x');
    expect(Object.keys(await readSources(dir))).toEqual(['index.js']);
  });

  it('follows a symlinked file but not a symlinked directory (loops)', async () => {
    await put('real.js', 'r');
    await symlink(join(dir, 'real.js'), join(dir, 'link.js'));
    await symlink(dir, join(dir, 'loop'));
    expect(await readSources(dir)).toEqual({ 'link.js': 'r', 'real.js': 'r' });
  });

  it('reads a binary file as {base64}: its bytes travel intact in the JSON body', async () => {
    await put('index.js', 'a');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]);
    await put('logo.png', png);
    expect(await readSources(dir)).toEqual({ 'index.js': 'a', 'logo.png': { base64: Buffer.from(png).toString('base64') } });
  });

  it('reads a file that is not valid UTF-8 as {base64}, not as mangled text', async () => {
    await put('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    expect(await readSources(join(dir, 'latin1.txt'))).toEqual({ 'latin1.txt': { base64: 'Y2Fm6Q==' } });
  });

  it('keeps non-ASCII UTF-8 text intact', async () => {
    await put('i.js', 'export const s = "héllo 🙂";');
    expect((await readSources(dir))['i.js']).toBe('export const s = "héllo 🙂";');
  });

  it('refuses a missing path and an empty directory', async () => {
    expect(await errorCode(readSources(join(dir, 'nope')))).toBe('INVALID_INPUT');
    await put('node_modules/x.js', 'x');
    expect(await errorCode(readSources(dir))).toBe('INVALID_INPUT');
  });

  it('isBinary: NUL bytes and broken UTF-8 are binary, text is not', () => {
    expect(isBinary(new TextEncoder().encode('plain text'))).toBe(false);
    expect(isBinary(new Uint8Array([0x61, 0x00]))).toBe(true);
    expect(isBinary(new Uint8Array([0xff, 0xfe]))).toBe(true);
  });
});

/**
 * Crash safety of deploys (design.md §6): a child process deploys in a loop and prints
 * each acknowledged version; we SIGKILL it at random moments, reopen the registry and
 * check that every acknowledged version is there and whole, and that nothing committed
 * references a missing or torn blob.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { openRegistry, type Registry } from '../../src/registry/index.ts';

const KILLS = 60;
const REGISTRY_URL = pathToFileURL(join(import.meta.dirname, '../../src/registry/index.ts')).href;

/** What deploy number `i` writes, so the test can check the content it reads back. */
const CONTENT = `
  const bundleOf = (i) => 'module.exports = { n: ' + i + ' };' + ' '.repeat(i % 4096);
  const mapOf = (i) => JSON.stringify({ version: 3, sources: ['index.ts'], mappings: '', i });
  const filesOf = (i) => ({ 'index.ts': 'export default { n: ' + i + ' };', ['lib/part' + (i % 5) + '.ts']: 'export const i = ' + i + ';'.repeat(i % 3000) });
  const nameOf = (i) => 'fn-' + (i % 3);
`;
const contentOf = new Function(`${CONTENT}; return { bundleOf, mapOf, filesOf, nameOf };`)() as {
  bundleOf(i: number): string; mapOf(i: number): string; filesOf(i: number): Record<string, string>; nameOf(i: number): string;
};

const CHILD = `
  ${CONTENT}
  const { openRegistry } = await import(${JSON.stringify(REGISTRY_URL)});
  const registry = openRegistry(process.argv[1]);
  process.stdout.write('READY\\n');
  for (let i = Number(process.argv[2]); ; i++) {
    const { version } = await registry.deploy({
      name: nameOf(i), runtime: 'js', style: 'workers', entry: 'index.ts', handler: null,
      limits: { memoryMb: 128, cpuMs: 50, timeoutMs: 1000 }, env: { I: String(i) }, concurrency: { max: 10, minWarm: 0 },
      files: filesOf(i), bundle: bundleOf(i), sourceMap: mapOf(i),
    });
    // Pipes are synchronous on Linux: the line is out before the next deploy starts.
    process.stdout.write('ACK ' + version.name + ' ' + version.version + ' ' + i + '\\n');
  }
`;

interface Ack { name: string; version: number; i: number }

/** Runs the child until a random moment, SIGKILLs it, returns the versions it acknowledged. */
function runAndKill(dataDir: string, start: number, fromSpawn: boolean): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dataDir, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // From spawn, the kill may land in start-up, open, temp cleanup or a deploy; from READY,
    // always among deploys (each a few ms of blob writes and fsyncs).
    const kill = () => setTimeout(() => child.kill('SIGKILL'), Math.random() * (fromSpawn ? 300 : 80));
    if (fromSpawn) kill();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!fromSpawn && !stdout.includes('READY') && (stdout + chunk).includes('READY')) kill();
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child exited on its own (${code}): ${stderr}`));
      // Only whole lines count: a torn last line was never acknowledged.
      const acks = stdout.split('\n').slice(0, -1).filter((l) => l.startsWith('ACK ')).map((l) => {
        const [, name, version, i] = l.split(' ');
        return { name: name!, version: Number(version), i: Number(i) };
      });
      resolve(acks);
    });
  });
}

async function expectWhole(registry: Registry, name: string, version: number, i: number | undefined): Promise<void> {
  const record = await registry.getVersion(name, version);
  expect(record, `${name}@${version} acknowledged but missing`).toBeDefined();
  const bundle = (await registry.readBlob(record!.bundleHash!)).toString();
  const map = (await registry.readBlob(record!.sourceMapHash!)).toString();
  const files: Record<string, string> = {};
  for (const [path, hash] of Object.entries(record!.manifest)) files[path] = (await registry.readBlob(hash)).toString();
  const n = i ?? Number(record!.env.I);
  expect(bundle).toBe(contentOf.bundleOf(n));
  expect(map).toBe(contentOf.mapOf(n));
  expect(files).toEqual(contentOf.filesOf(n));
}

const dataDir = mkdtempSync(join(tmpdir(), 'atoll-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps every acknowledged deploy whole across 60 SIGKILLs at random moments', async () => {
  const acked: Ack[] = [];
  let next = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const acks = await runAndKill(dataDir, next, kill % 2 === 0);
    acked.push(...acks);
    next += acks.length + 1_000_000; // every deploy's content unique across runs

    const registry = openRegistry(dataDir);
    try {
      for (const ack of acked.slice(-200)) await expectWhole(registry, ack.name, ack.version, ack.i);
      for (const fn of await registry.listFunctions()) {
        const versions = (await registry.listVersions(fn.name)).map((v) => v.version);
        // One transaction per deploy: no gaps, and live is the newest (no rollbacks here).
        expect(versions).toEqual(versions.map((_, k) => k + 1));
        expect(fn.liveVersion).toBe(versions.at(-1));
        // Committed but maybe unacknowledged (killed between commit and print): still whole.
        await expectWhole(registry, fn.name, fn.liveVersion, undefined);
      }
    } finally {
      await registry.close();
    }
    const blobRoot = join(dataDir, 'blobs', 'sha256');
    const leftovers = readdirSync(blobRoot).flatMap((d) => readdirSync(join(blobRoot, d)).filter((f) => f.startsWith('.tmp-')));
    expect(leftovers).toEqual([]);
  }
  // The check must have exercised deploys, not only kills during start-up.
  expect(acked.length).toBeGreaterThan(KILLS);

  const registry = openRegistry(dataDir);
  try {
    for (const ack of acked) await expectWhole(registry, ack.name, ack.version, ack.i);
  } finally {
    await registry.close();
  }
}, 60_000);

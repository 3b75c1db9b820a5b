/**
 * Deploys survive the server being killed (design.md §6): a real `atoll serve` process
 * deploys in a loop and is SIGKILLed at random moments, then restarted on the same data
 * directory. Every version whose deploy was acknowledged (HTTP 200/201) must still be
 * listed, whole (same bundle hash, and it answers with the text it was deployed with),
 * and every function must answer. The sandbox hosts must not outlive their gateway.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server.ts';

const KILLS = 50;
const NAMES = ['dur-a', 'dur-b', 'dur-c'];
const ENV = { ATOLL_IDLE_MS: '200' };

interface Acked { name: string; version: number; text: string; sha256: string }

const dataDir = mkdtempSync(join(tmpdir(), 'atoll-durability-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let serial = 0;
/** A deploy whose answer is unique; every other one spreads over two files. */
function nextDeploy(name: string): { text: string; files: Record<string, string> } {
  const text = `v:${name}:${++serial}:${Math.random().toString(36).slice(2)}`;
  const files: Record<string, string> = serial % 2 === 0
    ? { 'index.ts': `export default { fetch: () => new Response(${JSON.stringify(text)}) };\n` }
    : {
        'index.ts': 'import { text } from "./lib/text.ts";\nexport default { fetch: () => new Response(text) };\n',
        'lib/text.ts': `export const text: string = ${JSON.stringify(text)};\n// ${'padding '.repeat(serial % 200)}\n`,
      };
  return { text, files };
}

/** Deploy one function over and over until the server stops answering. */
async function deployLoop(server: ServerProcess, name: string, acked: Acked[]): Promise<void> {
  for (;;) {
    const { text, files } = nextDeploy(name);
    let result: { status: number; body: any };
    try {
      result = await server.deploy(name, files);
    } catch {
      return; // the server is gone: this deploy was never acknowledged
    }
    if (result.status !== 200 && result.status !== 201) throw new Error(`deploy answered ${result.status}: ${JSON.stringify(result.body)}`);
    acked.push({ name, version: result.body.version, text, sha256: result.body.sha256 });
  }
}

/** Running, not merely a zombie waiting for whoever inherited it to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function expectAnswers(server: ServerProcess, versions: Acked[]): Promise<void> {
  for (let i = 0; i < versions.length; i += 8) {
    await Promise.all(versions.slice(i, i + 8).map(async (a) => {
      const res = await server.fn(`${a.name}@${a.version}`);
      expect({ at: `${a.name}@${a.version}`, status: res.status, text: await res.text() }).toEqual({ at: `${a.name}@${a.version}`, status: 200, text: a.text });
    }));
  }
}

/** Everything acknowledged so far is listed with its bundle hash; recent and sampled versions answer. */
async function checkRegistry(server: ServerProcess, acked: Acked[], answerAll: boolean): Promise<void> {
  for (const name of new Set(acked.map((a) => a.name))) {
    const { status, body } = await server.api('GET', `/functions/${name}/versions`);
    expect(status).toBe(200);
    const listed = new Map<number, string>(body.versions.map((v: any) => [v.version, v.sha256]));
    for (const a of acked.filter((x) => x.name === name)) {
      expect({ at: `${name}@${a.version}`, sha256: listed.get(a.version) }).toEqual({ at: `${name}@${a.version}`, sha256: a.sha256 });
    }
    const live = await server.fn(name);
    expect(live.status).toBe(200);
    expect(await live.text()).toMatch(new RegExp(`^v:${name}:\\d+:`));
  }
  const sample = answerAll ? acked : [...acked.slice(-12), ...Array.from({ length: Math.min(6, acked.length) }, () => acked[Math.floor(Math.random() * acked.length)]!)];
  await expectAnswers(server, sample);
}

/**
 * Hosts of a killed gateway that are still running. They are checked a round later (a
 * healthy host exits within milliseconds of losing its gateway) and then killed, so a
 * failure here does not leave dozens of processes behind.
 */
function reapOrphans(pids: number[], orphans: number[]): void {
  for (const pid of pids.filter(alive)) {
    orphans.push(pid);
    process.kill(pid, 'SIGKILL');
  }
}

it(`keeps every acknowledged deploy whole across ${KILLS} SIGKILLs of the server`, async () => {
  const acked: Acked[] = [];
  const orphans: number[] = [];
  let previousHosts: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    // Starting proves the registry opens after the previous kill.
    const server = await startServerProcess([], ENV, dataDir);
    await checkRegistry(server, acked, false);
    reapOrphans(previousHosts, orphans);
    const hostPids: number[] = (await server.api('GET', '/server')).body.sandboxPids;

    const loops = NAMES.slice(0, 2 + (kill % 2)).map((name) => deployLoop(server, name, acked));
    const exited = new Promise((r) => server.child.once('exit', r));
    setTimeout(() => server.child.kill('SIGKILL'), Math.random() * 250);
    await exited;
    await Promise.all(loops);
    previousHosts = hostPids;
  }
  // The kills must have landed among deploys, not only between them.
  expect(acked.length).toBeGreaterThan(KILLS);

  const server = await startServerProcess([], ENV, dataDir);
  try {
    await checkRegistry(server, acked, true);
  } finally {
    await server.close();
  }
  reapOrphans(previousHosts, orphans);
  expect(orphans, 'sandbox hosts outlived their SIGKILLed gateway').toEqual([]);
}, 170_000);

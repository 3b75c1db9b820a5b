/**
 * Issue 3's streaming bench: a function streams a 100 MB body (a ReadableStream of 64 KiB
 * chunks) through the gateway to a client that reads as fast as it can. Reports MB/s and
 * the gateway's RSS growth while it streams (sampled every 10 ms), next to a bare
 * node:http server streaming the same bytes in the same run (the baseline). The first
 * stream of a fresh server is reported on its own: it includes the gateway's one-time heap
 * growth (V8 lets external memory, here the chunks' buffers, grow by 64 MB before it
 * collects); the measured runs that follow show the steady state.
 *
 *   node bench/streaming.ts
 *
 * Env: BENCH_STREAM_MB (100), BENCH_RUNS (3).
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { AtollServer } from './lib/atoll.ts';
import { rssKb } from './lib/procs.ts';
import { envInt, median, printTable, round, writeResult } from './lib/report.ts';

const MB = envInt('BENCH_STREAM_MB', 100);
const RUNS = envInt('BENCH_RUNS', 3);
const CHUNK = 64 * 1024;

const STREAM_SOURCE = `
export default {
  fetch(request) {
    const total = Number(new URL(request.url).searchParams.get('mb')) * 1024 * 1024;
    const chunk = new Uint8Array(${CHUNK}).fill(97);
    let sent = 0;
    return new Response(new ReadableStream({
      pull(controller) {
        if (sent >= total) return controller.close();
        controller.enqueue(chunk.slice());
        sent += chunk.length;
      },
    }), { headers: { 'content-type': 'application/octet-stream' } });
  },
};`;

const BASELINE_SOURCE = `
const { createServer } = require('node:http');
const chunk = Buffer.alloc(${CHUNK}, 97);
const server = createServer((req, res) => {
  const total = Number(new URL(req.url, 'http://x').searchParams.get('mb')) * 1024 * 1024;
  let sent = 0;
  const write = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return res.once('drain', write);
    }
    res.end();
  };
  write();
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
process.on('SIGTERM', () => process.exit(0));`;

interface Sample {
  mbPerSec: number;
  bytes: number;
  rssGrowthMb: number;
}

/** Reads the whole body, sampling `pid`'s RSS meanwhile. */
function download(url: string, pid: number): Promise<Sample> {
  const before = rssKb(pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssKb(pid));
  }, 10);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => {
        clearInterval(sampler);
        const seconds = (performance.now() - started) / 1000;
        resolve({ mbPerSec: bytes / 1024 / 1024 / seconds, bytes, rssGrowthMb: (peak - before) / 1024 });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

const baseline = spawn(process.execPath, ['-e', BASELINE_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
const baselinePort = await new Promise<number>((resolve) => {
  baseline.stdout!.on('data', (c: Buffer) => {
    const m = /listening (\d+)/.exec(c.toString());
    if (m) resolve(Number(m[1]));
  });
});
const server = await AtollServer.start();
try {
  await server.deploy('stream', STREAM_SOURCE, { cpuMs: 30_000, timeoutMs: 120_000 });
  const expected = MB * 1024 * 1024;
  const samples: Record<string, Sample[]> = { 'node:http (baseline)': [], atoll: [] };
  // The first stream of a fresh gateway, reported apart (see above); the instance exists after it.
  const first = await download(`${server.url}/fn/stream?mb=${MB}`, server.pid);
  console.log(`first stream: atoll ${first.mbPerSec.toFixed(0)} MB/s, gateway RSS +${first.rssGrowthMb.toFixed(1)} MB`);
  for (let run = 1; run <= RUNS; run++) {
    const base = await download(`http://127.0.0.1:${baselinePort}/?mb=${MB}`, baseline.pid!);
    const atoll = await download(`${server.url}/fn/stream?mb=${MB}`, server.pid);
    if (atoll.bytes !== expected) throw new Error(`atoll streamed ${atoll.bytes} bytes, expected ${expected}`);
    samples['node:http (baseline)']!.push(base);
    samples.atoll!.push(atoll);
    console.log(`run ${run}: baseline ${base.mbPerSec.toFixed(0)} MB/s; atoll ${atoll.mbPerSec.toFixed(0)} MB/s, gateway RSS +${atoll.rssGrowthMb.toFixed(1)} MB`);
  }
  const rows = Object.entries(samples).map(([server, s]) => ({
    server,
    mbPerSec: Math.round(median(s.map((x) => x.mbPerSec))),
    rssGrowthMbMax: round(Math.max(...s.map((x) => x.rssGrowthMb)), 1),
  }));
  printTable(`streaming ${MB} MB: median of ${RUNS} runs after the first (targets: atoll >= 200 MB/s, gateway RSS growth <= 64 MB)`, rows);
  writeResult('streaming', { params: { mb: MB, runs: RUNS, chunkBytes: CHUNK }, first, rows, samples });
} finally {
  await server.close();
  baseline.kill('SIGTERM');
}

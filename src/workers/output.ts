/**
 * A worker's stdout and stderr, line by line, into its function's logs. Output costs the
 * gateway (reading, splitting, storing) outside any limit of the function, so it is held to
 * a budget of bytes and lines per second: past it both pipes are paused until the next second, and the
 * worker's writes block as a full pipe makes them (back-pressure, nothing is dropped).
 */
import type { Readable } from 'node:stream';

/** What a worker may write per second before its output is slowed down. */
export const OUTPUT_BYTES_PER_SECOND = 1024 * 1024;
/** Lines per second likewise: each is a row in the function's logs. */
export const OUTPUT_LINES_PER_SECOND = 1000;
export const MAX_LOG_LINE_CHARS = 16 * 1024;

/** Feed the lines of `stdout` and `stderr` to `each`, under the budget; `throttled` once per pause. */
export function captureOutput(stdout: Readable, stderr: Readable, each: (level: 'info' | 'error', line: string) => void, throttled: () => void): void {
  const streams = [stdout, stderr];
  let windowStart = Date.now();
  let used = 0;
  let lines = 0;
  let paused = false;
  const account = (bytes: number, newLines: number) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      used = 0;
      lines = 0;
    }
    used += bytes;
    lines += newLines;
    if ((used <= OUTPUT_BYTES_PER_SECOND && lines <= OUTPUT_LINES_PER_SECOND) || paused) return;
    paused = true;
    throttled();
    for (const s of streams) s.pause();
    setTimeout(() => {
      paused = false;
      windowStart = Date.now();
      used = 0;
      lines = 0;
      for (const s of streams) if (!s.destroyed) s.resume();
    }, 1000 - (now - windowStart)).unref();
  };
  splitLines(stdout, (line) => each('info', line), account);
  splitLines(stderr, (line) => each('error', line), account);
}

function splitLines(stream: Readable, each: (line: string) => void, account: (bytes: number, lines: number) => void): void {
  let rest = '';
  stream.on('error', () => {});
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let from = 0;
    let at: number;
    let count = 0;
    while ((at = rest.indexOf('\n', from)) !== -1) {
      each(rest.slice(from, at));
      from = at + 1;
      count++;
    }
    account(chunk.length, count);
    rest = rest.slice(from);
    // A line that never ends is cut into pieces rather than held without bound.
    if (rest.length > MAX_LOG_LINE_CHARS) {
      each(rest);
      rest = '';
    }
  });
  stream.on('end', () => {
    if (rest !== '') each(rest);
  });
}

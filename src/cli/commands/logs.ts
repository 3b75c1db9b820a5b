/** `atoll logs NAME`: invocation records and captured console output, merged by time. */
import { intOption } from '../args.ts';
import { call, connectionFrom, functionPath } from '../client.ts';
import type { Command } from '../command.ts';
import { cell, formatNumber, formatTime, timeOf } from '../format.ts';
import { columnWidths, formatRow, type Align } from '../table.ts';

export interface InvocationRecord {
  requestId: string;
  version: number;
  startTime: string | number;
  wallMs?: number;
  cpuMs?: number;
  billedMs?: number;
  memoryMb?: number;
  cold?: boolean;
  outcome?: string;
}

export interface LogLine {
  ts: string | number;
  requestId: string;
  level: string;
  message: string;
}

const HEADERS = ['REQUEST ID', 'VERSION', 'START', 'WALL ms', 'CPU ms', 'BILLED ms', 'MEM', 'COLD', 'OUTCOME'];
const ALIGN: Align[] = ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'left', 'left'];

/**
 * One chronological stream, newest last: invocation rows aligned under the table header,
 * each followed by the log lines it produced. On equal times the record goes first,
 * because an invocation starts before its code can log.
 */
export function renderLogs(invocations: readonly InvocationRecord[], logs: readonly LogLine[]): string[] {
  const rows = invocations.map((r) => [
    r.requestId,
    cell(r.version),
    formatTime(r.startTime, true),
    formatNumber(r.wallMs),
    formatNumber(r.cpuMs),
    formatNumber(r.billedMs),
    cell(r.memoryMb),
    r.cold === undefined ? '-' : r.cold ? 'cold' : 'warm',
    cell(r.outcome),
  ]);
  const widths = columnWidths(HEADERS, rows);
  const events = [
    ...invocations.map((r, i) => ({ t: timeOf(r.startTime), kind: 0, line: formatRow(rows[i]!, widths, ALIGN) })),
    ...logs.map((l) => ({
      t: timeOf(l.ts),
      kind: 1,
      // Continuation lines are indented so a multi-line message cannot pass for a new entry.
      line: `${formatTime(l.ts, true)} ${l.requestId} ${l.level.toUpperCase()} ${l.message.replace(/\n/g, '\n    ')}`,
    })),
  ];
  events.sort((a, b) => a.t - b.t || a.kind - b.kind);
  return [formatRow(HEADERS, widths, ALIGN), ...events.map((e) => e.line)];
}

export const logs: Command = {
  spec: {
    name: 'logs',
    summary: 'Show recent invocations and console output of a function, newest last.',
    usage: 'atoll logs NAME [--limit 100]',
    positionals: ['NAME'],
    client: true,
    options: {
      limit: { type: 'string', short: 'n', arg: 'N', help: 'how many recent entries (default 100)' },
    },
  },

  async run(ctx) {
    const name = ctx.args.positionals[0]!;
    const limit = intOption(ctx.args, 'limit', { min: 1, max: 10_000 }) ?? 100;
    const conn = connectionFrom(ctx.args, ctx.env);
    const result = (await call(conn, 'GET', functionPath(name, `/logs?limit=${limit}`))) as {
      invocations: InvocationRecord[];
      logs: LogLine[];
    };
    for (const line of renderLogs(result.invocations ?? [], result.logs ?? [])) ctx.out(line);
  },
};

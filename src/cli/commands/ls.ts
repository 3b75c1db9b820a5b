/** `atoll ls`: the deployed functions. */
import { call, connectionFrom } from '../client.ts';
import type { Command } from '../command.ts';
import { cell, formatTime } from '../format.ts';
import { renderTable } from '../table.ts';

interface FunctionSummary {
  name: string;
  liveVersion: number;
  runtime?: string;
  style?: string;
  limits?: { memoryMb?: number };
  updatedAt?: string | number;
}

export const ls: Command = {
  spec: {
    name: 'ls',
    summary: 'List deployed functions.',
    usage: 'atoll ls',
    positionals: [],
    client: true,
    options: {},
  },

  async run(ctx) {
    const conn = connectionFrom(ctx.args, ctx.env);
    const { functions } = (await call(conn, 'GET', '/api/functions')) as { functions: FunctionSummary[] };
    const rows = functions.map((f) => [
      f.name,
      cell(f.liveVersion),
      cell(f.runtime),
      cell(f.style),
      f.limits?.memoryMb === undefined ? '-' : `${f.limits.memoryMb} MB`,
      formatTime(f.updatedAt),
    ]);
    for (const line of renderTable(['NAME', 'VERSION', 'RUNTIME', 'STYLE', 'MEMORY', 'UPDATED'], rows)) ctx.out(line);
  },
};
